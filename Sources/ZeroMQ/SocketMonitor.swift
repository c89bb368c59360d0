import CZeroMQ

/// What libzmq reports about one socket's connections (`zmq_socket_monitor`), read on a PAIR socket of its own.
///
/// Liaison's adapters watch their handshakes with it: a CURVE handshake the hub refuses (its ZAP handler said 400,
/// the key is not listed) reaches the client only as a monitor event; without one the client would wait for a
/// WELCOME that never comes. Like any socket, a monitor is used on one thread only.
package final class SocketMonitor {
    /// One event: which (`ZMQ_EVENT_*`), its value (for a failed handshake, the ZAP status code or the protocol
    /// error) and the endpoint it concerns.
    package struct Event: Sendable, Equatable {
        package var event: Int32
        package var value: UInt32
        package var endpoint: String

        package init(event: Int32, value: UInt32, endpoint: String) {
            self.event = event
            self.value = value
            self.endpoint = endpoint
        }

        /// Reads an event as libzmq 4.x sends it: a frame of six bytes (the event, 16 bits, then the value,
        /// 32 bits, in the machine's order) and a frame holding the endpoint. Nil for anything else.
        package init?(frames: [[UInt8]]) {
            guard frames.count == 2, frames[0].count == 6 else { return nil }
            let header = frames[0]
            event = Int32(header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) })
            value = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
            endpoint = String(decoding: frames[1], as: UTF8.self)
        }
    }

    /// The PAIR socket the events arrive on: poll it for input, then `next()`.
    package let socket: ZeroMQSocket
    private let watched: ZeroMQSocket

    /// Starts reporting `events` (a mask of `ZMQ_EVENT_*`) of `watched` at `endpoint`, an `inproc://` name unique in
    /// the context, and connects the PAIR socket that reads them.
    package init(watching watched: ZeroMQSocket, context: ZeroMQContext, endpoint: String, events: Int32) throws(ZeroMQError) {
        if zmq_socket_monitor(watched.handle, endpoint, events) != 0 { throw .last("zmq_socket_monitor(\(endpoint))") }
        self.watched = watched
        socket = try ZeroMQSocket(context: context, type: .pair)
        try socket.setOption(ZMQ_LINGER, 0)
        try socket.connect(endpoint)
    }

    /// The next event waiting, or nil.
    package func next() -> Event? {
        guard let message = try? socket.receive(dontWait: true, maxFrames: 2) else { return nil }
        return Event(frames: message.frames)
    }

    /// Stops the reports and closes the PAIR socket (before the watched socket is closed).
    package func close() {
        _ = zmq_socket_monitor(watched.handle, nil, 0)
        socket.close()
    }
}
