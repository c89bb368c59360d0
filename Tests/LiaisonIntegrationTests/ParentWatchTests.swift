import Foundation
import LiaisonTestSupport
import Testing

/// `LIAISON_EXIT_WITH_PARENT=PID` (the tests set it for every process they start): a `liaison` process stops
/// cleanly once PID is no longer its parent, so a test process that dies leaves no broker or adapter running.
@Suite("A liaison process whose parent dies", .timeLimit(.minutes(1)), .realProcesses)
struct ParentWatchTests {
    /// Whether `pid` is gone, or a zombie waiting to be reaped by whoever inherited it.
    static func ended(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // The state follows the command name in parentheses: "PID (COMM) S ...".
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    @Test func aBrokerWhoseParentIsKilledStopsCleanly() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let log = "\(hub.directory)/watched-broker.log"
        // A shell starts the broker, told to watch the shell, prints the broker's pid, and becomes `sleep`.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c", #"LIAISON_EXIT_WITH_PARENT=$$ "$0" broker --config "$1" --log-level info > "$2" 2>&1 & echo $!; exec sleep 60"#,
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
        defer { if !Self.ended(broker) { kill(broker, SIGKILL) } }

        func logText() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        for _ in 0..<400 where !logText().contains("Broker running") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(logText().contains("Broker running"), "\(logText())")
        // While its parent lives, the broker runs on.
        try await Task.sleep(for: .milliseconds(600))
        #expect(!Self.ended(broker))

        kill(shell.processIdentifier, SIGKILL)
        _ = await shell.exitStatus()
        for _ in 0..<300 where !Self.ended(broker) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Self.ended(broker), "the broker still runs after its parent was killed")
        #expect(logText().contains("Broker stopped"), "it stops as on SIGTERM, cleanly: \(logText())")
    }
}
