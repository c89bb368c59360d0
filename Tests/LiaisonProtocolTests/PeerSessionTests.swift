import LiaisonProtocol
import Testing

@Suite("The broker's per-peer state machine")
struct PeerSessionTests {
    let limits = PeerSession.Limits(hubName: "test", heartbeatMilliseconds: 100, maxBodyBytes: 1000, maxEnvelopeBytes: 600, maxCredit: 10)
    let yot = AgencyID("yot")!
    let hello = Hello(adapter: "a", version: "1", consumes: ["*"], credit: 3)

    func readySession() -> PeerSession {
        var session = PeerSession(agency: yot, limits: limits, now: 0)
        _ = session.receive(.success(.hello(hello)), now: 0)
        return session
    }

    func rejectionCode(_ action: PeerSession.Action) -> Int? {
        if case .reply(.rejected(_, let code, _)) = action { return code.number }
        return nil
    }

    @Test func startsConnectedAndRefusesAnythingButHello() {
        var session = PeerSession(agency: yot, limits: limits, now: 0)
        #expect(session.state == .connected)
        #expect(rejectionCode(session.receive(.success(.send(envelope: [], body: [])), now: 1)) == 403)
        #expect(rejectionCode(session.receive(.success(.ack(tag: 1)), now: 1)) == 403)
        #expect(rejectionCode(session.receive(.success(.nack(tag: 1, disposition: .retry, reason: "")), now: 1)) == 403)
        #expect(session.state == .connected)
    }

