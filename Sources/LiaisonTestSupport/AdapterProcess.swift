import Foundation

/// A real `liaison adapter NAME`, run as a child process for an integration test, with its log in
/// `FOLDER/adapter.log`.
package final class AdapterProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns this object, one call at a time.
    package let arguments: [String]
    package let logPath: String
    private var process: Process?

    /// - Parameters:
    ///   - name: the adapter (`schools-mis`, `npas-desk`, `advisory-service`).
    ///   - hub: the hub it connects to.
    ///   - folder: its working folder.
    ///   - extra: further arguments (e.g. `--schools FILE`).
    ///   - leading: arguments right after the adapter's name (e.g. `partner`'s agency).
    package init(_ name: String, hub: TemporaryHub, folder: String, leading: [String] = [], extra: [String] = []) {
        arguments = ["adapter", name] + leading + ["--config", hub.configPath, "--folder", folder, "--log-level", "info"] + extra
        logPath = "\(folder).log"
    }

    /// Starts the adapter and waits until it has said it runs.
    package func start(timeout: Duration = .seconds(20)) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try LiaisonExecutable.path())
        process.arguments = arguments
        process.environment = ChildProcess.environment()
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.log.contains("Adapter running") { return }
            if !process.isRunning { throw TestSupportError("The adapter exited at start: \(self.log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("The adapter did not start within \(timeout).")
    }

    /// Stops the adapter with SIGTERM and waits for it to exit.
    package func stop() async {
        guard let process else { return }
        self.process = nil
        process.terminate()
        _ = await process.exitStatus()
    }

    /// Stops the adapter with SIGTERM and leaves the wait for its exit to a thread of its own: for `defer`, which
    /// cannot await.
    package func stopInBackground() {
        guard let process else { return }
        self.process = nil
        process.terminate()
        process.reapInBackground()
    }

    package var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.reapInBackground()
    }
}
