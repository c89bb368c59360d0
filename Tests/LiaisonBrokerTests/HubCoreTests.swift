import Foundation
import LiaisonProtocol
import LiaisonStore
import StrictJSON
import Testing

@testable import LiaisonBroker

/// The hub's decisions, driven in memory: each test runs in milliseconds, with no socket, process or disk.
@Suite("HubCore in memory: admission, commit, delivery")
struct HubCoreTests {
    static let body: JSONValue = .object(["note": .string("synthetic")])

    @Test func acceptedGoesOutOnlyWithTheCommitAndNamesTheSequence() throws {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let envelope = Envelope(id: "m-1", source: AgencyID("npas")!, type: MessageType("case.note")!, recipients: [AgencyID("yot")!])
        hub.core.receive(
            from: npas, agency: AgencyID("npas")!, keyFingerprint: Digest.fingerprint(ofKey: CoreHarness.key(of: "npas")), peer: nil,
            frames: WireCodec.encode(AdapterCommand.send(envelope: envelope.encoded(), body: HubCoreTests.body.encoded()))[...],
            droppedFrames: 0, time: hub.time)
        // Before the commit: nothing answered, one message planned.
        let before = hub.core.takeActions()
        #expect(before.isEmpty)
        #expect(hub.ledger.events(.accepted).isEmpty)
        let sent = hub.cycle()
        #expect(sent.receipts.map(\.sequence) == [1])
        #expect(hub.ledger.events(.accepted).count == 1)
    }

