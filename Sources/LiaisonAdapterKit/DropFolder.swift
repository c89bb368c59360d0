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
///
/// What arrives in the inbox is untrusted. Only regular files are read: a symbolic link, FIFO, folder, device or
/// socket is moved (never followed or opened) to `failed/` with a report, and so is a file larger than
/// ``maximumFileSize``. The check is made after the claim's rename, in `processing/`, which only the adapter's
/// user can write, so nobody can swap the entry between the check and the read. Read a claimed file with
/// ``read(_:)``: no links, no FIFOs, never more than the cap, and no transparent decompression.
///
/// Every folder the drop folder creates is 0700 and every file it writes 0600, whatever the umask: the files
/// hold children's personal data. A folder that already exists is used as it is (an operator may have opened the
/// inbox to a school's upload account on purpose).
public struct DropFolder: Sendable {
    /// The largest inbox file read unless the adapter is configured otherwise: 512 MiB, well above a whole
    /// year's CTF of the largest school, and small enough that a mistaken or hostile file cannot fill memory.
    public static let defaultMaximumFileSize = 512 << 20

    public let root: String
    /// Inbox files larger than this (bytes) go to `failed/` unread; ``read(_:)`` reads no more than this.
    public let maximumFileSize: Int
    public var inbox: String { "\(root)/inbox" }
    public var processing: String { "\(root)/processing" }
    public var processed: String { "\(root)/processed" }
    public var failed: String { "\(root)/failed" }
    public var outbox: String { "\(root)/outbox" }
    /// Where the folder's inbox work runs, off Swift's cooperative pool (``BlockingWork`` says why): listing, claiming
    /// and screening in ``work(inOrder:_:claimFailed:)``, and what an adapter does with the file it claimed (read it,
    /// hash it, parse it, move it on). One serial queue per folder: its files are worked one at a time, in order.
    public let inboxWork: BlockingWork

    /// Opens the folder and its subfolders, creating those missing (each 0700, whatever the umask).
    ///
    /// - Parameters:
    ///   - root: the folder; it and its missing parents are created.
    ///   - maximumFileSize: the largest inbox file read, in bytes.
    /// - Throws: ``AdapterError`` `folder-unusable` if a folder cannot be created.
    public init(root: String, maximumFileSize: Int = DropFolder.defaultMaximumFileSize) throws {
        self.root = (root as NSString).standardizingPath
        self.maximumFileSize = max(0, maximumFileSize)
        self.inboxWork = BlockingWork(label: "liaison.drop-folder.inbox")
        for folder in [self.root, inbox, processing, processed, failed, outbox] {
            try Self.createPrivateFolder(folder)
        }
    }

    /// Entries waiting in the inbox, oldest first: not hidden, not still being written (`.part`, `.tmp`).
    ///
    /// Entries of every kind are listed, links and folders included: ``claim(_:)`` moves those that are not
    /// regular files to `failed/`, so that whoever dropped them hears why they were not read.
    public func ready() -> [String] {
        Self.entries(in: inbox)
    }

    /// Entries a previous run claimed but did not finish, oldest first.
    public func unfinished() -> [String] {
        Self.entries(in: processing)
    }

    /// One pass over the work: first each file a stopped run left in `processing/`, then each inbox file,
    /// oldest first, claimed as its turn comes. `claimFailed` hears of an inbox entry that could not be claimed
    /// or was refused (not a regular file, or too large: already in `failed/` with a report).
    ///
    /// With `inOrder`, a file still in `processing/` after its turn (waiting for an answer, or for the hub)
    /// holds back every later file, for files whose order matters (each list replaces the one before).
    ///
    /// The folder's own file-system calls run on ``inboxWork``; `body` runs in the calling task, and should put
    /// its own blocking work there too.
    public func work(inOrder: Bool = false, _ body: (String) async -> Void, claimFailed: ((String, any Error) -> Void)? = nil) async {
        let folder = self
        for path in await inboxWork.run({ folder.unfinished() }) {
            do { try await inboxWork.run { () throws -> Void in try folder.screen(path) } } catch {
                claimFailed?(path, error)
                continue
            }
            await body(path)
        }
        if inOrder, await !inboxWork.run({ folder.unfinished() }).isEmpty { return }
        for path in await inboxWork.run({ folder.ready() }) {
            do {
                let claimed = try await inboxWork.run { () throws -> String in try folder.claim(path) }
                await body(claimed)
                if inOrder, await inboxWork.run({ Self.entryExists(claimed) }) { return }
            } catch {
                claimFailed?(path, error)
            }
        }
    }

    /// Claims an inbox entry by moving it to `processing/`, then checks it is a regular file within the size cap.
    ///
    /// - Returns: its new path.
    /// - Throws: ``AdapterError`` `not-regular-file` or `file-too-large` (the entry is then in `failed/` with a
    ///   report), or `folder-unusable` if it cannot be moved.
    public func claim(_ path: String) throws -> String {
        // Never over a file of the same name still waiting there from a stopped run.
        let target = Self.unusedPath(in: processing, name: (path as NSString).lastPathComponent)
        try Self.move(path, to: target)
        try screen(target)
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

    /// Writes a file into the outbox (optionally a subfolder, created 0700) atomically: readers never see half a file.
    ///
    /// - Returns: the path written.
    @discardableResult
    public func writeOutbox(_ data: Data, name: String, subfolder: String? = nil) throws -> String {
        let folder = subfolder.map { "\(outbox)/\($0)" } ?? outbox
        try Self.createPrivateFolder(folder)
        let path = "\(folder)/\(name)"
        try Self.writeAtomically(data, to: path)
        return path
    }

    /// `rename(2)`: atomic within one file system, and it replaces an existing target. A link is moved, not followed.
    static func move(_ source: String, to target: String) throws {
        guard rename(source, target) == 0 else {
            throw AdapterError(.folderUnusable, "cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// `folder/name`, or `folder/name-2`, `-3`... when an entry of that name (even a dangling link) is already there.
    static func unusedPath(in folder: String, name: String) -> String {
        var candidate = "\(folder)/\(name)"
        var counter = 2
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        while entryExists(candidate) {
            candidate = "\(folder)/\(base)-\(counter)\(ext.isEmpty ? "" : "." + ext)"
            counter += 1
        }
        return candidate
    }
}
