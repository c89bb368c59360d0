import Foundation

/// The real `liaison broker`, run as a child process for an integration test.
package final class BrokerProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns this object, one call at a time.
    package let hub: TemporaryHub
    private var process: Process?
    package let logPath: String
    /// The hub configuration it runs with (default: the hub's own).
    package let configPath: String
    /// More arguments for `liaison broker` (`--standby`).
    package let extraArguments: [String]

    /// - Parameters:
    ///   - name: its log's name in the hub's folder (`NAME.log`): two brokers of one hub each need their own.
    ///   - configPath: another hub.yaml (a standby broker's, with its own endpoint), or the hub's.
    package init(hub: TemporaryHub, name: String = "broker", configPath: String? = nil, arguments: [String] = []) {
        self.hub = hub
        self.logPath = "\(hub.directory)/\(name).log"
        self.configPath = configPath ?? hub.configPath
        self.extraArguments = arguments
    }

    /// Starts the broker and waits until it listens (its log says "Broker running"), or, with `until`, until its
    /// log says that instead (a standby broker: "Standby").
    package func start(timeout: Duration = .seconds(20), until marker: String = "Broker running") async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try LiaisonExecutable.path())
        process.arguments = ["broker", "--config", configPath, "--log-level", "info"] + extraArguments
        process.environment = ChildProcess.environment()
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + timeout
        var lastLength = -1
        // Looks once more after the deadline: on a loaded 2-core machine this task can be kept waiting past the
        // deadline by other tests, and the broker must not be reported as not started when it had started (or
        // had exited with its reason) meanwhile.
        while true {
            let pastDeadline = ContinuousClock.now >= deadline
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if text.utf8.count != lastLength, text.components(separatedBy: marker).count > (marker == "Broker running" ? runs : 0) + 1 {
                if marker == "Broker running" { runs += 1 }
                return
            }
            lastLength = text.utf8.count
            if !process.isRunning { throw TestSupportError("The broker exited at start: \(text)") }
            if pastDeadline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("The broker did not start within \(timeout).")
    }

    private var runs = 0

    /// Waits until the broker's log says "Broker running" once more than it had (a standby that has taken over).
    package func waitUntilRunning(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log.components(separatedBy: "Broker running").count > runs + 1 {
                runs += 1
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestSupportError("The broker did not start running within \(timeout): \(log)")
    }

    /// Whether the process is still running.
    package var isRunning: Bool { process?.isRunning ?? false }

    /// Kills the broker with SIGKILL and waits until it is gone: no clean shutdown, no final commit.
    package func kill() async {
        guard let process else { return }
        self.process = nil
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = await process.exitStatus()
    }

    /// Waits for the broker to end on its own and returns its exit status (a test's time limit bounds the wait).
    package func waitForExit() async -> Int32? {
        guard let process else { return nil }
        self.process = nil
        return await process.exitStatus()
    }

    /// Sends the broker a signal (e.g. SIGHUP: reload agencies and agreements).
    package func signal(_ number: Int32) {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, number)
    }

    /// Stops the broker with SIGTERM and waits for it to exit.
    package func stop() async {
        guard let process else { return }
        self.process = nil
        process.terminate()
        _ = await process.exitStatus()
    }

    /// Stops the broker with SIGTERM and leaves the wait for its exit to a thread of its own, which then runs `then`:
    /// for `defer`, which cannot await.
    package func stopInBackground(then: @escaping @Sendable () -> Void = {}) {
        guard let process else { return then() }
        self.process = nil
        process.terminate()
        process.reapInBackground(then: then)
    }

    package var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.reapInBackground()
    }
}

/// Finds the `liaison` executable built beside the test bundle (or at `$LIAISON_BIN`).
package enum LiaisonExecutable {
    package static func path() throws -> String {
        if let override = ProcessInfo.processInfo.environment["LIAISON_BIN"] { return override }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("liaison").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        for candidate in [".build/debug/liaison", ".build/release/liaison"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestSupportError("Cannot find the liaison executable: run `swift build` first or set LIAISON_BIN.")
    }

    /// Runs `liaison` with `arguments` and returns its exit status and combined output. The waiting is done on a
    /// thread of its own (``ChildProcess``), not on the cooperative pool.
    package static func run(_ arguments: [String], currentDirectory: String? = nil) async throws -> (status: Int32, output: String) {
        let result = try await ChildProcess.run(try path(), arguments, currentDirectory: currentDirectory, mergingErrors: true)
        return (result.status, result.output)
    }
}

package struct TestSupportError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
