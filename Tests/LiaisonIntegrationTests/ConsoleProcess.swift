import Foundation
import LiaisonTestSupport

/// A real `liaison console --config FILE`, run as a child process for a test, with its log in a file: started,
/// its URL read from its log (so the configuration may listen on port 0), and stopped with SIGTERM.
final class ConsoleProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns this object, one call at a time.
    let config: String
    let logPath: String
    /// Its working folder: the repository, whose `config/legal` the prosecution check reads.
    let directory: String
    private var process: Process?

    init(config: String, log: String, directory: String) {
        self.config = config
        self.logPath = log
        self.directory = directory
    }

    /// Starts the console and waits until its log says where it serves; returns that URL (`http://127.0.0.1:PORT/`).
    func start(timeout: Duration = .seconds(20)) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try LiaisonExecutable.path())
        process.arguments = ["console", "--config", config, "--log-level", "info"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ChildProcess.environment()
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + timeout
        while true {
            let pastDeadline = ContinuousClock.now >= deadline
            if let range = self.log.range(of: #"console: serving on (http://\S+/)"#, options: .regularExpression) {
                return String(self.log[range].split(separator: " ").last!)
            }
            if !process.isRunning { throw TestSupportError("The console exited at start: \(self.log)") }
            if pastDeadline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("The console did not start within \(timeout): \(self.log)")
    }

    /// Stops the console with SIGTERM and waits for it to exit.
    func stop() async {
        guard let process else { return }
        self.process = nil
        process.terminate()
        _ = await process.exitStatus()
    }

    /// Stops the console with SIGTERM and leaves the wait for its exit to a thread of its own: for `defer`.
    func stopInBackground() {
        guard let process else { return }
        self.process = nil
        process.terminate()
        process.reapInBackground()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.reapInBackground()
    }
}
