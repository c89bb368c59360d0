import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended and what it printed.
package struct ChildProcessResult: Sendable {
    /// Its exit status (128 + the signal's number when a signal ended it).
    package var status: Int32
    /// Its standard output (with its standard error too when they were merged).
    package var output: String
    /// Its standard error, when it was kept apart from the output.
    package var errors: String
}

/// Runs child processes for tests without blocking Swift's cooperative pool.
///
/// Tests run on the cooperative pool: two threads on a 2-core machine. A test that waits for a child in `waitpid`
/// or reads its output with `readDataToEndOfFile()` on one of them holds that thread for as long as the child runs,
/// and two such tests stall every other test in the process. So here every blocking call (starting the child,
/// writing its input, reading its output and errors, waiting for its exit) happens on threads of its own, and the
/// test only awaits the result.
///
/// Every child is also told the test process's pid in `LIAISON_EXIT_WITH_PARENT`, so a `liaison` process that a
/// test started stops when the test process dies (see `ParentWatch` in LiaisonCLI); other programs ignore it.
///
/// ```swift
/// let result = try await ChildProcess.run("/usr/bin/python3", ["-c", "print(1)"])
/// #expect(result.status == 0 && result.output == "1\n")
/// ```
package enum ChildProcess {
    /// The environment variable that makes a `liaison` process stop once the process whose pid it holds has ended.
    package static let exitWithParentVariable = "LIAISON_EXIT_WITH_PARENT"

    /// The environment for a test's child: the test process's own less `unsetting`, `LIAISON_EXIT_WITH_PARENT` set
    /// to its pid, and `extra` over all.
    package static func environment(_ extra: [String: String] = [:], unsetting: [String] = []) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in unsetting { environment[name] = nil }
        environment[exitWithParentVariable] = String(getpid())
        environment.merge(extra) { $1 }
        return environment
    }

    /// Runs `executable` with `arguments` to its end.
    ///
    /// - Parameters:
    ///   - currentDirectory: its working folder (the test process's when nil).
    ///   - environment: variables set for it over the test process's own.
    ///   - unsetting: variables of the test process's own left out of its environment.
    ///   - input: written to its standard input, which is then closed; without it, its standard input is
    ///     `/dev/null`.
    ///   - mergingErrors: its standard error goes into ``ChildProcessResult/output`` (as with `2>&1`) instead of
    ///     ``ChildProcessResult/errors``.
    /// - Throws: when the executable cannot be started.
    package static func run(
        _ executable: String, _ arguments: [String], currentDirectory: String? = nil, environment: [String: String] = [:],
        unsetting: [String] = [], input: Data? = nil, mergingErrors: Bool = false
    ) async throws -> ChildProcessResult {
        let environment = Self.environment(environment, unsetting: unsetting)
        return try await onThreadOfItsOwn {
            try runBlocking(
                executable, arguments, currentDirectory: currentDirectory, environment: environment, input: input,
                mergingErrors: mergingErrors)
        }
    }

    /// Runs `body` on a new thread, not on the cooperative pool, and returns what it returns.
    package static func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result(catching: body)) }.start()
        }
    }

    /// Runs `body` on a new thread, not on the cooperative pool, and returns what it returns.
    package static func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    private static func runBlocking(
        _ executable: String, _ arguments: [String], currentDirectory: String?, environment: [String: String],
        input: Data?, mergingErrors: Bool
    ) throws -> ChildProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        process.environment = environment
        let output = Pipe()
        let errors = mergingErrors ? nil : Pipe()
        process.standardOutput = output
        process.standardError = errors ?? output
        let stdin = input == nil ? nil : Pipe()
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
        // The input is written and the errors read on threads of their own while this one reads the output: a child
        // that fills one pipe while the test waits on another would otherwise never finish.
        let writing = stdin.map { pipe in
            Joinable { writeAll(input ?? Data(), to: pipe.fileHandleForWriting) }
        }
        let errorText = errors.map { pipe in
            Joinable { pipe.fileHandleForReading.readDataToEndOfFile() }
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        writing?.join()
        let errorData = errorText?.join() ?? Data()
        let status = process.waitForExit()
        return ChildProcessResult(
            status: status, output: String(decoding: outputData, as: UTF8.self), errors: String(decoding: errorData, as: UTF8.self))
    }

    /// Writes `data` and closes `handle`, ignoring a child that stopped reading: SIGPIPE is blocked on this thread,
    /// so such a write fails with EPIPE instead of ending the test process.
    private static func writeAll(_ data: Data, to handle: FileHandle) {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        try? handle.write(contentsOf: data)
        try? handle.close()
    }
}

/// A value computed on a thread of its own, waited for with ``join()``.
private final class Joinable<Value>: @unchecked Sendable {
    // @unchecked: `value` is written once by the thread before `done` is signalled, and read only after waiting on it.
    private var value: Value?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Value) {
        Thread {
            self.value = body()
            self.done.signal()
        }.start()
    }

    @discardableResult
    func join() -> Value {
        done.wait()
        return value!
    }
}

extension Process {
    /// Waits for the process to end, on a thread of its own (see ``waitForExit()``), and returns its exit status.
    package func exitStatus() async -> Int32 {
        let process = UncheckedProcess(process: self)
        return await ChildProcess.onThreadOfItsOwn { process.process.waitForExit() }
    }

    /// Waits for the process to end on a thread of its own without waiting for that here, then runs `then` on that
    /// thread: for `defer` and `deinit`, which cannot await.
    ///
    /// The test process, when it exits, first waits (a few seconds at most) for every such wait and its `then`: a
    /// test that ends last would otherwise exit before its broker, and the hub's folder `then` removes stayed in /tmp.
    package func reapInBackground(then: @escaping @Sendable () -> Void = {}) {
        let process = UncheckedProcess(process: self)
        BackgroundReaps.enter()
        Thread {
            _ = process.process.waitForExit()
            then()
            BackgroundReaps.leave()
        }.start()
    }
}

/// The background waits for child processes still running (``Process/reapInBackground(then:)``), which the test
/// process lets finish before it exits.
private enum BackgroundReaps {
    static let group = DispatchGroup()
    /// How long the exit waits at most: a broker stops within a second or two of SIGTERM.
    static let exitWait: DispatchTimeInterval = .seconds(10)
    private static let waitAtExit: Void = {
        atexit { _ = BackgroundReaps.group.wait(timeout: .now() + BackgroundReaps.exitWait) }
    }()

    static func enter() {
        _ = waitAtExit
        group.enter()
    }

    static func leave() { group.leave() }
}

/// A `Process` handed to the thread that waits for it.
private struct UncheckedProcess: @unchecked Sendable {
    // @unchecked: the waiting thread only calls `waitForExit()`, which reads the pid and, if Foundation reaped the
    // child first, its published status.
    let process: Process
}
