import LiaisonProtocol
import Testing

@Suite("The adapter's side of the protocol, as a state machine")
struct ClientSessionTests {
    let hello = Hello(adapter: "test-adapter", version: "1", consumes: ["*"], credit: 4)
    let welcome = Welcome(
        agency: "yot", hub: "test", heartbeatMilliseconds: 100, maxBodyBytes: 1000, maxEnvelopeBytes: 600, credit: 4)
    let receipt = Receipt(sequence: 7, recipients: ["npas"], duplicate: false, auditEntry: 12)

    /// A session with a connection open and WELCOME received at `now` (heartbeat 100 ms, back-off 100 ms).
    func readySession(now: Int64 = 0) -> ClientSession {
        var session = ClientSession(hello: hello)
        #expect(session.tick(now: now) == [.connect])
        _ = session.connected(now: now)
        _ = session.received(.success(.welcome(welcome)), now: now)
        return session
    }

    func envelope(_ id: String) -> [UInt8] {
        Envelope(id: id, source: AgencyID("yot")!, type: MessageType("yot.case-update")!, recipients: [AgencyID("npas")!]).encoded()
    }

    /// The SENDs among `actions`, by message id.
    func sends(_ actions: [ClientSession.Action]) -> [String] {
        actions.compactMap { action in
            if case .write(.send, let messageID) = action { return messageID }
            return nil
        }
    }

    @Test func handshakeSaysHelloUntilWelcomeThenHeartbeats() {
        var session = ClientSession(hello: hello)
        #expect(session.state == .disconnected)
        #expect(session.tick(now: 0) == [.connect])
        #expect(session.connected(now: 0) == [.write(.hello(hello))])
        #expect(session.state == .greeting)
        #expect(session.generation == 1)
        // No WELCOME within the assumed interval (1000 ms): HELLO again, no heartbeat before WELCOME.
        #expect(session.tick(now: 500) == [])
        #expect(session.tick(now: 1000) == [.write(.hello(hello))])
        #expect(session.received(.success(.welcome(welcome)), now: 1010) == [.welcomed(welcome)])
        #expect(session.state == .ready)
        #expect(session.welcome == welcome)
        #expect(session.heartbeat == 100)
        // The hub's interval from now on.
        #expect(session.tick(now: 1099) == [])
        #expect(session.tick(now: 1100) == [.write(.heartbeat)])
        #expect(session.tick(now: 1150) == [])
    }

