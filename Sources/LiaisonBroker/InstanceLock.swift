import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a second broker off a store or an `ipc://` endpoint that one is already using.
///
/// Two brokers on one store would each think they own its queues; and libzmq binds an `ipc://` path that
/// another process is listening on by replacing the file, silently taking the endpoint from the running
/// broker. So the broker holds an exclusive `flock` on `<data_dir>/broker.lock` for its whole life and, before
/// binding an `ipc://` endpoint, checks that nothing answers on it.
package final class InstanceLock {
    private let descriptor: Int32
    let path: String

    /// Takes the lock on `path` (creating the file, mode 0600), or throws `alreadyRunning` at once.
    init(path: String) throws(BrokerError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw BrokerError(.store, "Cannot open \(path) (errno \(errno)): check the data folder exists and is the broker's.")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw BrokerError(
                .alreadyRunning,
                "Another broker is running on this store (\(path) is locked): stop it first, or give this one its own data_dir.")
        }
        // The lock file names the broker's process, so that `liaison keys rotate` can ask it to reload.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        descriptor = fd
        self.path = path
    }

    /// Takes the lock on `path`, waiting while another broker holds it: a standby broker (`liaison broker --standby`)
    /// takes over the store the moment the active broker stops or dies (the kernel drops a dead process's `flock`).
    /// Polls every `pollMilliseconds`, so a takeover starts within that of the other's end.
    ///
    /// - Throws: `BrokerError` `stopped` when `isStopRequested()` turns true first; any other error of `init(path:)`.
    static func waitForLease(
        path: String, pollMilliseconds: Int = 100, isStopRequested: () -> Bool, waiting: (_ holder: Int32?) -> Void
    ) throws(BrokerError) -> InstanceLock {
        var told = false
        while true {
            do {
                return try InstanceLock(path: path)
            } catch where error.code == .alreadyRunning {
                if !told {
                    told = true
                    waiting(runningBroker(lockPath: path))
                }
                if isStopRequested() { throw BrokerError(.stopped, "The standby broker stopped before it took over.") }
                usleep(useconds_t(pollMilliseconds * 1000))
            }
        }
    }

    /// The process id of the broker that holds the lock at `path`, or nil when no broker holds it.
    package static func runningBroker(lockPath path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Whether a process is listening on the Unix socket of an `ipc://` endpoint (a stale file is not in use).
    static func isListening(ipcEndpoint endpoint: String) -> Bool {
        guard endpoint.hasPrefix("ipc://") else { return false }
        let path = String(endpoint.dropFirst("ipc://".count))
        guard !path.isEmpty, path != "*", !path.hasPrefix("@") else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return connected == 0
    }
}
