import Foundation
import Logging

/// An adapter's working folder, for agencies that exchange files:
///
/// ```
/// ROOT/inbox/       files dropped in by people or systems (write elsewhere, or as NAME.part, then rename)
/// ROOT/processing/  the file being read: claimed by an atomic rename, so it is never read twice at once
/// ROOT/processed/   files done, each with NAME.report.txt beside it when there is something to report
/// ROOT/failed/      files that could not be used, each with NAME.error.txt saying why
/// ROOT/outbox/      what the adapter writes for people to read
/// ```
///
/// A file left in `processing/` by a stopped adapter is processed again on the next start
/// (`unfinished()`); adapters make that safe by deriving message ids from the file's content, so the hub
/// answers a resend as a duplicate instead of importing it twice.
public struct DropFolder: Sendable {
    public let root: String
    public var inbox: String { "\(root)/inbox" }
    public var processing: String { "\(root)/processing" }
    public var processed: String { "\(root)/processed" }
    public var failed: String { "\(root)/failed" }
    public var outbox: String { "\(root)/outbox" }

    /// Opens (creating if needed) the folder and its subfolders.
    public init(root: String) throws {
        self.root = (root as NSString).standardizingPath
        for folder in [inbox, processing, processed, failed, outbox] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    /// Files ready in the inbox, oldest first: regular, not hidden, not still being written (`.part`, `.tmp`).
    public func ready() -> [String] {
        Self.files(in: inbox)
    }

    /// Files a previous run claimed but did not finish, oldest first.
    public func unfinished() -> [String] {
        Self.files(in: processing)
    }

    /// One pass over the work: first each file a stopped run left in `processing/`, then each inbox file,
    /// oldest first, claimed as its turn comes. `claimFailed` hears of an inbox file that could not be claimed.
    ///
    /// With `inOrder`, a file still in `processing/` after its turn (waiting for an answer, or for the hub)
    /// holds back every later file, for files whose order matters (each list replaces the one before).
    public func work(inOrder: Bool = false, _ body: (String) async -> Void, claimFailed: ((String, any Error) -> Void)? = nil) async {
        for path in unfinished() { await body(path) }
        if inOrder, !unfinished().isEmpty { return }
        for path in ready() {
            do {
                let claimed = try claim(path)
                await body(claimed)
                if inOrder, FileManager.default.fileExists(atPath: claimed) { return }
            } catch {
                claimFailed?(path, error)
            }
        }
    }

    /// Claims an inbox file by moving it to `processing/`; returns its new path.
    public func claim(_ path: String) throws -> String {
        // Never over a file of the same name still waiting there from a stopped run.
        let target = Self.unusedPath(in: processing, name: (path as NSString).lastPathComponent)
        try Self.move(path, to: target)
        return target
    }

    /// Moves a claimed file to `processed/`, with a report beside it when `report` is not nil.
    ///
    /// - Returns: the file's final path.
    @discardableResult
    public func complete(_ path: String, report: String? = nil) throws -> String {
        let target = Self.unusedPath(in: processed, name: (path as NSString).lastPathComponent)
        if let report { try Self.writeAtomically(Data(report.utf8), to: target + ".report.txt") }
        try Self.move(path, to: target)
        return target
    }

    /// Moves a claimed file to `failed/`, with `NAME.error.txt` beside it saying what was wrong.
    ///
    /// - Returns: the file's final path.
    @discardableResult
    public func fail(_ path: String, report: String) throws -> String {
        let target = Self.unusedPath(in: failed, name: (path as NSString).lastPathComponent)
        try Self.writeAtomically(Data(report.utf8), to: target + ".error.txt")
        try Self.move(path, to: target)
        return target
    }

    /// Moves a claimed file to `failed/` with its report, as ``fail(_:report:)``; a file that cannot even be moved
    /// stays where it is and is logged, for someone to look at.
    public func fail(_ path: String, report: String, logger: Logger) {
        do { try fail(path, report: report) } catch {
            logger.error("Could not move a file to failed/", metadata: ["file": "\((path as NSString).lastPathComponent)", "error": "\(error)"])
        }
    }

    /// Writes a file into the outbox (optionally a subfolder) atomically: readers never see half a file.
    ///
    /// - Returns: the path written.
    @discardableResult
    public func writeOutbox(_ data: Data, name: String, subfolder: String? = nil) throws -> String {
        let folder = subfolder.map { "\(outbox)/\($0)" } ?? outbox
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = "\(folder)/\(name)"
        try Self.writeAtomically(data, to: path)
        return path
    }

    /// Writes `data` to `path` through a temporary file, flushed to disk, then renamed into place.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".part"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        try move(temporary, to: path)
    }

    static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let paths = names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".part") && !$0.hasSuffix(".tmp") }
            .map { "\(folder)/\($0)" }
            .filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
        func modified(_ path: String) -> Date {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
        return paths.map { ($0, modified($0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
    }

    /// `rename(2)`: atomic within one file system, and it replaces an existing target.
    static func move(_ source: String, to target: String) throws {
        guard rename(source, target) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: target, NSLocalizedDescriptionKey: "cannot move \(source) to \(target): \(String(cString: strerror(errno)))",
            ])
        }
    }

    /// `folder/name`, or `folder/name-2`, `-3`... when a file of that name is already there.
    static func unusedPath(in folder: String, name: String) -> String {
        var candidate = "\(folder)/\(name)"
        var counter = 2
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(folder)/\(base)-\(counter)\(ext.isEmpty ? "" : "." + ext)"
            counter += 1
        }
        return candidate
    }
}
