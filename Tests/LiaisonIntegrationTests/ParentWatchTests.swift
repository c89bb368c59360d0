import Foundation
import LiaisonTestSupport
import Testing

/// `LIAISON_EXIT_WITH_PARENT=PID` (the tests set it for every process they start): a `liaison` process stops
/// cleanly once process PID has ended, so a test process that dies leaves no broker or adapter running.
@Suite("A liaison process whose parent dies", .timeLimit(.minutes(1)), .realProcesses)
struct ParentWatchTests {
    /// Whether `pid` is gone, or a zombie waiting to be reaped by whoever inherited it.
    static func ended(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // The state follows the command name in parentheses: "PID (COMM) S ...".
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// A shell that starts the broker in the background with `assignment` before it, prints the broker's pid, and
    /// becomes `sleep`; the broker's log is `log`.
    static func shellStartingABroker(_ hub: TemporaryHub, assignment: String, log: String) async throws -> (shell: Process, broker: pid_t) {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c", assignment + #" "$0" broker --config "$1" --log-level info > "$2" 2>&1 & echo $!; exec sleep 60"#,
            try LiaisonExecutable.path(), hub.configPath, log,
        ]
        shell.environment = ChildProcess.environment()
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let handle = output.fileHandleForReading
        let line = await ChildProcess.onThreadOfItsOwn {
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let more = handle.availableData
                if more.isEmpty { break }
                data += more
            }
            return String(decoding: data, as: UTF8.self)
        }
        let broker = try #require(pid_t(line.trimmingCharacters(in: .whitespacesAndNewlines)), "the shell said: \(line)")
        for _ in 0..<400 where !Self.text(log).contains("Broker running") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Self.text(log).contains("Broker running"), "\(Self.text(log))")
        return (shell, broker)
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test func aBrokerWhoseParentIsKilledStopsCleanly() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let log = "\(hub.directory)/watched-broker.log"
        let (shell, broker) = try await Self.shellStartingABroker(hub, assignment: "LIAISON_EXIT_WITH_PARENT=$$", log: log)
        defer { if !Self.ended(broker) { kill(broker, SIGKILL) } }
        // While its parent lives, the broker runs on.
        try await Task.sleep(for: .milliseconds(600))
        #expect(!Self.ended(broker))

        kill(shell.processIdentifier, SIGKILL)
        _ = await shell.exitStatus()
        for _ in 0..<300 where !Self.ended(broker) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Self.ended(broker), "the broker still runs after its parent was killed")
        #expect(Self.text(log).contains("Broker stopped"), "it stops as on SIGTERM, cleanly: \(Self.text(log))")
    }

    /// A wrapper between the test process and the broker (a `LIAISON_BIN` script that does not `exec`) does not stop
    /// it: the process watched is the one named, the test process, which lives on.
    @Test func aBrokerStartedThroughAWrapperRunsWhileTheNamedProcessLives() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let log = "\(hub.directory)/wrapped-broker.log"
        let (shell, broker) = try await Self.shellStartingABroker(hub, assignment: "", log: log)
        defer {
            kill(broker, SIGKILL)
            kill(shell.processIdentifier, SIGKILL)
            shell.reapInBackground()
        }
        try await Task.sleep(for: .milliseconds(600))
        #expect(!Self.ended(broker), "the broker stopped though the test process, which it was told to watch, lives")
        #expect(!Self.text(log).contains("Broker stopped"))
    }
}
