import CZeroMQ

/// Waits on several sockets and file descriptors at once with `zmq_poll`.
///
/// `zmq_poll` blocks its thread: call it only from a thread the caller owns, never from a task on
/// Swift's cooperative pool.
package struct Poller {
    package enum Item {
        case socket(ZeroMQSocket, wantsOutput: Bool = false)
        case fileDescriptor(Int32)
    }

    package struct Readiness {
        package var readable: Bool
        package var writable: Bool
    }

    private var items: [zmq_pollitem_t] = []

    package init(_ entries: [Item]) {
        items = entries.map { entry in
            switch entry {
            case .socket(let socket, let wantsOutput):
                var events = Int16(ZMQ_POLLIN)
                if wantsOutput { events |= Int16(ZMQ_POLLOUT) }
                return zmq_pollitem_t(socket: socket.handle, fd: -1, events: events, revents: 0)
            case .fileDescriptor(let fd):
                return zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
            }
        }
    }

    /// Polls for at most `timeoutMilliseconds` (-1: forever) and returns each item's readiness in order.
    package mutating func poll(timeoutMilliseconds: Int) throws(ZeroMQError) -> [Readiness] {
        let rc = items.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        if rc < 0 {
            let error = ZeroMQError.last("zmq_poll")
            if error.isInterrupted { return items.map { _ in Readiness(readable: false, writable: false) } }
            throw error
        }
        return items.map {
            Readiness(
                readable: $0.revents & Int16(ZMQ_POLLIN) != 0,
                writable: $0.revents & Int16(ZMQ_POLLOUT) != 0
            )
        }
    }

    /// Changes whether socket item `index` is also polled for output.
    package mutating func setWantsOutput(_ wants: Bool, at index: Int) {
        if wants { items[index].events |= Int16(ZMQ_POLLOUT) } else { items[index].events &= ~Int16(ZMQ_POLLOUT) }
    }
}
