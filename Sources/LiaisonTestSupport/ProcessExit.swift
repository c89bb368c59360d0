import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// Waits for the process to end and returns its exit status (128 + the signal's number when a signal ended it).
    ///
    /// Why not `waitUntilExit()`: on Linux, Foundation learns that a child ended from a SIGCHLD source on a dispatch
    /// queue. Tests run on Swift's cooperative pool, two threads on a 2-core machine; with both blocked in
    /// `waitUntilExit()` that source never ran and the children stayed zombies: the suite hung. `waitpid` needs no
    /// other thread. If Foundation reaps the child first, its own status is used.
    package func waitForExit() -> Int32 {
        let pid = processIdentifier
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid {
                let signal = status & 0x7F
                return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
            }
            if result == -1 && errno == EINTR { continue }
            break
        }
        // Foundation reaped it (ECHILD): its monitor is running, and will say so in a moment.
        while isRunning { usleep(5_000) }
        return terminationStatus
    }
}