    @Test func rejectionsNameTheMessageOrDeliveryTheyReferTo() {
        var session = PeerSession(agency: yot, limits: limits, now: 0)
        let envelope = Array(#"{"id":"m-7"}"#.utf8)
        #expect(session.receive(.success(.send(envelope: envelope, body: [])), now: 1) == .reply(.rejected(
            reference: "m-7", code: .notReady, reason: "Say HELLO first: this connection has no session (is the hub newly restarted?).")))
        if case .reply(.rejected(let reference, _, _)) = session.receive(.success(.ack(tag: 12)), now: 1) {
            #expect(reference == "12")
        } else { Issue.record("expected a rejection") }
        session = readySession()
        if case .reply(.rejected(let reference, let code, _)) = session.receive(
            .success(.send(envelope: envelope, body: .init(repeating: 0, count: 1001))), now: 1) {
            #expect(code == .tooLarge)
            #expect(reference == "m-7")
        } else { Issue.record("expected a rejection") }
    }

    @Test func helloOpensTheSessionAndCapsCredit() {
        var session = PeerSession(agency: yot, limits: limits, now: 0)
        let action = session.receive(.success(.hello(Hello(adapter: "a", version: "1", credit: 50))), now: 1)
        guard case .welcome(let welcome, let firstTime) = action else {
            Issue.record("expected welcome, got \(action)")
            return
        }
        #expect(firstTime)
        #expect(welcome.credit == 10)
        #expect(welcome.agency == "yot")
        #expect(welcome.heartbeatMilliseconds == 100)
        #expect(session.state == .ready)
    }

    @Test func aSecondHelloReplacesParametersButIsNotANewConnection() {
        var session = readySession()
        let action = session.receive(.success(.hello(Hello(adapter: "a", version: "1", credit: 2))), now: 5)
        guard case .welcome(let welcome, let firstTime) = action else {
            Issue.record("expected welcome")
            return
        }
        #expect(!firstTime)
        #expect(welcome.credit == 2)
        #expect(session.credit == 2)
    }

    @Test func sendInReadyIsProcessed() {
        var session = readySession()
        #expect(session.receive(.success(.send(envelope: [1], body: [2])), now: 1) == .process(envelope: [1], body: [2]))
    }

    @Test func oversizeEnvelopeOrBodyIs413() {
        var session = readySession()
        #expect(rejectionCode(session.receive(.success(.send(envelope: .init(repeating: 0, count: 601), body: [])), now: 1)) == 413)
        #expect(rejectionCode(session.receive(.success(.send(envelope: [], body: .init(repeating: 0, count: 1001))), now: 1)) == 413)
    }

    @Test func decodeErrorsAreAnsweredWithTheirCodeAndTheSessionStays() {
        var session = readySession()
        let action = session.receive(.failure(ProtocolError(.badSignature, "x")), now: 1)
        #expect(rejectionCode(action) == 400)
        #expect(session.state == .ready)
    }

    @Test func ackSettlesOnlyWhatIsInFlight() {
        var session = readySession()
        #expect(rejectionCode(session.receive(.success(.ack(tag: 7)), now: 1)) == 420)
        session.didDeliver(tag: 7, now: 1)
        #expect(session.receive(.success(.ack(tag: 7)), now: 2) == .settle(tag: 7, outcome: .ack))
        #expect(session.unsettled.isEmpty)
        #expect(rejectionCode(session.receive(.success(.ack(tag: 7)), now: 3)) == 420)
    }

    @Test(arguments: [NackDisposition.retry, .reject])
    func nackSettles(disposition: NackDisposition) {
        var session = readySession()
        session.didDeliver(tag: 9, now: 1)
        #expect(
            session.receive(.success(.nack(tag: 9, disposition: disposition, reason: "r")), now: 2)
                == .settle(tag: 9, outcome: .nack(disposition, reason: "r")))
    }

    @Test func creditLimitsDeliveries() {
        var session = readySession()
        let type = MessageType("case.feedback")!
        for tag in 1...3 {
            #expect(session.canDeliver(type))
            session.didDeliver(tag: Int64(tag), now: 1)
        }
        #expect(!session.canDeliver(type))
        _ = session.receive(.success(.ack(tag: 2)), now: 2)
        #expect(session.canDeliver(type))
    }

    @Test func consumesFiltersTypes() {
        var session = PeerSession(agency: yot, limits: limits, now: 0)
        _ = session.receive(.success(.hello(Hello(adapter: "a", version: "1", consumes: ["case.feedback"], credit: 3))), now: 0)
        #expect(session.canDeliver(MessageType("case.feedback")!))
        #expect(!session.canDeliver(MessageType("court.outcome")!))
    }

    @Test func goodbyeClosesWithTheUnsettledTagsInOrder() {
        var session = readySession()
        session.didDeliver(tag: 5, now: 1)
        session.didDeliver(tag: 2, now: 1)
        #expect(session.receive(.success(.goodbye), now: 2) == .close(unsettled: [2, 5], reason: .goodbye))
        #expect(session.state == .gone)
        #expect(session.receive(.success(.heartbeat), now: 3) == .none)
        #expect(!session.canDeliver(MessageType("a")!))
    }

    @Test func heartbeatIsDueAfterOneIntervalOfSilenceFromTheBroker() {
        var session = readySession()
        #expect(session.tick(now: 50) == .none)
        _ = session.receive(.success(.heartbeat), now: 90)
        #expect(session.tick(now: 100) == .reply(.heartbeat))
        #expect(session.tick(now: 150) == .none)
    }

    @Test func aPeerSilentForThreeIntervalsIsGone() {
        var session = readySession()
        session.didDeliver(tag: 4, now: 0)
        _ = session.receive(.success(.heartbeat), now: 100)
        #expect(session.tick(now: 399) != .close(unsettled: [4], reason: .silent))
        #expect(session.tick(now: 400) == .close(unsettled: [4], reason: .silent))
        #expect(session.state == .gone)
    }

    @Test func aConnectionThatNeverSaysHelloAlsoTimesOut() {
        var session = PeerSession(agency: yot, limits: limits, now: 0)
        #expect(session.tick(now: 100) == .none)  // no heartbeats before HELLO
        #expect(session.tick(now: 300) == .close(unsettled: [], reason: .silent))
    }

    @Test func lostClosesImmediately() {
        var session = readySession()
        session.didDeliver(tag: 1, now: 0)
        #expect(session.lost() == .close(unsettled: [1], reason: .silent))
    }
}
