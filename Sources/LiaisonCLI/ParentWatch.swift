import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Stops a `liaison` process whose parent has gone, when asked to by `LIAISON_EXIT_WITH_PARENT=PID`.
///
/// The tests start brokers, adapters and listeners as children of the test process. If that process dies (a crash,
/// `kill -9`, a CI timeout), its children would otherwise run on, holding their ports, files and CPU. With the
/// variable set to the parent's pid, a thread checks five times a second that the process still exists and has not
/// ended (a zombie not yet reaped has ended); when it has, the process sends itself SIGTERM, which the broker and
/// the adapters take as the signal for a clean shutdown, and SIGKILL ten seconds later if it is still there. A parent
/// that died before the thread started counts as gone at the first look. The named process need not be the direct
/// parent: a wrapper script between the test and `liaison` (as `LIAISON_BIN` may be) does not stop it.
///
/// Linux's `prctl(PR_SET_PDEATHSIG)` is not used: it fires when the *thread* that started the child ends, and the
/// tests start children from threads of Swift's pool and threads of their own that end long before the test does.
/// Nothing is watched without the variable: a broker run by a service manager or by hand never sees it.
enum ParentWatch {
    /// The environment variable holding the pid of the parent to watch.
    static let variable = "LIAISON_EXIT_WITH_PARENT"

    /// Starts watching if `environment` holds ``variable`` with a pid; does nothing otherwise.
    static func startIfAsked(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let value = environment[variable], let parent = pid_t(value), parent > 1 else { return }
        let thread = Thread {
            while !hasEnded(parent) { usleep(200_000) }
            kill(getpid(), SIGTERM)
            sleep(10)
            kill(getpid(), SIGKILL)
        }
        thread.name = "parent-watch"
        thread.start()
    }

    /// Whether `pid` no longer exists, or is a zombie (ended, not yet reaped).
    static func hasEnded(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        // "PID (COMMAND) STATE ...": the state follows the last parenthesis.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
