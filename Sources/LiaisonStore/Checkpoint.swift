import Crypto
import Foundation
import MerkleLog

/// A signed checkpoint of the audit tree, in the C2SP signed-note format (c2sp.org/signed-note,
/// c2sp.org/tlog-checkpoint): the origin, the tree size and the base64 root, then a blank line and an
/// Ed25519 signature line. An agency that keeps one can later hold the hub to it.
///
/// ```
/// liaison-hub
/// 1234
/// qL3h...base64 root...=
///
/// — liaison-hub Az3f...base64(key hash || signature)...
/// ```
package struct Checkpoint: Sendable, Equatable {
    package var origin: String
    package var size: Int
    package var root: MerkleTree.Hash

    package init(origin: String, size: Int, root: MerkleTree.Hash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The signed text: origin, size and base64 root, one per line.
    package var body: String { "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n" }

    /// The note's key hash: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key) (0x01 = Ed25519).
    package static func keyHash(name: String, publicKey: Curve25519.Signing.PublicKey) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + Array(publicKey.rawRepresentation)).prefix(4))
    }

    /// Reads the hub's checkpoint key from `path` (base64 of the raw 32-byte Ed25519 key), creating it and
    /// its public half (`publicPath`) on first use. Only a key that does not exist is created: one that
    /// exists but cannot be read, or is not a key, stops start-up, because a new key would make every
    /// checkpoint signed before it unverifiable.
    ///
    /// - Throws: `StoreError` `.badKey` (exists but unreadable or malformed), `.notPrivate` (group or others
    ///   may read it: the message names the `chmod`), `.cannotOpen` (cannot be created).
    package static func loadOrCreateKey(path: String, publicPath: String) throws(StoreError) -> Curve25519.Signing.PrivateKey {
        let key: Curve25519.Signing.PrivateKey
        if let data = try PrivateFile.read(path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let raw = Data(base64Encoded: text), raw.count == 32,
                let existing = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else {
                throw StoreError(
                    .badKey, "\(path) is not a checkpoint key (base64 of 32 bytes): restore it from backup. It is never "
                        + "replaced: checkpoints signed with it could no longer be verified.")
            }
            key = existing
        } else {
            key = Curve25519.Signing.PrivateKey()
            try PrivateFile.create(path, bytes: Array((key.rawRepresentation.base64EncodedString() + "\n").utf8))
        }
        // The public half is public: write it if it is missing (e.g. lost after the secret was made).
        if !FileManager.default.fileExists(atPath: publicPath) {
            do {
                try Data((key.publicKey.rawRepresentation.base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: publicPath))
            } catch {
                throw StoreError(.cannotOpen, "Cannot write the checkpoint public key \(publicPath): \(error.localizedDescription)")
            }
        }
        return key
    }

    /// Reads a checkpoint public key file (base64 of the raw 32-byte Ed25519 public key).
    package static func loadPublicKey(path: String) throws -> Curve25519.Signing.PublicKey {
        guard let data = FileManager.default.contents(atPath: path),
            let raw = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw Invalid(description: "cannot read the checkpoint public key \(path)") }
        return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    /// The whole signed note.
    package func signed(with key: Curve25519.Signing.PrivateKey) throws -> String {
        let signature = try key.signature(for: Array(body.utf8))
        let line = Data(Checkpoint.keyHash(name: origin, publicKey: key.publicKey) + Array(signature)).base64EncodedString()
        return body + "\n— \(origin) \(line)\n"
    }

    /// Why a note is not a valid checkpoint.
    package struct Invalid: Error, CustomStringConvertible {
        package var description: String
    }

    /// Reads a signed note and checks its signature with `publicKey`.
    package static func verify(note: String, publicKey: Curve25519.Signing.PublicKey) throws(Invalid) -> Checkpoint {
        let parts = note.components(separatedBy: "\n\n")
        guard parts.count == 2 else { throw Invalid(description: "not a signed note: expected the text, a blank line, and signature lines") }
        let body = parts[0] + "\n"
        let lines = parts[0].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 3, let size = Int(lines[1]), size >= 0, let root = Data(base64Encoded: lines[2]), root.count == 32 else {
            throw Invalid(description: "not a checkpoint: expected origin, tree size and base64 root")
        }
        let origin = lines[0]
        let expectedHash = keyHash(name: origin, publicKey: publicKey)
        for line in parts[1].split(separator: "\n") where line.hasPrefix("— \(origin) ") {
            guard let blob = Data(base64Encoded: String(line.dropFirst("— \(origin) ".count))), blob.count == 68,
                Array(blob.prefix(4)) == expectedHash
            else { continue }
            if publicKey.isValidSignature(blob.dropFirst(4), for: Array(body.utf8)) {
                return Checkpoint(origin: origin, size: size, root: Array(root))
            }
            throw Invalid(description: "the signature does not verify: the checkpoint was altered or signed by another key")
        }
        throw Invalid(description: "no signature by \(origin)'s key")
    }
}
