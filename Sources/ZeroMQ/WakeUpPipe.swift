#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A self-pipe that wakes a thread blocked in `zmq_poll` when work is handed to it from elsewhere.
///
/// `wake()` may be called from any thread or task; repeated wakes before the owner drains coalesce into
/// one byte, so the hand-off costs at most one `write` per poll cycle.
package final class WakeUpPipe: Sendable {
    /// The read end, to put in a `Poller`.
    package let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let pending = Atomic<Bool>(false)

    package init() {
        var fds: [Int32] = [0, 0]
        let rc = pipe(&fds)
        precondition(rc == 0, "pipe() failed: errno \(errno)")
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
        _ = fcntl(readDescriptor, F_SETFL, fcntl(readDescriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(writeDescriptor, F_SETFL, fcntl(writeDescriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Wakes the owner's poll. Cheap when a wake is already pending.
    package func wake() {
        if pending.exchange(true, ordering: .acquiringAndReleasing) { return }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Empties the pipe; the owner calls this after its poll reports the read end readable, and then
    /// looks at the work handed to it.
    ///
    /// The flag is cleared only after the pipe is empty. Cleared first, a `wake()` landing between the
    /// two steps would write a byte that this read swallows while leaving the flag set, and every later
    /// wake would be skipped: the owner would then notice work only when its poll timed out.
    package func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readDescriptor, &buffer, buffer.count) > 0 {}
        pending.store(false, ordering: .releasing)
    }
}
