import LiaisonProtocol
import ZeroMQ

/// Replies for connections whose pipe was full, kept in order per connection.
///
/// A reply that finds a connection's pipe full waits in the connection's backlog, and so does every reply after it
/// until the backlog has gone out: a connection hears its replies in the order the core gave them. A DELIVER never
/// waits here (the core puts it back on its queue), nor does it overtake a backlog. A connection whose backlog
/// passes `maxBacklog` sends but does not read: it is cut off. The frames go out through a `Pipe` (the broker's
/// ROUTER socket), so this can be tested without sockets.
struct ReplyBacklogs {
    /// The most replies kept for a connection that does not read them; past it the connection is cut off.
    static let maxBacklog = 10_000

    /// Where the frames go: the ROUTER socket, or a stand-in in tests.
    protocol Pipe {
        /// Sends the frames (the routing id first) without waiting.
        func sendNow(_ frames: [[UInt8]]) -> Attempt
    }

    /// What one send that does not wait did: the pipe to the peer was full (EAGAIN), the peer is gone
    /// (EHOSTUNREACH), or it failed otherwise.
    enum Attempt { case sent, pipeFull, unreachable, failed }

    /// What became of a command. `sent`: sent, kept in the backlog, or (a reply that failed) dropped. `full`: a
    /// DELIVER that cannot go now. `unreachable`: the connection is gone. `cutOff`: the backlog passed
    /// `maxBacklog` and was dropped; the connection must be cut off.
    enum Outcome { case sent, full, unreachable, cutOff }

    private var queues: [RoutingID: [[[UInt8]]]] = [:]

    /// Whether no connection has replies waiting.
    var isEmpty: Bool { queues.isEmpty }

    /// Sends a command to a connection. A reply that finds the pipe full waits in the connection's backlog; a
    /// DELIVER does not (the core puts it back on its queue).
    mutating func send(_ command: HubCommand, to routingID: RoutingID, via pipe: some Pipe) -> Outcome {
        let isDelivery: Bool
        if case .deliver = command { isDelivery = true } else { isDelivery = false }
        if queues[routingID] != nil {
            if isDelivery { return .full }
            guard queues[routingID]!.count < ReplyBacklogs.maxBacklog else {
                queues[routingID] = nil
                return .cutOff
            }
            queues[routingID]!.append([routingID] + WireCodec.encode(command))
            return .sent
        }
        let frames = [routingID] + WireCodec.encode(command)
        switch pipe.sendNow(frames) {
        case .sent:
            return .sent
        case .pipeFull:
            if isDelivery { return .full }
            queues[routingID, default: []].append(frames)
            return .sent
        case .unreachable:
            return .unreachable
        case .failed:
            return isDelivery ? .full : .sent
        }
    }

    /// Retries connections' backlogs, oldest first; stops at a connection's first message that still cannot go.
    /// A connection the core has cut off (`isSilenced`) loses its backlog unsent; `drained` is told of each
    /// connection whose backlog has all gone.
    mutating func flush(via pipe: some Pipe, isSilenced: (RoutingID) -> Bool, drained: (RoutingID) -> Void) {
        for routingID in Array(queues.keys) {
            guard !isSilenced(routingID) else {
                queues[routingID] = nil
                continue
            }
            var queued = queues[routingID]!
            sending: while let frames = queued.first {
                switch pipe.sendNow(frames) {
                case .sent: queued.removeFirst()
                case .pipeFull: break sending
                case .unreachable, .failed:
                    queued.removeAll()
                    break sending
                }
            }
            queues[routingID] = queued.isEmpty ? nil : queued
            // Deliveries held back while this connection's pipe was full can go now.
            if queued.isEmpty { drained(routingID) }
        }
    }
}

extension ZeroMQSocket: ReplyBacklogs.Pipe {
    func sendNow(_ frames: [[UInt8]]) -> ReplyBacklogs.Attempt {
        do {
            try send(frames, dontWait: true)
            return .sent
        } catch {
            return error.isAgain ? .pipeFull : error.isHostUnreachable ? .unreachable : .failed
        }
    }
}
