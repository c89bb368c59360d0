import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// `submit` hands a message to the client and returns at once; messages go to the hub in the order they were handed
/// over, and each one's answer comes with `receipt()`, as `send`'s would.
@Suite("Submitting without waiting", .timeLimit(.minutes(2)), .realProcesses(.short))
struct SubmitTests {
    @Test func submittedMessagesAreAcceptedInTheOrderTheyWereHandedOver() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        let pending = try (1...20).map { number in
            try sender.submit(type: "test.message", to: ["npas"], body: Array("{\"n\":\(number)}".utf8), id: "submitted-\(number)")
        }
        var sequences: [Int64] = []
        for message in pending { sequences.append(try await message.receipt().sequence) }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 20, "the hub's order is the order of submission: \(sequences)")
        // A resubmitted id is the same message: the hub answers it as a duplicate with the first sequence.
        let again = try await sender.submit(type: "test.message", to: ["npas"], body: Array("{\"n\":1}".utf8), id: "submitted-1").receipt()
        #expect(again.duplicate && again.sequence == sequences[0])
        await sender.close()
    }

    @Test func theHubsRefusalComesWithTheReceipt() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        // An envelope the kit can check is refused at once; one only the hub can judge, when its answer comes.
        #expect(throws: AdapterError.self) { try sender.submit(type: "Not A Type", to: ["npas"], body: [], id: "bad-type") }
        let unknown = try sender.submit(type: "test.message", to: ["nobody-we-know"], body: Array("{}".utf8), id: "unknown-recipient")
        await #expect(throws: AdapterError.self) { try await unknown.receipt() }
        let fine = try sender.submit(type: "test.message", to: ["npas"], body: Array("{}".utf8), id: "fine")
        #expect(try await fine.receipt().duplicate == false)
        await sender.close()
    }
}
