import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// An adapter's secret for opaque message ids: 32 random bytes in `FOLDER/id.key`, made once, never replaced.
///
/// A message id goes into the hub's audit log, which can never be erased, so it must never hold a UPN, a name or a
/// date of birth (the hub refuses one that holds a UPN-shaped token: 419 `personal-data`). Yet an adapter that
/// derives a message from a child (a care alert, a partner's summary) needs the same id for the same message after
/// a restart, so that the hub answers a resend as a duplicate. The id is therefore a keyed digest (HMAC-SHA256) of
/// what it used to be made of, with a readable prefix for operators: `care-alert-` and 32 hex digits. Without the
/// key nobody can test a guessed UPN against an id; with a new key every id would change, and messages already
/// sent would be sent again, so an existing key is never replaced.
///
/// ```swift
/// let ids = try MessageIDKey(folder: "/srv/liaison/npas")   // FOLDER/id.key, made on the first start
/// let id = ids.id("care-alert-", upn, date, session, "\(length)")
/// ```
public struct MessageIDKey: Sendable {
    public static let fileName = "id.key"
    static let length = 32

    /// The key file, for messages.
    public let path: String
    /// The secret's bytes (`SymmetricKey` is not `Sendable`; one is made for each digest, which costs little).
    let secret: [UInt8]

    /// Reads `folder/id.key`, or makes it (32 random bytes, mode 0600 from its first byte) when nothing is there.
    ///
    /// - Throws: `MessageIDKeyError` when the key exists but cannot be read, is not 32 bytes, or others may read
    ///   it; or when it cannot be made. The message names the file and what to do; the adapter must not start.
    public init(folder: String) throws(MessageIDKeyError) {
        let path = "\(folder)/\(Self.fileName)"
        self.path = path
        if let bytes = try Self.read(path) {
            secret = bytes
            return
        }
        try Self.makePrivateFolder(folder)
        try Self.create(path)
        // Read back what is there: another process starting at the same moment may have made it first.
        guard let bytes = try Self.read(path) else {
            throw MessageIDKeyError(.cannotCreate, "The message id key \(path) vanished as it was made: check what else writes that folder.")
        }
        secret = bytes
    }

    /// A key from bytes already at hand (tests).
    public init(bytes: [UInt8], path: String = "(in memory)") {
        self.path = path
        secret = bytes
    }

    /// `prefix` and the first 32 hex digits (128 bits) of the HMAC-SHA256 of `parts`: the same parts always give
    /// the same id, and the id says nothing of them. Parts are joined with a separator no part contains (U+001F),
    /// so ("a", "bc") and ("ab", "c") differ.
    public func id(_ prefix: String, _ parts: String...) -> String {
        id(prefix, parts: parts)
    }

    public func id(_ prefix: String, parts: [String]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(parts.joined(separator: "\u{1F}").utf8), using: SymmetricKey(data: secret))
        return prefix + mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: The file

    /// The key's bytes; nil only when nothing exists at `path`.
    static func read(_ path: String) throws(MessageIDKeyError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw MessageIDKeyError(
                .unreadable,
                "The message id key \(path) exists but cannot be read (\(Self.lastError())): give it back to the adapter's user "
                    + "(e.g. `chown USER \(path)`) or restore it from a backup. Do not delete it: a new key changes every message id, "
                    + "so the hub would take messages sent again after a restart as new ones.")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw MessageIDKeyError(.unreadable, "The message id key \(path) is not a regular file: restore the key file from a backup.")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw MessageIDKeyError(.notPrivate, "The message id key \(path) may be read by others: run `chmod 600 \(path)`.")
        }
        var bytes = [UInt8](repeating: 0, count: length + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in systemRead(descriptor, buffer.baseAddress! + count, buffer.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else {
                throw MessageIDKeyError(.unreadable, "The message id key \(path) cannot be read (\(Self.lastError())): restore it from a backup.")
            }
            if got == 0 { break }
            count += got
        }
        guard count == length else {
            throw MessageIDKeyError(
                .wrongLength,
                "The message id key \(path) holds \(count == length + 1 ? "more than \(length)" : "\(count)") bytes, not \(length): "
                    + "restore it from a backup. Only if it was never used (no message sent yet) may it be deleted, to be made again.")
        }
        return Array(bytes.prefix(length))
    }

    /// Makes `folder` and any missing parents, each 0700 whatever the umask: the key's folder holds the adapter's
    /// state (the desk's store, the lists it sent), which is nobody else's to list. `mkdir`'s mode is filtered by
    /// the umask and `chmod`'s is not; a folder made here was never wider than 0700. A folder that exists (or a
    /// link to one, such as /tmp on some systems) is used as it is: an operator may have chosen its mode.
    static func makePrivateFolder(_ folder: String) throws(MessageIDKeyError) {
        let standardized = (folder as NSString).standardizingPath
        var prefix = standardized.hasPrefix("/") ? "" : "."
        for component in standardized.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o700) == 0 {
                guard chmod(prefix, 0o700) == 0 else {
                    throw MessageIDKeyError(.cannotCreate, "Cannot make the folder \(prefix) for the message id key private (0700): \(lastError()).")
                }
                continue
            }
            let error = errno
            var status = stat()
            guard error == EEXIST, stat(prefix, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                errno = error == EEXIST ? ENOTDIR : error
                throw MessageIDKeyError(.cannotCreate, "Cannot make the folder \(prefix) for the message id key: \(lastError()).")
            }
        }
    }

    /// Makes the key: written whole to a temporary file created with `O_CREAT | O_EXCL` and mode 0600, flushed,
    /// then linked into place, which fails rather than replaces when a key is already there (another process won
    /// the race: its key is used). Readers never see half a key.
    static func create(_ path: String) throws(MessageIDKeyError) {
        let temporary = "\(path).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw MessageIDKeyError(.cannotCreate, "Cannot create the message id key \(temporary): \(Self.lastError()).")
        }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        var failure: String? = fchmod(descriptor, 0o600) == 0 ? nil : lastError()  // the umask may only have removed bits
        var written = 0
        while failure == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { failure = lastError() } else { written += count }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = lastError() }
        close(descriptor)
        defer { unlink(temporary) }
        if let failure { throw MessageIDKeyError(.cannotCreate, "Cannot write the message id key \(temporary): \(failure).") }
        if link(temporary, path) != 0, errno != EEXIST {
            throw MessageIDKeyError(.cannotCreate, "Cannot put the message id key in place at \(path): \(lastError()).")
        }
        // The new name must survive a power cut too.
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// Why an adapter's message id key could not be used; the adapter must not start without it.
public struct MessageIDKeyError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// The key exists but cannot be read (permission denied, not a regular file).
        public static let unreadable = Code(name: "unreadable")
        /// The key is not exactly 32 bytes.
        public static let wrongLength = Code(name: "wrong-length")
        /// Group or others may read the key.
        public static let notPrivate = Code(name: "not-private")
        /// There was no key, and one could not be made.
        public static let cannotCreate = Code(name: "cannot-create")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
