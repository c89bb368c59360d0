/// The hub's pseudonym key (`keys_dir/pseudonym.key`, 32 random bytes): the key of the HMAC that turns a
/// UPN into the pseudonym the audit log, the `subjects` index and legal holds use.
///
/// It is created once, on the broker's first start, and never replaced: with a new key the pseudonyms of
/// the log's past decisions would no longer match any child, so subject access requests and legal holds
/// would silently find nothing. A key that exists but cannot be read (wrong owner after a restore, a folder
/// in its place) or is too short stops start-up instead.
package enum PseudonymKeyFile {
    /// The shortest key accepted (HMAC-SHA-256's block of security).
    package static let minimumLength = 32

    /// Reads the key, creating a random one (mode 0600 from its first byte) when none exists.
    ///
    /// - Throws: `StoreError` `.badKey`, `.notPrivate` (with the `chmod` to run) or `.cannotOpen`.
    package static func loadOrCreate(path: String) throws(StoreError) -> [UInt8] {
        if let key = try load(path: path) { return key }
        var key = [UInt8](repeating: 0, count: minimumLength)
        var generator = SystemRandomNumberGenerator()
        for index in key.indices { key[index] = UInt8.random(in: 0...255, using: &generator) }
        try PrivateFile.create(path, bytes: key)
        return key
    }

    /// Reads the key without creating it (the CLI's `audit subject`, `hold`, `release`).
    ///
    /// - Returns: nil when no key exists (the broker has not started with sharing rules yet).
    /// - Throws: `StoreError` `.badKey` when it exists but cannot be read or is too short, `.notPrivate`.
    package static func load(path: String) throws(StoreError) -> [UInt8]? {
        guard let key = try PrivateFile.read(path, maxBytes: 4096) else { return nil }
        guard key.count >= minimumLength else {
            throw StoreError(
                .badKey, "\(path) is \(key.count) bytes, shorter than a pseudonym key (\(minimumLength)): restore it from "
                    + "backup. It is never replaced: a new key would unlink every pseudonym already in the audit log.")
        }
        return key
    }
}
