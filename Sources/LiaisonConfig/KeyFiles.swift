import Foundation
import ZeroMQ

#if canImport(Glibc)
    import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// Reads and writes CURVE keys as Z85 text files: `ID.pub` (public) and `ID.key` (secret, mode 0600).
///
/// A secret key is never readable by anyone but its owner, not even for a moment: it is created with
/// `O_CREAT | O_EXCL` and mode 0600 from its first byte (`FileManager.createFile` and `Data.write` create
/// with the default mode and narrow it afterwards). A secret key that group or others may read is refused,
/// with the `chmod` that fixes it. (LiaisonStore's `PrivateFile` does the same for the hub's store and its
/// other keys; this module sits below it, so the few POSIX calls are repeated here.)
package enum KeyFiles {
    /// Writes a fresh keypair for `name` into `directory` (made 0700 if it does not exist) and returns it.
    ///
    /// - Throws: `ConfigurationError` when the directory cannot be made, or when a key for `name` exists
    ///   already and `overwrite` is false (a key in use must not be replaced by accident).
    @discardableResult
    package static func generate(name: String, directory: String, overwrite: Bool = false) throws(ConfigurationError) -> CurveKeyPair {
        let pair = CurveKeyPair.generate()
        let secretPath = "\(directory)/\(name).key"
        let publicPath = "\(directory)/\(name).pub"
        let manager = FileManager.default
        if !overwrite && (manager.fileExists(atPath: secretPath) || manager.fileExists(atPath: publicPath)) {
            throw ConfigurationError(
                .invalidValue, file: secretPath, "A key for '\(name)' exists already; pass --force to replace it.")
        }
        do {
            if !manager.fileExists(atPath: directory) {
                let parent = (directory as NSString).deletingLastPathComponent
                if !parent.isEmpty { try manager.createDirectory(atPath: parent, withIntermediateDirectories: true) }
                if mkdir(directory, 0o700) != 0, errno != EEXIST { throw posixError("cannot make the folder") }
            }
            let secret = Array((pair.secretKeyZ85 + "\n").utf8)
            if overwrite {
                // Written whole beside it, then renamed over it: the old key is replaced in one step.
                let temporary = "\(secretPath).new-\(UInt32.random(in: 0...UInt32.max))"
                try createPrivate(temporary, secret)
                guard rename(temporary, secretPath) == 0 else {
                    let error = posixError("cannot replace \(secretPath)")
                    unlink(temporary)
                    throw error
                }
            } else {
                try createPrivate(secretPath, secret)
            }
            try Data((pair.publicKeyZ85 + "\n").utf8).write(to: URL(fileURLWithPath: publicPath))
        } catch {
            throw ConfigurationError(.unreadable, file: directory, "Cannot write keys: \(error.localizedDescription)")
        }
        return pair
    }

    /// Reads a public key file (40 characters of Z85).
    package static func readPublicKey(path: String) throws(ConfigurationError) -> [UInt8] {
        let text = try readText(path, secret: false)
        guard let key = Z85.decode(text), key.count == 32 else {
            throw ConfigurationError(.badKey, file: path, "Not a CURVE public key: expected 40 characters of Z85 text.")
        }
        return key
    }

    /// Reads a secret key file and derives its public half.
    ///
    /// - Throws: `ConfigurationError` `.unreadable` when it is missing, cannot be read, or group or others
    ///   may read it (the message names the `chmod` to run); `.badKey` when it is not a key.
    package static func readKeyPair(secretPath: String) throws(ConfigurationError) -> CurveKeyPair {
        let text = try readText(secretPath, secret: true)
        guard let pair = CurveKeyPair(secretKeyZ85: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ConfigurationError(.badKey, file: secretPath, "Not a CURVE secret key: expected 40 characters of Z85 text.")
        }
        return pair
    }

    /// Reads a key file; a secret one only when no one but its owner may read it.
    private static func readText(_ path: String, secret: Bool) throws(ConfigurationError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ConfigurationError(
                .unreadable, file: path,
                errno == ENOENT
                    ? "Cannot read the key file: generate it with `liaison keys generate`."
                    : "Cannot read the key file (\(reason)): it must belong to the user that runs this process.")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError(.unreadable, file: path, "Not a key file (a folder, or not a regular file).")
        }
        if secret, status.st_mode & 0o077 != 0 {
            throw ConfigurationError(
                .unreadable, file: path,
                "The secret key can be read by group or others (mode \(String(status.st_mode & 0o7777, radix: 8))): "
                    + "run `chmod 600 \(path)`, and replace the key if others may have copied it.")
        }
        var bytes = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + total, $0.count - total) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            total += count
        }
        guard let text = String(validating: bytes.prefix(total), as: UTF8.self) else {
            throw ConfigurationError(.badKey, file: path, "Not a key file: expected 40 characters of Z85 text.")
        }
        return text
    }

    /// Creates `path` holding `bytes`, mode 0600 from the first byte, flushed; never replaces a file.
    private static func createPrivate(_ path: String, _ bytes: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw posixError("cannot create \(path)") }
        var failure: (any Error)? = fchmod(descriptor, 0o600) == 0 ? nil : posixError("cannot set the mode of \(path)")
        var written = 0
        while failure == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { failure = posixError("cannot write \(path)") } else { written += count }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = posixError("cannot flush \(path)") }
        close(descriptor)
        if let failure {
            unlink(path)
            throw failure
        }
    }

    private static func posixError(_ what: String) -> NSError {
        NSError(
            domain: NSPOSIXErrorDomain, code: Int(errno),
            userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(errno)))"])
    }
}
