import Foundation

/// The console's state on disk: a folder only its owner can enter, and files only its owner can read, from their
/// first byte (SQLite would make the store 0644 less the umask).
enum PrivateFiles {
    /// Makes `path` (and its parents) if needed, and a folder made here 0700; a folder already there is kept as it is.
    static func folder(_ path: String) throws(ConsoleError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ConsoleError(.stateUnusable, "\(path) is a file: the console's state must be a folder.") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard chmod(path, 0o700) == 0 else { throw ConsoleError(.stateUnusable, "Cannot make \(path) private (0700).") }
        } catch let error as ConsoleError {
            throw error
        } catch {
            throw ConsoleError(.stateUnusable, "Cannot make the console's state folder \(path): \(error.localizedDescription)")
        }
    }

    /// Creates `path` empty with mode 0600 unless it is there.
    static func create(_ path: String, contents: [UInt8] = []) throws(ConsoleError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw ConsoleError(.stateUnusable, "Cannot create \(path): \(String(cString: strerror(errno))).")
        }
        defer { close(descriptor) }
        let written = contents.isEmpty ? 0 : contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard fchmod(descriptor, 0o600) == 0, written == contents.count, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw ConsoleError(.stateUnusable, "Cannot write \(path) privately (0600): \(reason).")
        }
    }

    /// The 32-byte key in `path` (64 hex digits), made on the first start.
    static func key(at path: String) throws(ConsoleError) -> [UInt8] {
        if !FileManager.default.fileExists(atPath: path) {
            try create(path, contents: Array((ConsoleSessions.randomHex() + "\n").utf8))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConsoleError(.stateUnusable, "Cannot read the view key \(path): check its owner and mode (0600).")
        }
        let hex = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index + 1 < hex.count, let byte = UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16) {
            bytes.append(byte)
            index += 2
        }
        guard hex.count == 64, bytes.count == 32 else {
            throw ConsoleError(.stateUnusable, "The view key \(path) is not 64 hex digits: restore it from backup (a new key would hide every logged view from the IG officer's search).")
        }
        return bytes
    }
}
