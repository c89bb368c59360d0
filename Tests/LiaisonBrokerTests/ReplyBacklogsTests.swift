import LiaisonProtocol
import Testing

@testable import LiaisonBroker

/// A stand-in for the broker's ROUTER socket: takes frames while it has room, and records them in the order sent.
final class FakePipe: ReplyBacklogs.Pipe {
    var room: Int
    /// The peer has gone: every send is EHOSTUNREACH.
    var gone = false
    var sent: [[[UInt8]]] = []

    init(room: Int) { self.room = room }

    func sendNow(_ frames: [[UInt8]]) -> ReplyBacklogs.Attempt {
        if gone { return .unreachable }
        guard room > 0 else { return .pipeFull }
        room -= 1
        sent.append(frames)
        return .sent
    }
}

@Suite("Reply backlogs: in order, capped, never holding a delivery")
struct ReplyBacklogsTests {
    let peer: RoutingID = [0, 1, 2, 3]
    let other: RoutingID = [9, 9]
    let delivery = HubCommand.deliver(tag: 7, envelope: Array("{}".utf8), body: [], auditEntry: nil)

    func reply(_ number: Int) -> HubCommand {
        .rejected(reference: "ref-\(number)", code: .notReady, reason: "synthetic \(number)")
    }

    func frames(_ command: HubCommand, to routingID: RoutingID) -> [[UInt8]] {
        [routingID] + WireCodec.encode(command)
    }

    @Test func repliesWaitInOrderAndGoOutOnceThePipeDrains() {
        var backlogs = ReplyBacklogs()
        let pipe = FakePipe(room: 1)
        for number in 0..<4 { #expect(backlogs.send(reply(number), to: peer, via: pipe) == .sent) }
        #expect(pipe.sent == [frames(reply(0), to: peer)])
        // The pipe has room again, but a new reply joins the end of the backlog rather than overtake it.
        pipe.room = 1
        #expect(backlogs.send(reply(4), to: peer, via: pipe) == .sent)
        #expect(pipe.sent.count == 1)
        var drained: [RoutingID] = []
        pipe.room = 2
        backlogs.flush(via: pipe, isSilenced: { _ in false }, drained: { drained.append($0) })
        #expect(pipe.sent == (0..<3).map { frames(reply($0), to: peer) })
        #expect(drained.isEmpty)
        #expect(!backlogs.isEmpty)
        pipe.room = 10
        backlogs.flush(via: pipe, isSilenced: { _ in false }, drained: { drained.append($0) })
        #expect(pipe.sent == (0..<5).map { frames(reply($0), to: peer) })
        #expect(drained == [peer])
        #expect(backlogs.isEmpty)
        // With the backlog gone, a reply goes straight out.
        #expect(backlogs.send(reply(5), to: peer, via: pipe) == .sent)
        #expect(pipe.sent.last == frames(reply(5), to: peer))
    }

    @Test func aConnectionThatDoesNotReadIsCutOffPastTheCap() {
        var backlogs = ReplyBacklogs()
        let pipe = FakePipe(room: 0)
        for number in 0..<ReplyBacklogs.maxBacklog {
            guard backlogs.send(reply(number), to: peer, via: pipe) == .sent else {
                Issue.record("reply \(number) was not kept, below the cap")
                return
            }
        }
        #expect(backlogs.send(reply(-1), to: other, via: pipe) == .sent)
        #expect(backlogs.send(reply(ReplyBacklogs.maxBacklog), to: peer, via: pipe) == .cutOff)
        // The cut-off connection's backlog is dropped; the other connection's still goes out.
        pipe.room = .max
        var drained: [RoutingID] = []
        backlogs.flush(via: pipe, isSilenced: { _ in false }, drained: { drained.append($0) })
        #expect(pipe.sent == [frames(reply(-1), to: other)])
        #expect(drained == [other])
        #expect(backlogs.isEmpty)
    }

    @Test func deliveriesNeverWaitInOrBehindABacklog() {
        var backlogs = ReplyBacklogs()
        let pipe = FakePipe(room: 0)
        // A full pipe: the delivery goes back to the core (`full`) and is not kept.
        #expect(backlogs.send(delivery, to: peer, via: pipe) == .full)
        #expect(backlogs.isEmpty)
        #expect(backlogs.send(reply(0), to: peer, via: pipe) == .sent)
        // Room again, but a reply still waits: the delivery neither overtakes it nor joins it.
        pipe.room = 10
        #expect(backlogs.send(delivery, to: peer, via: pipe) == .full)
        #expect(pipe.sent.isEmpty)
        // Another connection's delivery is not held by this one's backlog.
        #expect(backlogs.send(delivery, to: other, via: pipe) == .sent)
        backlogs.flush(via: pipe, isSilenced: { _ in false }, drained: { _ in })
        #expect(pipe.sent == [frames(delivery, to: other), frames(reply(0), to: peer)])
        #expect(backlogs.send(delivery, to: peer, via: pipe) == .sent)
    }

    @Test func aConnectionThatIsGoneOrCutOffLosesItsBacklog() {
        var backlogs = ReplyBacklogs()
        let pipe = FakePipe(room: 0)
        _ = backlogs.send(reply(0), to: peer, via: pipe)
        _ = backlogs.send(reply(1), to: other, via: pipe)
        // A connection the core has cut off: its backlog is dropped unsent, and it is not reported drained.
        pipe.room = 10
        var drained: [RoutingID] = []
        backlogs.flush(via: pipe, isSilenced: { $0 == other }, drained: { drained.append($0) })
        #expect(pipe.sent == [frames(reply(0), to: peer)])
        #expect(drained == [peer])
        #expect(backlogs.isEmpty)
        // A connection that has gone: a send says so, and a waiting backlog is dropped.
        _ = backlogs.send(reply(2), to: peer, via: FakePipe(room: 0))
        pipe.gone = true
        backlogs.flush(via: pipe, isSilenced: { _ in false }, drained: { drained.append($0) })
        #expect(backlogs.isEmpty)
        #expect(pipe.sent.count == 1)
        #expect(backlogs.send(reply(3), to: peer, via: pipe) == .unreachable)
        #expect(backlogs.send(delivery, to: peer, via: pipe) == .unreachable)
        #expect(backlogs.isEmpty)
    }
}
