import CZeroMQ

/// A libzmq context: owns libzmq's I/O threads; sockets are created from it.
///
/// libzmq documents contexts as thread-safe, which is what makes the `@unchecked Sendable` sound:
/// the only state is the opaque handle, and every libzmq call on it may come from any thread.
package final class ZeroMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` libzmq I/O threads (CURVE encryption runs on them).
    package init(ioThreads: Int32 = 1) {
        handle = zmq_ctx_new()
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
    }

    /// Ends the context. Blocks until every socket made from it is closed.
    package func terminate() {
        _ = zmq_ctx_term(handle)
    }

    deinit {
        zmq_ctx_term(handle)
    }

    /// The linked libzmq version, e.g. "4.3.4".
    package static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Whether libzmq was built with the CURVE mechanism.
    package static var hasCurve: Bool { zmq_has("curve") == 1 }
}