    @Test func aSendGoesOutOnceReadyAndCompletesWhenAccepted() {
        var session = ClientSession(hello: hello)
        #expect(session.send(id: "m-1", envelope: envelope("m-1"), body: [1]) == .queued)
        _ = session.tick(now: 0)
        _ = session.connected(now: 0)
        #expect(sends(session.tick(now: 10)) == [], "nothing is sent before WELCOME")
        _ = session.received(.success(.welcome(welcome)), now: 20)
        #expect(session.tick(now: 21) == [.write(.send(envelope: envelope("m-1"), body: [1]), messageID: "m-1")])
        #expect(sends(session.tick(now: 22)) == [], "written once")
        #expect(session.received(.success(.accepted(messageID: "m-1", receipt: receipt)), now: 30)
            == [.complete(messageID: "m-1", .accepted(receipt))])
        #expect(session.unansweredCount == 0)
        // A second ACCEPTED for the same id (a duplicate answer) completes nothing.
        #expect(session.received(.success(.accepted(messageID: "m-1", receipt: receipt)), now: 31) == [])
    }

    @Test func theSameIdSentTwiceBeforeItsAnswerIsOneMessage() {
        var session = readySession()
        #expect(session.send(id: "m-1", envelope: envelope("m-1"), body: []) == .queued)
        #expect(session.send(id: "m-1", envelope: envelope("m-1"), body: []) == .joined)
        #expect(sends(session.tick(now: 1)) == ["m-1"])
    }

    @Test func aRejectedSendCompletesWithTheHubsCodeAndIsNotSentAgain() {
        var session = readySession()
        _ = session.send(id: "m-2", envelope: envelope("m-2"), body: [])
        _ = session.tick(now: 1)
        let actions = session.received(.success(.rejected(reference: "m-2", code: .denied, reason: "No agreement.")), now: 5)
        #expect(actions == [.complete(messageID: "m-2", .rejected(ProtocolError(.denied, "No agreement.", reference: "m-2")))])
        #expect(session.unansweredCount == 0)
        #expect(sends(session.tick(now: 20_000)) == [])
    }

    @Test func aTransientRefusalIsSentAgainAfterResendAfter() {
        var session = readySession()
        _ = session.send(id: "m-3", envelope: envelope("m-3"), body: [])
        _ = session.tick(now: 1)
        #expect(session.received(.success(.rejected(reference: "m-3", code: .storeUnavailable, reason: "busy")), now: 50) == [])
        #expect(session.unansweredCount == 1)
        // Keep the hub heard from, so only the resend timer is at work.
        _ = session.received(.success(.heartbeat), now: 10_000)
        #expect(sends(session.tick(now: 10_049)) == [])
        _ = session.tick(now: 10_150)  // the scan (every 100 ms) finds it due
        _ = session.received(.success(.heartbeat), now: 10_150)
        #expect(sends(session.tick(now: 10_151)) == ["m-3"])
    }

    @Test func aRefusedSettlementNeverFailsASend() {
        var session = readySession()
        _ = session.send(id: "5", envelope: envelope("5"), body: [])
        let refusal = ProtocolError(.unknownDelivery, "Delivery 5 is not awaiting acknowledgement.", reference: "5")
        #expect(session.received(.success(.rejected(reference: "5", code: refusal.code, reason: refusal.message)), now: 1)
            == [.unmatchedRejection(refusal)])
        #expect(session.unansweredCount == 1)
    }

    @Test func aHubSilentForThreeHeartbeatsIsLeftAndReconnectedWithBackOff() {
        var session = readySession(now: 0)
        _ = session.tick(now: 100)  // heartbeat
        _ = session.tick(now: 200)
        #expect(session.tick(now: 299).contains(.disconnect(.silent)) == false)
        #expect(session.tick(now: 300) == [.disconnect(.silent)])
        #expect(session.state == .disconnected)
        #expect(session.tick(now: 399) == [])
        #expect(session.tick(now: 400) == [.connect])
        // The new connection cannot be opened: the next attempt waits twice as long.
        session.connectionFailed(now: 400)
        #expect(session.tick(now: 599) == [])
        #expect(session.tick(now: 600) == [.connect])
        #expect(session.connected(now: 600) == [.write(.hello(hello))])
        #expect(session.generation == 2)
        // WELCOME resets the back-off to its first value.
        _ = session.received(.success(.welcome(welcome)), now: 610)
        #expect(session.tick(now: 910) == [.disconnect(.silent)])
        #expect(session.tick(now: 1010) == [.connect])
    }

    @Test func goodbyeAndNotReadyDropTheConnection() {
        var session = readySession()
        #expect(session.received(.success(.goodbye), now: 10) == [.disconnect(.goodbye)])
        #expect(session.tick(now: 109) == [])
        #expect(session.tick(now: 110) == [.connect])
        _ = session.connected(now: 110)
        _ = session.received(.success(.welcome(welcome)), now: 111)
        // 403: the hub restarted and lost the session; a new connection at once, without back-off.
        #expect(session.received(.success(.rejected(reference: "m-9", code: .notReady, reason: "Say HELLO first")), now: 120)
            == [.disconnect(.notReady)])
        #expect(session.tick(now: 120) == [.connect])
    }

    @Test func unansweredSendsGoAgainInOrderAfterAReconnect() {
        var session = readySession()
        for id in ["a", "b", "c"] { _ = session.send(id: id, envelope: envelope(id), body: []) }
        #expect(sends(session.tick(now: 1)) == ["a", "b", "c"])
        _ = session.received(.success(.accepted(messageID: "b", receipt: receipt)), now: 2)
        #expect(session.tick(now: 302) == [.disconnect(.silent)])
        #expect(session.tick(now: 402) == [.connect])
        _ = session.connected(now: 402)
        #expect(sends(session.tick(now: 403)) == [], "not before WELCOME")
        _ = session.received(.success(.welcome(welcome)), now: 404)
        #expect(sends(session.tick(now: 405)) == ["a", "c"])
        #expect(session.unansweredCount == 2)
    }

    @Test func aSendThatDidNotFitGoesAgainAtTheNextTick() {
        var session = readySession()
        _ = session.send(id: "a", envelope: envelope("a"), body: [])
        let writes = session.tick(now: 1)
        session.notWritten(writes)
        #expect(sends(session.tick(now: 2)) == ["a"])
    }

    @Test func aDeliveryIsHandedOverAndItsAckWrittenOnTheSameConnection() {
        var session = readySession()
        let bytes = envelope("d-1")
        let actions = session.received(.success(.deliver(tag: 41, envelope: bytes, body: [7], auditEntry: 3)), now: 5)
        guard case .deliver(let tag, let delivered, let body, let auditEntry, let generation) = actions.first, actions.count == 1 else {
            Issue.record("expected a delivery, got \(actions)")
            return
        }
        #expect(tag == 41 && body == [7] && auditEntry == 3)
        #expect(delivered.id == "d-1")
        let acknowledged = session.acknowledge(tag: tag, generation: generation)
        let refused = session.refuse(tag: 42, disposition: .retry, reason: "disk full", generation: generation)
        #expect(acknowledged && refused)
        #expect(session.tick(now: 6) == [
            .write(.ack(tag: 41)), .write(.nack(tag: 42, disposition: .retry, reason: "disk full")),
        ])
        // Settlements that did not fit keep their order, ahead of later ones.
        _ = session.acknowledge(tag: 43, generation: generation)
        session.notWritten([.write(.ack(tag: 41)), .write(.ack(tag: 42))])
        #expect(session.tick(now: 7) == [.write(.ack(tag: 41)), .write(.ack(tag: 42)), .write(.ack(tag: 43))])
    }

    @Test func aSettlementForAnEndedConnectionIsDropped() {
        var session = readySession()
        let old = session.generation
        _ = session.received(.success(.goodbye), now: 1)
        _ = session.tick(now: 101)
        _ = session.connected(now: 101)
        _ = session.received(.success(.welcome(welcome)), now: 102)
        let queued = session.acknowledge(tag: 1, generation: old)
        #expect(!queued)
        #expect(session.tick(now: 103) == [])
    }

    @Test func aDeliveryWithAnUnreadableEnvelopeIsRefusedForGood() {
        var session = readySession()
        #expect(session.received(.success(.deliver(tag: 9, envelope: Array("{".utf8), body: [], auditEntry: nil)), now: 1)
            == [.write(.nack(tag: 9, disposition: .reject, reason: "unreadable envelope"))])
    }

    @Test func aRefusedHelloClosesTheSession() {
        var session = ClientSession(hello: hello)
        _ = session.tick(now: 0)
        _ = session.connected(now: 0)
        #expect(session.received(.success(.rejected(reference: "", code: .malformedCommand, reason: "credit")), now: 1)
            == [.helloRefused(ProtocolError(.malformedCommand, "credit"))])
        #expect(session.isClosing)
        #expect(session.send(id: "m", envelope: envelope("m"), body: []) == .closed)
    }

    @Test func aKeyRefusedBeforeAnyWelcomeEndsTheSessionButNotOneWelcomedBefore() {
        var session = ClientSession(hello: hello)
        _ = session.tick(now: 0)
        _ = session.connected(now: 0)
        #expect(session.handshakeRefused(status: 400) == [.keyRefused(status: 400, final: true)])
        #expect(session.isClosing, "waiting for a WELCOME that cannot come would be waiting for ever")
        #expect(session.handshakeRefused(status: 400) == [], "reported once")

        // Welcomed once (its key was listed then): the key may be listed again, so it keeps trying.
        var welcomed = readySession()
        _ = welcomed.tick(now: 300)  // silent for 3 heartbeats: a new connection is due
        #expect(welcomed.state == .disconnected)
        #expect(welcomed.handshakeRefused(status: 400) == [.keyRefused(status: 400, final: false)])
        #expect(!welcomed.isClosing)
        #expect(welcomed.tick(now: 1000) == [.connect])
    }

    @Test func aSendOverTheHubsLimitsIsRefusedBeforeItGoesOut() {
        var session = readySession()
        guard case .refused(let error) = session.send(id: "big", envelope: envelope("big"), body: .init(repeating: 0, count: 1001)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(error.code == .tooLarge && error.reference == "big")
        #expect(session.unansweredCount == 0)
    }

    @Test func shutDownSettlesSaysGoodbyeAndClosesWhatIsUnanswered() {
        var session = readySession()
        _ = session.send(id: "a", envelope: envelope("a"), body: [])
        _ = session.send(id: "b", envelope: envelope("b"), body: [])
        _ = session.received(.success(.deliver(tag: 3, envelope: envelope("d"), body: [], auditEntry: nil)), now: 1)
        _ = session.acknowledge(tag: 3, generation: session.generation)
        session.requestClose()
        #expect(session.shutDown() == [
            .write(.ack(tag: 3)), .write(.goodbye), .complete(messageID: "a", .closed), .complete(messageID: "b", .closed),
        ])
        #expect(session.state == .closed)
        #expect(session.tick(now: 10_000) == [])
    }
}
