import Foundation
import ZeroMQ

/// Reads and writes CURVE keys as Z85 text files: `ID.pub` (public) and `ID.key` (secret, mode 0600).
package enum KeyFiles {
    /// Writes a fresh keypair for `name` into `directory` and returns it.
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
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = manager.createFile(
                atPath: secretPath, contents: Data((pair.secretKeyZ85 + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
            try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretPath)
            try Data((pair.publicKeyZ85 + "\n").utf8).write(to: URL(fileURLWithPath: publicPath))
        } catch {
            throw ConfigurationError(.unreadable, file: directory, "Cannot write keys: \(error.localizedDescription)")
        }
        return pair
    }

    /// Reads a public key file (40 characters of Z85).
    package static func readPublicKey(path: String) throws(ConfigurationError) -> [UInt8] {
        let text = try readText(path)
        guard let key = Z85.decode(text), key.count == 32 else {
            throw ConfigurationError(.badKey, file: path, "Not a CURVE public key: expected 40 characters of Z85 text.")
        }
        return key
    }

    /// Reads a secret key file and derives its public half.
    package static func readKeyPair(secretPath: String) throws(ConfigurationError) -> CurveKeyPair {
        let text = try readText(secretPath)
        guard let pair = CurveKeyPair(secretKeyZ85: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ConfigurationError(.badKey, file: secretPath, "Not a CURVE secret key: expected 40 characters of Z85 text.")
        }
        return pair
    }

    private static func readText(_ path: String) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(
                .unreadable, file: path, "Cannot read the key file: generate it with `liaison keys generate`.")
        }
        return text
    }
}
