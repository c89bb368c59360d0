import Crypto
import Foundation
import Testing

@testable import LiaisonStore

@Suite("Signed checkpoints")
struct CheckpointTests {
    let key = Curve25519.Signing.PrivateKey()
    let checkpoint = Checkpoint(origin: "liaison-hub", size: 1234, root: Array(repeating: 7, count: 32))

    @Test func aSignedCheckpointVerifiesAndReadsBack() throws {
        let note = try checkpoint.signed(with: key)
        #expect(note.hasPrefix("liaison-hub\n1234\n"))
        #expect(note.contains("\n\n— liaison-hub "))
        #expect(try Checkpoint.verify(note: note, publicKey: key.publicKey) == checkpoint)
    }

    @Test func anAlteredCheckpointOrAnotherKeyIsRefused() throws {
        let note = try checkpoint.signed(with: key)
        #expect(throws: Checkpoint.Invalid.self) {
            try Checkpoint.verify(note: note.replacingOccurrences(of: "\n1234\n", with: "\n1235\n"), publicKey: key.publicKey)
        }
        #expect(throws: Checkpoint.Invalid.self) {
            try Checkpoint.verify(note: note, publicKey: Curve25519.Signing.PrivateKey().publicKey)
        }
        #expect(throws: Checkpoint.Invalid.self) { try Checkpoint.verify(note: "liaison-hub\n12\n", publicKey: key.publicKey) }
    }

    @Test func theKeyHashIsAsTheSignedNoteSpecDefinesIt() {
        // SHA-256("liaison-hub" || "\n" || 0x01 || key)[0..<4]
        let expected = Array(SHA256.hash(data: Array("liaison-hub\n".utf8) + [1] + Array(key.publicKey.rawRepresentation)).prefix(4))
        #expect(Checkpoint.keyHash(name: "liaison-hub", publicKey: key.publicKey) == expected)
    }
}