    @Test func aResendIsAnsweredWithTheFirstReceiptAndDeliveredOnce() throws {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let yot = hub.connect("yot")
        let first = hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body)
        let second = hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body)
        #expect(first.receipts.map(\.duplicate) == [false])
        #expect(second.receipts.map(\.duplicate) == [true])
        #expect(second.receipts.first?.sequence == first.receipts.first?.sequence)
        #expect((first + second).deliveries.filter { $0.to == yot }.count == 1)
    }

    @Test func aSpoofedSourceAndAnUnknownRecipientAreRefusedAndAudited() throws {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let envelope = Envelope(id: "m-1", source: AgencyID("yot")!, type: MessageType("case.note")!, recipients: [AgencyID("npas")!])
        let spoofed = hub.receive(.send(envelope: envelope.encoded(), body: HubCoreTests.body.encoded()), from: npas, as: "npas")
        let unknown = hub.send("m-2", type: "case.note", from: npas, as: "npas", to: ["police"], body: HubCoreTests.body)
        #expect(spoofed.rejections == [.spoofedSource])
        #expect(unknown.rejections == [.unknownRecipient])
        #expect(hub.ledger.events(.rejected).map(\.code) == [ProtocolError.Code.spoofedSource.number, ProtocolError.Code.unknownRecipient.number])
        #expect(hub.ledger.events(.accepted).isEmpty)
    }

    @Test func creditLimitsWhatIsInFlightAndAnAckReleasesTheNext() throws {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let yot = hub.connect("yot", credit: 2)
        var delivered: [Int64] = []
        for index in 1...5 {
            delivered += hub.send("m-\(index)", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body)
                .deliveries.map(\.tag)
        }
        #expect(delivered == [1, 2])
        let after = hub.receive(.ack(tag: 1), from: yot, as: "yot")
        #expect(after.deliveries.map(\.tag) == [3])
        #expect(hub.ledger.deliveries[AgencyID("yot")!]?[1]?.state == .acknowledged)
    }

    @Test func deliveriesGoRoundRobinAndComeBackWhenAConnectionLeaves() throws {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let first = hub.connect("yot", credit: 5)
        let second = hub.connect("yot", credit: 5)
        var sent: [(RoutingID, HubCommand)] = []
        for index in 1...4 {
            sent += hub.send("m-\(index)", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body)
        }
        let toFirst = sent.deliveries.filter { $0.to == first }.map(\.tag)
        #expect(!toFirst.isEmpty && toFirst.count < 4)
        // The first connection says goodbye with its deliveries unsettled: they go to the second.
        let requeued = hub.receive(.goodbye, from: first, as: "yot").deliveries
        #expect(requeued.map(\.tag) == toFirst)
        #expect(requeued.allSatisfy { $0.to == second })
        #expect(hub.ledger.events(.adapterGone).first?.detail?.contains("\(toFirst.count) deliveries requeued") == true)
    }

    @Test func aNackRetryWaitsItsBackOffAndTheLastAttemptIsADeadLetter() throws {
        var hub = try CoreHarness { $0.maxAttempts = 2; $0.retryBackoffMilliseconds = 100 }
        let npas = hub.connect("npas")
        let yot = hub.connect("yot")
        let tag = try #require(hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body).deliveries.first?.tag)
        let retried = hub.receive(.nack(tag: tag, disposition: .retry, reason: "busy"), from: yot, as: "yot")
        #expect(retried.deliveries.isEmpty, "redelivered before its back-off")
        let again = hub.advance(150)
        #expect(again.deliveries.map(\.tag) == [tag])
        hub.receive(.nack(tag: tag, disposition: .retry, reason: "busy"), from: yot, as: "yot")
        #expect(hub.ledger.deadLetters.map(\.cause) == [.attempts])
        #expect(hub.ledger.events(.nackRetry).count == 1)
    }

    /// A case note delivered to the YOT, which refuses it with NACK reject and `reason`.
    static func rejectedByTheYOT(reason: String) throws -> CoreHarness {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let yot = hub.connect("yot")
        let tag = try #require(hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body).deliveries.first?.tag)
        hub.receive(.nack(tag: tag, disposition: .reject, reason: reason), from: yot, as: "yot")
        return hub
    }

    @Test func aNackRejectIsADeadLetterWithItsReason() throws {
        let hub = try Self.rejectedByTheYOT(reason: "unknown school")
        #expect(hub.ledger.deadLetters.map(\.cause) == [.rejected])
        #expect(hub.ledger.deadLetters.first?.reason == "unknown school")
        #expect(hub.ledger.events(.deadLettered).count == 1)
    }

    /// A recipient's reason is free text kept with the dead letter: what looks like a child's details is masked first.
    @Test func aNackReasonIsStoredWithPersonalDetailsMasked() throws {
        let hub = try Self.rejectedByTheYOT(reason: "no pupil Q926200024001 here; ask jo.bloggs@example.org")
        let reason = try #require(hub.ledger.deadLetters.first?.reason)
        #expect(!reason.contains("Q926200024001") && !reason.contains("jo.bloggs"), "\(reason)")
        #expect(reason.hasPrefix("no pupil Q92620") && reason.contains("@example.org"), "the masked forms say what was there: \(reason)")
    }

    @Test func aDeliveryPastItsTimeToLiveIsADeadLetterEvenInFlight() throws {
        var hub = try CoreHarness { $0.defaultTTLMilliseconds = 5_000 }
        let npas = hub.connect("npas")
        let yot = hub.connect("yot")
        let tag = try #require(hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body).deliveries.first?.tag)
        hub.advance(6_000)
        #expect(hub.ledger.deadLetters.map(\.cause) == [.expired])
        #expect(hub.ledger.events(.expired).count == 1)
        // Its late ACK finds nothing in flight and changes nothing.
        hub.receive(.ack(tag: tag), from: yot, as: "yot")
        #expect(hub.ledger.deliveries[AgencyID("yot")!]?[tag]?.state == .dead)
        #expect(hub.ledger.events(.acknowledged).isEmpty)
    }

    @Test func aFailedCommitAnswers503AndKeepsNothing() throws {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        hub.ledger.failNextCommit = true
        let failed = hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body)
        #expect(failed.rejections == [.storeUnavailable])
        let again = hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body)
        #expect(again.receipts.map(\.duplicate) == [false], "the resend after a 503 is a new message")
    }

    @Test func aDeliveryThatMeetsAFullPipeIsNotAuditedAndGoesAgain() throws {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let yot = hub.connect("yot")
        hub.offer("m-1", from: npas, as: "npas", to: ["yot"])
        let bounced = hub.cycle(bounce: [yot])
        #expect(bounced.deliveries.isEmpty)
        #expect(hub.ledger.events(.delivered).isEmpty, "a delivery that never left is not audited as delivered")
        #expect(hub.core.wantsSoonRetry)
        let retried = hub.cycle()
        #expect(retried.deliveries.map(\.tag) == [1])
        #expect(hub.ledger.events(.delivered).count == 1)
    }

    @Test func aDeliveryPagedInBeforeItsCommitIsHeardOfIsNotDeliveredTwice() throws {
        // The commit runs on its own thread: the loop may page a queue in from the store after a batch committed
        // and before it hears so.
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        _ = hub.connect("yot")
        hub.offer("m-1", from: npas, as: "npas", to: ["yot"])
        let batch = hub.core.takeBatch()
        let stored = try hub.ledger.commit(batch.operations, at: hub.time.wall)
        hub.core.dispatch(time: hub.time)  // pages m-1 in from the store
        hub.core.committed(batch, .success(stored), time: hub.time)
        hub.core.dispatch(time: hub.time)
        #expect(hub.deliveredTags() == [1])
    }

    @Test func aDeliveryGoesOutWhileTheNextBatchIsAlreadyCommitting() throws {
        // The loop answers a commit, hands the next batch to the commit thread, and only then dispatches.
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        _ = hub.connect("yot")
        hub.offer("m-1", from: npas, as: "npas", to: ["yot"])
        let first = hub.core.takeBatch()
        let stored = try hub.ledger.commit(first.operations, at: hub.time.wall)
        hub.offer("m-2", from: npas, as: "npas", to: ["yot"])
        hub.core.committed(first, .success(stored), time: hub.time)
        _ = hub.core.takeBatch()  // m-2 goes to the commit thread
        hub.core.dispatch(time: hub.time)
        #expect(hub.deliveredTags() == [1])
    }

    @Test func settlementsAloneMayWaitForTheNextCommitButNothingAnyoneWaitsFor() throws {
        // The loop lets a batch wait (and ride with the next commit) only while `pendingCanWait` holds.
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let yot = hub.connect("yot")
        func commitPending(_ hub: inout CoreHarness) throws {
            let batch = hub.core.takeBatch()
            hub.core.committed(batch, .success(try hub.ledger.commit(batch.operations, at: hub.time.wall)), time: hub.time)
        }
        func arrive(_ command: AdapterCommand, from routingID: RoutingID, as agency: String, _ hub: inout CoreHarness) {
            hub.core.receive(
                from: routingID, agency: AgencyID(agency)!, keyFingerprint: Digest.fingerprint(ofKey: CoreHarness.key(of: agency)),
                peer: nil, frames: WireCodec.encode(command)[...], droppedFrames: 0, time: hub.time)
        }
        #expect(!hub.core.pendingCanWait, "nothing pending")
        hub.offer("m-1", from: npas, as: "npas", to: ["yot"])
        #expect(hub.core.hasPendingWork && !hub.core.pendingCanWait, "a SEND's sender waits for its commit")
        try commitPending(&hub)
        _ = hub.core.takeActions()
        hub.core.dispatch(time: hub.time)
        #expect(hub.deliveredTags() == [1])
        #expect(hub.core.pendingCanWait, "a DELIVER that has gone out: its audit record may wait")
        arrive(.ack(tag: 1), from: yot, as: "yot", &hub)
        #expect(hub.core.pendingCanWait, "an ACK: nobody is answered")
        hub.offer("m-2", from: npas, as: "npas", to: ["yot"])
        #expect(!hub.core.pendingCanWait, "settlements ride with the next SEND's commit, which may not wait")
        try commitPending(&hub)
        #expect(hub.ledger.deliveries[AgencyID("yot")!]?[1]?.state == .acknowledged)
        #expect(hub.ledger.events(.delivered).count == 1 && hub.ledger.events(.acknowledged).count == 1)
        _ = hub.core.takeActions()
        hub.core.dispatch(time: hub.time)
        #expect(hub.deliveredTags() == [2])
        arrive(.nack(tag: 2, disposition: .reject, reason: "unknown school"), from: yot, as: "yot", &hub)
        #expect(!hub.core.pendingCanWait, "a dead letter is stored at once")
        try commitPending(&hub)
        arrive(.ack(tag: 1), from: yot, as: "yot", &hub)  // settled already: nothing to store
        arrive(.hello(Hello(adapter: "courts-test", version: "1", consumes: ["*"], credit: 1)), from: [0, 99], as: "courts", &hub)
        #expect(hub.core.hasPendingWork && !hub.core.pendingCanWait, "a WELCOME waits for its audit record's commit")
    }

    @Test func nothingIsDeliveredToAConnectionBeforeItsWelcomeHasGoneOut() throws {
        // Messages wait for schools-mis; it connects while the commit holding its WELCOME's audit record is running.
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        hub.send("m-1", type: "case.feedback", from: npas, as: "npas", to: ["schools-mis"], body: HubCoreTests.body)
        let routingID: RoutingID = [7, 7]
        hub.core.receive(
            from: routingID, agency: AgencyID("schools-mis")!, keyFingerprint: Digest.fingerprint(ofKey: CoreHarness.key(of: "schools-mis")),
            peer: nil, frames: WireCodec.encode(AdapterCommand.hello(Hello(adapter: "py", version: "1", credit: 16)))[...],
            droppedFrames: 0, time: hub.time)
        let batch = hub.core.takeBatch()  // to the commit thread, with the WELCOME waiting for it
        hub.core.dispatch(time: hub.time)
        #expect(hub.deliveredTags().isEmpty, "a DELIVER overtook the WELCOME")
        hub.core.committed(batch, Result { () throws(StoreError) in try hub.ledger.commit(batch.operations, at: hub.time.wall) }, time: hub.time)
        var sent = hub.core.takeActions()
        hub.core.dispatch(time: hub.time)
        sent += hub.core.takeActions()
        let kinds = sent.compactMap { action -> String? in
            guard case .send(let command, let to) = action, to == routingID else { return nil }
            if case .welcome = command { return "welcome" }
            if case .deliver = command { return "deliver" }
            return nil
        }
        #expect(kinds == ["welcome", "deliver"])
    }

    @Test func aConnectionWhoseKeyIsNoLongerListedOpensNoSession() throws {
        var hub = try CoreHarness()
        hub.core.receive(
            from: [9, 9], agency: AgencyID("npas")!, keyFingerprint: "not-a-listed-key", peer: nil,
            frames: WireCodec.encode(AdapterCommand.hello(Hello(adapter: "a", version: "1", credit: 1)))[...], droppedFrames: 0, time: hub.time)
        #expect(hub.cycle().isEmpty)
        #expect(hub.core.isSilenced([9, 9]))
    }
}

@Suite("HubTime: the UTC date from the wall clock")
struct HubTimeTests {
    @Test(arguments: [Int64(0), -1, 59, 365, 10_957, 11_015, 19_782, 20_424, 2_932_896, 47_482, 11_016])
    func theDateMatchesFoundation(day: Int64) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: Double(day) * 86_400)
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let expected = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        #expect(HubTime.date(ofDay: day) == expected)
    }

    @Test func theClockReadsTodayInUTC() {
        #expect(HubTime.now().today == String(Date().ISO8601Format().prefix(10)))
    }
}
