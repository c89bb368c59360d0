import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Logging
import Synchronization
import Testing

/// An adapter may work on several deliveries at once (`concurrentDeliveries`, `mayOverlap`), as the desk does with
/// schools' returns and rolls; any other delivery waits for the work in hand and runs alone, in the hub's order.
@Suite("Overlapping deliveries", .timeLimit(.minutes(2)), .realProcesses(.short))
struct OverlappingDeliveriesTests {
    /// Records when each delivery's work began and ended, and how many were in hand at once.
    final class Recorder: Sendable {
        struct State {
            var inHand: Set<String> = []
            var mostAtOnce = 0
            /// Each delivery's id, with the ids in hand when its work began.
            var began: [(id: String, alongside: Set<String>)] = []
            var ended: [String] = []
        }
        let state = Mutex(State())
    }

    struct SlowAdapter: Adapter {
        let recorder: Recorder
        var agency: String { "npas" }
        var consumes: [String] { ["test.overlap", "test.alone"] }
        var concurrentDeliveries: Int { 3 }
        func mayOverlap(_ delivery: Delivery) -> Bool { delivery.envelope.type.rawValue == "test.overlap" }

        func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome {
            let id = delivery.envelope.id
            recorder.state.withLock { state in
                state.began.append((id, state.inHand))
                state.inHand.insert(id)
                state.mostAtOnce = max(state.mostAtOnce, state.inHand.count)
            }
            try? await Task.sleep(for: .milliseconds(300))
            recorder.state.withLock { state in
                state.inHand.remove(id)
                state.ended.append(id)
            }
            return .done
        }
    }

    @Test func overlappingDeliveriesShareTheTimeAndAnyOtherRunsAloneInOrder() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let recorder = Recorder()
        let client = AdapterClient(configuration: try running.hub.adapterConfiguration("npas", credit: 16))
        let service = AdapterService(adapter: SlowAdapter(recorder: recorder), client: client, logger: Logger(label: "test"))
        let serving = Task { try await service.run() }
        let sender = try await running.hub.connect("yot")
        // In this order: six that may overlap, one that may not, two more that may.
        let plan = (1...6).map { ("test.overlap", "o\($0)") } + [("test.alone", "alone")] + [("test.overlap", "o7"), ("test.overlap", "o8")]
        for (type, id) in plan {
            _ = try await sender.send(type: type, to: ["npas"], body: Array("{}".utf8), id: id)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while recorder.state.withLock({ $0.ended.count }) < plan.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        await sender.close()
        await client.close()
        serving.cancel()
        _ = await serving.result
        let state = recorder.state.withLock { $0 }
        #expect(state.ended.count == plan.count, "every delivery was worked on: \(state.ended)")
        // Overlapping work shares the time, up to the adapter's width and no further.
        #expect(state.mostAtOnce == 3)
        // The one that may not overlap began with nothing in hand, after all six before it had ended, and nothing
        // after it began until it had ended.
        let alone = try #require(state.began.first { $0.id == "alone" })
        #expect(alone.alongside.isEmpty)
        let endedBeforeAlone = Set(state.ended.prefix { $0 != "alone" })
        #expect(endedBeforeAlone == Set((1...6).map { "o\($0)" }))
        for later in ["o7", "o8"] {
            let began = try #require(state.began.first { $0.id == later })
            #expect(!began.alongside.contains("alone"))
        }
        #expect(state.began.firstIndex { $0.id == "alone" }! < state.began.firstIndex { $0.id == "o7" }!)
    }
}
