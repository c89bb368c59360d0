import Foundation

#if canImport(Glibc)
    import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// Files and folders only their owner may use: the hub's store and its secret keys.
///
/// Why POSIX calls rather than `FileManager`: `FileManager.createFile(atPath:contents:attributes:)` and
/// `Data.write(to:options: .atomic)` create the file with the default mode and set the requested one
/// afterwards, so a secret is readable for a moment; and `FileManager.contents(atPath:)` answers nil for
/// "does not exist" and "permission denied" alike, which made a hub replace a key it could not read
/// (breaking subject access and checkpoint verification for ever). Here a file is created with
/// `O_CREAT | O_EXCL` and mode 0600 from its first byte, and only a file that does not exist counts as
/// missing.
package enum PrivateFile {
    /// Makes the folder `path` (mode 0700, its parents as needed) if it does not exist, and checks that
    /// group and others have no access to it if it does.
    ///
    /// - Throws: `StoreError` `.cannotOpen` when it cannot be made, `.notPrivate` (naming the `chmod` to
    ///   run) when others may use it.
    package static func makeDirectory(_ path: String) throws(StoreError) {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw StoreError(.cannotOpen, "Cannot make the folder \(parent): \(error.localizedDescription)")
            }
        }
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw StoreError(.cannotOpen, "Cannot make the folder \(path): \(lastError()).")
        }
        try checkPrivate(path)
    }

    /// Creates `path` holding `bytes`, mode 0600 from the first byte, and flushes it to disk. Never
    /// replaces a file (or a link) already there.
    ///
    /// - Throws: `StoreError` `.cannotOpen` when it exists or cannot be written (a partly written file
    ///   is removed).
    package static func create(_ path: String, bytes: [UInt8]) throws(StoreError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.cannotOpen, "Cannot create \(path): \(lastError()).")
        }
        // The umask can only have removed bits; make it exactly owner read and write.
        var failure = fchmod(descriptor, 0o600) == 0 ? nil : lastError()
        var written = 0
        while failure == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { failure = lastError() } else { written += count }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = lastError() }
        close(descriptor)
        if let failure {
            unlink(path)
            throw StoreError(.cannotOpen, "Cannot write \(path): \(failure).")
        }
    }

    /// Reads a secret file.
    ///
    /// - Returns: its bytes, or nil only when nothing exists at `path`.
    /// - Throws: `StoreError` `.badKey` when it exists but cannot be read (permission denied, a folder, too
    ///   large), `.notPrivate` when group or others may read it.
    package static func read(_ path: String, maxBytes: Int = 64 * 1024) throws(StoreError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw StoreError(
                .badKey, "\(path) exists but cannot be read (\(lastError())): restore it, or give it to the hub's user "
                    + "(e.g. `chown liaison \(path)`). It is never replaced: a new key would break what the old one made.")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw StoreError(.badKey, "Cannot examine \(path): \(lastError()).")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw StoreError(.badKey, "\(path) is not a regular file: restore the key from backup. It is never replaced.")
        }
        try refuseShared(path, mode: status.st_mode, directory: false)
        guard Int(status.st_size) <= maxBytes else {
            throw StoreError(.badKey, "\(path) is \(status.st_size) bytes, too large for a key: restore the key from backup.")
        }
        var bytes = [UInt8](repeating: 0, count: maxBytes + 1)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + total, $0.count - total) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw StoreError(.badKey, "\(path) cannot be read: \(lastError()).") }
            if count == 0 { break }
            total += count
        }
        guard total <= maxBytes else {
            throw StoreError(.badKey, "\(path) is too large for a key: restore the key from backup.")
        }
        return Array(bytes.prefix(total))
    }

    /// Checks that group and others have no access to `path` (a file or a folder), if it exists.
    ///
    /// - Throws: `StoreError` `.notPrivate` with the `chmod` to run; `.cannotOpen` when it cannot be examined.
    package static func checkPrivate(_ path: String) throws(StoreError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw StoreError(.cannotOpen, "Cannot examine \(path): \(lastError()).")
        }
        try refuseShared(path, mode: status.st_mode, directory: status.st_mode & S_IFMT == S_IFDIR)
    }

    private static func refuseShared(_ path: String, mode: mode_t, directory: Bool) throws(StoreError) {
        guard mode & 0o077 != 0 else { return }
        let what = directory ? "The folder" : "The file"
        throw StoreError(
            .notPrivate,
            "\(what) \(path) can be used by group or others (mode \(String(mode & 0o7777, radix: 8))); it holds the hub's "
                + "personal data or secrets: run `chmod \(directory ? "700" : "600") \(path)` and start again.")
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
