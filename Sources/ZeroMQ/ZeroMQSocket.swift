import CZeroMQ

/// The kinds of socket Liaison uses.
package enum SocketType: Int32, Sendable {
    case pair = 0  // ZMQ_PAIR
    case req = 3  // ZMQ_REQ
    case rep = 4  // ZMQ_REP
    case dealer = 5  // ZMQ_DEALER
    case router = 6  // ZMQ_ROUTER
}

/// One multipart message received from a socket, with the connection's metadata.
package struct ReceivedMessage: Sendable {
    /// Every frame in order. For a ROUTER socket the first frame is the peer's routing id.
    package var frames: [[UInt8]]
    /// The ZAP user id the authentication handler returned for the connection ("User-Id").
    package var userID: String?
    /// The peer's network address as libzmq saw it ("Peer-Address").
    package var peerAddress: String?
    /// Frames past the receiver's `maxFrames`, received and discarded without being copied.
    package var droppedFrames = 0
}

/// A libzmq socket. Not thread-safe, as libzmq sockets are not: create, use and close each one on a
/// single thread. It is deliberately not `Sendable`.
package final class ZeroMQSocket {
    let handle: UnsafeMutableRawPointer
    package let type: SocketType
    private var closed = false

    package init(context: ZeroMQContext, type: SocketType) throws(ZeroMQError) {
        guard let socket = zmq_socket(context.handle, type.rawValue) else {
            throw ZeroMQError.last("zmq_socket")
        }
        self.handle = socket
        self.type = type
    }

    deinit { close(lingerMilliseconds: 0) }

    /// Closes the socket, waiting at most `lingerMilliseconds` for unsent messages.
    package func close(lingerMilliseconds: Int32 = 0) {
        guard !closed else { return }
        closed = true
        _ = czmq_setsockopt_int(handle, ZMQ_LINGER, lingerMilliseconds)
        zmq_close(handle)
    }

    // MARK: Options

    package func setOption(_ option: Int32, _ value: Int32) throws(ZeroMQError) {
        if czmq_setsockopt_int(handle, option, value) != 0 { throw .last("zmq_setsockopt(\(option))") }
    }

    package func setOption(_ option: Int32, int64 value: Int64) throws(ZeroMQError) {
        if czmq_setsockopt_int64(handle, option, value) != 0 { throw .last("zmq_setsockopt(\(option))") }
    }

    package func setOption(_ option: Int32, bytes: [UInt8]) throws(ZeroMQError) {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        if rc != 0 { throw .last("zmq_setsockopt(\(option))") }
    }

    package func setOption(_ option: Int32, string: String) throws(ZeroMQError) {
        try setOption(option, bytes: Array(string.utf8))
    }

    /// Makes this socket a CURVE server with the given secret key (32 raw bytes).
    package func makeCurveServer(secretKey: [UInt8]) throws(ZeroMQError) {
        try setOption(ZMQ_CURVE_SERVER, 1)
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: secretKey)
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey`.
    package func makeCurveClient(serverKey: [UInt8], keyPair: CurveKeyPair) throws(ZeroMQError) {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: serverKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: keyPair.publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: keyPair.secretKey)
    }

    // MARK: Endpoints

    package func bind(_ endpoint: String) throws(ZeroMQError) {
        if zmq_bind(handle, endpoint) != 0 { throw .last("zmq_bind(\(endpoint))") }
    }

    package func connect(_ endpoint: String) throws(ZeroMQError) {
        if zmq_connect(handle, endpoint) != 0 { throw .last("zmq_connect(\(endpoint))") }
    }

    /// The endpoint actually bound (resolves `tcp://127.0.0.1:*` to its port).
    package var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        _ = zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Sending and receiving

    /// Sends `frames` as one multipart message.
    ///
    /// With `dontWait`, a full pipe (or, on a ROUTER with `ZMQ_ROUTER_MANDATORY`, an unknown peer) fails
    /// on the first frame, so nothing of the message is sent: the caller can keep it and try again.
    package func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZeroMQError) {
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < last ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if rc < 0 {
                let error = ZeroMQError.last("zmq_send")
                precondition(index == 0 || error.isTerminated, "libzmq failed mid-message: \(error)")
                throw error
            }
        }
    }

    /// Receives one multipart message; `nil` when `dontWait` is set and nothing is waiting.
    ///
    /// Frames after the first `maxFrames` are taken off the socket (a multipart message arrives whole) but not
    /// copied: a peer that sends a thousand frames costs the receiver a count, not a thousand arrays.
    package func receive(dontWait: Bool = false, maxFrames: Int = .max) throws(ZeroMQError) -> ReceivedMessage? {
        var message = ReceivedMessage(frames: [], userID: nil, peerAddress: nil)
        var part = zmq_msg_t()
        zmq_msg_init(&part)
        defer { zmq_msg_close(&part) }
        while true {
            let rc = zmq_msg_recv(&part, handle, dontWait ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let error = ZeroMQError.last("zmq_msg_recv")
                if error.isAgain && message.frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&part)
            if message.frames.count >= maxFrames {
                message.droppedFrames += 1
            } else if size > 0, let data = zmq_msg_data(&part) {
                message.frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                message.frames.append([])
            }
            // Metadata is attached to frames that came off the wire, not to a ROUTER's routing-id frame.
            if message.userID == nil, let value = zmq_msg_gets(&part, "User-Id") {
                message.userID = String(cString: value)
            }
            if message.peerAddress == nil, let value = zmq_msg_gets(&part, "Peer-Address") {
                message.peerAddress = String(cString: value)
            }
            if zmq_msg_more(&part) == 0 { return message }
        }
    }
}
