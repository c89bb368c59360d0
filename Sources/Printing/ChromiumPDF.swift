import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Prints HTML documents (the clerk's bundle, the monitoring reports) to PDF with Debian's headless Chromium (`chromium --headless
/// --print-to-pdf`), which honours CSS paged media: the `@page` margin boxes that put the case reference and
/// "Page X of Y" on every page.
///
/// Chromium is optional: a bundle without it says why its PDFs are missing (``PDFPrinting/unavailable(_:)``) and
/// is complete otherwise, since the HTML prints the same from any browser. The documents are written to a private
/// folder (0700) for the print, which is removed afterwards; Chromium is given a profile of its own there and no
/// network to reach (a proxy that is not there). The documents hold no script and refer to nothing outside
/// themselves, and their Content-Security-Policy forbids both. (Chromium's `scriptEnabled=false` setting would
/// stop `--print-to-pdf` writing anything.)
public struct ChromiumPDF: Sendable {
    /// The Chromium executable.
    public var executable: String
    /// A private folder for the documents being printed and Chromium's profile (made 0700 if missing).
    public var workFolder: String
    /// How long one document may take before Chromium is stopped and the print counts as failed.
    public var timeout: Duration

    public init(executable: String, workFolder: String, timeout: Duration = .seconds(60)) {
        self.executable = executable
        self.workFolder = workFolder
        self.timeout = timeout
    }

    /// The names Debian (`chromium`) and other distributions give the browser, looked for in that order.
    public static let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    /// The first of ``names`` that is an executable file in a folder of `PATH`; nil when there is none.
    public static func find(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let folders = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in names {
            for folder in folders where !folder.isEmpty {
                let candidate = "\(folder)/\(name)"
                if access(candidate, X_OK) == 0, !FileManager.default.isDirectory(candidate) { return candidate }
            }
        }
        return nil
    }

    /// The printer for an adapter: `option` (the `--chromium` path) if given, which must be executable; else the
    /// browser found on `PATH`; else `unavailable` saying what to install.
    public static func printing(option: String?, workFolder: String) -> PDFPrinting {
        if let option {
            guard access(option, X_OK) == 0, !FileManager.default.isDirectory(option) else {
                return .unavailable("the Chromium given with --chromium (\(option)) is not an executable file; give the path of Debian's chromium (usually /usr/bin/chromium)")
            }
            return .printer(ChromiumPDF(executable: option, workFolder: workFolder))
        }
        guard let found = find() else {
            return .unavailable("no Chromium was found on PATH (looked for \(names.joined(separator: ", "))); install Debian's chromium package (apt-get install chromium) or start the adapter with --chromium PATH, then have the file sent again; meanwhile print the HTML documents from a browser: they carry the same page layout")
        }
        return .printer(ChromiumPDF(executable: found, workFolder: workFolder))
    }

    /// Prints one HTML document to PDF.
    ///
    /// - Throws: ``PrintError`` when the work folder cannot be made, Chromium cannot be started, stops with
    ///   an error, takes longer than ``timeout``, or writes no PDF; the message gives Chromium's last words.
    public func print(html: [UInt8]) async throws -> [UInt8] {
        let folder = try makeRenderFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = "\(folder)/document.html", output = "\(folder)/document.pdf", log = "\(folder)/chromium.log"
        guard FileManager.default.createFile(atPath: input, contents: Data(html), attributes: [.posixPermissions: 0o600]) else {
            throw PrintError("The document to print could not be written in \(workFolder).")
        }
        var arguments = [
            "--headless", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-sync", "--disable-background-networking", "--disable-component-update",
            "--mute-audio", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--user-data-dir=\(folder)/profile", "--print-to-pdf=\(output)",
        ]
        // Chromium will not run as root with its sandbox (CI and the demo run as root); the documents are the
        // adapter's own rendering, escaped, without scripts, and nothing outside them is loaded.
        if geteuid() == 0 { arguments.append("--no-sandbox") }
        arguments.append(URL(fileURLWithPath: input).absoluteString)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        // Chromium's caches and crash reports stay in the private folder, removed with it.
        for key in ["HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"] { environment[key] = folder }
        process.environment = environment
        FileManager.default.createFile(atPath: log, contents: nil, attributes: [.posixPermissions: 0o600])
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? logHandle.close() }
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice

        let status = try await run(process)
        let pdf = FileManager.default.contents(atPath: output).map { Array($0) } ?? []
        guard status == 0, pdf.starts(with: Array("%PDF-".utf8)) else {
            let words = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let last = words.split(separator: "\n").filter { !$0.contains("dbus") }.suffix(3).joined(separator: " | ")
            let why = status == Self.timedOut ? "did not finish within \(timeout)" : "exited with status \(status)"
            throw PrintError("\(executable) \(why) and wrote no PDF\(last.isEmpty ? "" : ": \(last)")")
        }
        return pdf
    }

    /// The status ``run(_:)`` gives a Chromium stopped for taking too long.
    static let timedOut: Int32 = -1

    /// Runs the process to its end without blocking a thread, stopping it after ``timeout`` (SIGTERM, then
    /// SIGKILL two seconds later if it is still there).
    func run(_ process: Process) async throws -> Int32 {
        let box = ProcessBox()
        let limit = timeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, Error>) in
            let once = ResumeOnce(continuation)
            process.terminationHandler = { finished in
                box.finish()
                once.resume(with: box.timedOut ? Self.timedOut : finished.terminationStatus)
            }
            do { try process.run() } catch {
                once.fail(PrintError("\(executable) could not be started: \(error)"))
                return
            }
            let pid = process.processIdentifier
            // The timer runs on a dispatch queue, not Swift's cooperative pool: a pool kept busy elsewhere must not
            // delay stopping a Chromium that hangs.
            let components = limit.components
            let milliseconds = Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                guard box.stop() else { return }
                kill(pid, SIGTERM)
                DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(2)) {
                    if !box.finished { kill(pid, SIGKILL) }
                }
            }
        }
    }

    /// `workFolder/print-XXXXXX`, private, fresh for each document.
    func makeRenderFolder() throws -> String {
        var made = true
        if mkdir(workFolder, 0o700) != 0 && errno != EEXIST { made = false }
        guard made else { throw PrintError("The print folder \(workFolder) could not be made: \(String(cString: strerror(errno))).") }
        var template = Array("\(workFolder)/print-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw PrintError("A print folder could not be made in \(workFolder): \(String(cString: strerror(errno))).")
        }
        return String(cString: result)
    }
}

