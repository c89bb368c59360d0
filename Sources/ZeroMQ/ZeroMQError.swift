import CZeroMQ

/// An error reported by libzmq, with its `errno` and libzmq's own description.
package struct ZeroMQError: Error, CustomStringConvertible, Equatable {
    /// The `errno` value libzmq set (e.g. `EAGAIN`, `EHOSTUNREACH`).
    package let number: Int32
    /// What the wrapper was doing when libzmq failed.
    package let operation: String

    package init(number: Int32, operation: String) {
        self.number = number
        self.operation = operation
    }

    /// Captures `zmq_errno()` right after a failed call.
    static func last(_ operation: String) -> ZeroMQError {
        ZeroMQError(number: czmq_errno(), operation: operation)
    }

    package var isAgain: Bool { number == EAGAIN }
    package var isHostUnreachable: Bool { number == EHOSTUNREACH }
    package var isInterrupted: Bool { number == EINTR }
    package var isTerminated: Bool { number == ETERM }

    package var description: String {
        "\(operation) failed: \(String(cString: zmq_strerror(number))) (errno \(number))"
    }
}
