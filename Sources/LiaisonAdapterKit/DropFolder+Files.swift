import Foundation

#if canImport(Glibc)
import Glibc
/// `read(2)`, named apart from ``DropFolder/read(_:)``.
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

extension AdapterError.Code {
    /// An inbox entry is a symbolic link, FIFO, folder, device or socket: moved to `failed/`, never read.
    public static let notRegularFile = AdapterError.Code(name: "not-regular-file")
    /// An inbox file is larger than the drop folder's ``DropFolder/maximumFileSize``.
    public static let fileTooLarge = AdapterError.Code(name: "file-too-large")
    /// A file could not be opened or read.
    public static let fileUnreadable = AdapterError.Code(name: "file-unreadable")
    /// A folder of the drop folder could not be created, or an entry could not be moved or written in it.
    public static let folderUnusable = AdapterError.Code(name: "folder-unusable")
}

/// The drop folder's file-level work: private folders and files, and reading untrusted entries safely.
extension DropFolder {
    // MARK: Reading what arrived

    /// The bytes of a claimed file: a regular file (a link is refused, not followed; a FIFO is refused, not
    /// waited on), read as it is (a gzip file stays gzip), and never more than ``maximumFileSize`` bytes, even if
    /// the file grows while it is read.
    ///
    /// ```swift
    /// await folder.work { path in
    ///     guard let data = try? folder.read(path) else { ... }
    /// }
    /// ```
    ///
    /// - Throws: ``AdapterError`` `not-regular-file`, `file-too-large` or `file-unreadable`.
    public func read(_ path: String) throws -> Data {
        let name = (path as NSString).lastPathComponent
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; it is refused just below.
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP { throw AdapterError(.notRegularFile, Self.refusal(name, kind: S_IFLNK)) }
            throw AdapterError(.fileUnreadable, "\(name) cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw AdapterError(.fileUnreadable, "\(name) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw AdapterError(.notRegularFile, Self.refusal(name, kind: status.st_mode & S_IFMT))
        }
        guard Int(status.st_size) <= maximumFileSize else {
            throw AdapterError(.fileTooLarge, tooLarge(name, size: Int(status.st_size)))
        }
        // Read up to one byte past the cap, so a file that grew since fstat is caught rather than cut short.
        let limit = maximumFileSize + 1
        var data = Data(count: min(Int(status.st_size) + 1, limit))
        var total = 0
        while total < limit {
            if total == data.count { data.count = min(limit, max(data.count * 2, 1 << 16)) }
            let count = data.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + total, buffer.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw AdapterError(.fileUnreadable, "\(name) cannot be read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            total += count
        }
        guard total <= maximumFileSize else {
            throw AdapterError(.fileTooLarge, tooLarge(name, size: total, growing: true))
        }
        data.count = total
        return data
    }

    /// Moves a claimed entry that must not be read to `failed/` with its report, and throws why.
    ///
    /// Called on entries in `processing/`, where only the adapter's user can write: what `lstat` finds there
    /// is what will be read.
    func screen(_ path: String) throws {
        let name = (path as NSString).lastPathComponent
        var status = stat()
        guard lstat(path, &status) == 0 else {
            throw AdapterError(.fileUnreadable, "\(name) cannot be examined: \(String(cString: strerror(errno)))")
        }
        let kind = status.st_mode & S_IFMT
        if kind != S_IFREG {
            let message = Self.refusal(name, kind: kind)
            try fail(path, report: message + "\n")
            throw AdapterError(.notRegularFile, message)
        }
        if Int(status.st_size) > maximumFileSize {
            let message = tooLarge(name, size: Int(status.st_size))
            try fail(path, report: message + "\n")
            throw AdapterError(.fileTooLarge, message)
        }
    }

    /// Why an entry that is not a regular file was not read, and what to do.
    static func refusal(_ name: String, kind: mode_t) -> String {
        if kind == S_IFLNK {
            return "\(name) is a symbolic link: links are never followed from the inbox. It was not read. "
                + "Copy the file itself into the inbox (as \(name).part, then rename it)."
        }
        let what: String
        switch kind {
        case S_IFDIR: what = "a folder"
        case S_IFIFO: what = "a FIFO (named pipe)"
        case S_IFSOCK: what = "a socket"
        case S_IFCHR, S_IFBLK: what = "a device"
        default: what = "not a plain file"
        }
        return "\(name) is not a regular file (it is \(what)): only plain files are read from the inbox. It was not read. "
            + "Put each file itself in the inbox (as NAME.part, then rename it)."
    }

    func tooLarge(_ name: String, size: Int, growing: Bool = false) -> String {
        "\(name) is \(growing ? "more than " : "")\(size) bytes, over this adapter's limit of \(maximumFileSize) bytes: it was not read. "
            + "Send the export in smaller files (one school and half term each), or ask the operator to raise the limit."
    }

    // MARK: Private folders and files

    /// Creates `path` and its missing parents, each 0700 whatever the umask; folders that exist are left as they are.
    ///
    /// For an adapter's own state folders too, so that nothing it keeps is readable by others.
    ///
    /// - Returns: `path`.
    /// - Throws: ``AdapterError`` `folder-unusable` if a folder cannot be created or a non-folder is in the way.
    @discardableResult
    public static func createPrivateFolder(_ path: String) throws -> String {
        let standardized = (path as NSString).standardizingPath
        var prefix = standardized.hasPrefix("/") ? "" : "."
        for component in standardized.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o700) == 0 {
                // mkdir's mode is filtered by the umask; chmod is not (the folder was never wider than 0700).
                guard chmod(prefix, 0o700) == 0 else {
                    throw AdapterError(.folderUnusable, "cannot make \(prefix) private (0700): \(String(cString: strerror(errno)))")
                }
                continue
            }
            let error = errno
            var status = stat()
            // An existing folder (or a link to one, for parents such as /tmp on some systems) is used as it is.
            guard error == EEXIST, stat(prefix, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                throw AdapterError(.folderUnusable, "cannot create the folder \(prefix): \(String(cString: strerror(error == EEXIST ? ENOTDIR : error)))")
            }
        }
        return standardized
    }

    /// Writes `data` to `path` through a temporary file (`PATH.part`), created 0600 from its first byte, flushed
    /// to disk, then renamed into place, and the folder flushed: readers never see half a file, and a crash never
    /// loses one that was reported written.
    ///
    /// - Throws: ``AdapterError`` `folder-unusable` if the file cannot be written.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".part"
        func failure(_ what: String) -> AdapterError {
            AdapterError(.folderUnusable, "cannot \(what) \(temporary): \(String(cString: strerror(errno)))")
        }
        // A leftover from a stopped run (perhaps made by an older version with a wider mode, perhaps a link
        // someone put there) is removed, so O_EXCL creates a new private file and never follows a link.
        if unlink(temporary) != 0, errno != ENOENT { throw failure("remove the leftover") }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("create") }
        var closed = false
        defer { if !closed { close(descriptor); unlink(temporary) } }
        // The umask can only narrow 0600; fchmod makes it exactly 0600 (owner read and write) either way.
        guard fchmod(descriptor, 0o600) == 0 else { throw failure("set the mode of") }
        var written = 0
        try data.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure("write")
                }
                written += count
            }
        }
        guard fsync(descriptor) == 0 else { throw failure("flush") }
        closed = true
        guard close(descriptor) == 0 else {
            unlink(temporary)
            throw failure("close")
        }
        try move(temporary, to: path)
        syncFolder(of: path)
    }

    /// Flushes a folder's entries (a rename into it) to disk; best effort, as some file systems refuse it.
    static func syncFolder(of path: String) {
        let descriptor = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    // MARK: Listing

    /// Whether an entry of that name exists, of any kind (a dangling link included); links are not followed.
    static func entryExists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// A folder's entries (not hidden, not `.part` or `.tmp`), oldest first by their own (not a link target's)
    /// modification time.
    static func entries(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var found: [(path: String, modified: timespec)] = []
        for name in names where !name.hasPrefix(".") && !name.hasSuffix(".part") && !name.hasSuffix(".tmp") {
            let path = "\(folder)/\(name)"
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            #if canImport(Darwin)
            found.append((path, status.st_mtimespec))
            #else
            found.append((path, status.st_mtim))
            #endif
        }
        return found.sorted {
            ($0.modified.tv_sec, $0.modified.tv_nsec, $0.path) < ($1.modified.tv_sec, $1.modified.tv_nsec, $1.path)
        }.map(\.path)
    }
}