/// Whether a bundle's PDFs can be made, and with what.
public enum PDFPrinting: Sendable {
    case printer(ChromiumPDF)
    /// No printer: the reason goes into the bundle (`pdf-missing.txt` and the manifest).
    case unavailable(String)
}

/// Whether a process has finished, or was stopped for taking too long: shared by its termination handler and the
/// task that may stop it.
private final class ProcessBox: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var stopped = false

    var finished: Bool { lock.withLock { done } }
    var timedOut: Bool { lock.withLock { stopped } }
    func finish() { lock.withLock { done = true } }
    /// Marks the process as stopped for its time; false when it had already finished.
    func stop() -> Bool {
        lock.withLock {
            guard !done else { return false }
            stopped = true
            return true
        }
    }
}

/// Resumes a continuation exactly once, whichever of termination or a failure to start comes first.
private final class ResumeOnce: @unchecked Sendable {
    private var continuation: CheckedContinuation<Int32, Error>?
    private let lock = NSLock()
    init(_ continuation: CheckedContinuation<Int32, Error>) { self.continuation = continuation }
    func resume(with status: Int32) { take()?.resume(returning: status) }
    func fail(_ error: Error) { take()?.resume(throwing: error) }
    private func take() -> CheckedContinuation<Int32, Error>? {
        lock.lock()
        defer { lock.unlock() }
        let taken = continuation
        continuation = nil
        return taken
    }
}

extension FileManager {
    fileprivate func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
