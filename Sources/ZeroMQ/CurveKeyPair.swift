import CZeroMQ

/// A CURVE keypair (Curve25519), as raw 32-byte keys, with Z85 text forms for files and configuration.
package struct CurveKeyPair: Sendable, Equatable {
    package let publicKey: [UInt8]
    package let secretKey: [UInt8]

    /// Generates a fresh keypair with libzmq's `zmq_curve_keypair`.
    package static func generate() -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        let rc = zmq_curve_keypair(&publicText, &secretText)
        precondition(rc == 0, "libzmq was built without CURVE support")
        return CurveKeyPair(
            publicKey: Z85.decode(Z85.text(publicText))!,
            secretKey: Z85.decode(Z85.text(secretText))!
        )
    }

    /// Rebuilds a keypair from its secret key alone (the public key is derived).
    package init?(secretKeyZ85: String) {
        guard let secret = Z85.decode(secretKeyZ85), secret.count == 32 else { return nil }
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = Array(secretKeyZ85.utf8CString)
        guard zmq_curve_public(&publicText, secretText) == 0,
            let publicKey = Z85.decode(Z85.text(publicText))
        else { return nil }
        self.publicKey = publicKey
        self.secretKey = secret
    }

    package init(publicKey: [UInt8], secretKey: [UInt8]) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    package var publicKeyZ85: String { Z85.encode(publicKey) }
    package var secretKeyZ85: String { Z85.encode(secretKey) }
}

/// ZeroMQ's Z85 text encoding (RFC 32), through libzmq's own encoder and decoder.
package enum Z85 {
    /// The text libzmq wrote into a NUL-terminated buffer.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Encodes bytes whose count is a multiple of 4.
    package static func encode(_ bytes: [UInt8]) -> String {
        precondition(bytes.count % 4 == 0, "Z85 encodes multiples of 4 bytes")
        var text = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        _ = zmq_z85_encode(&text, bytes, bytes.count)
        return Z85.text(text)
    }

    /// Decodes Z85 text whose length is a multiple of 5; `nil` for anything else.
    package static func decode(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: " \n\r\t")
        guard !trimmed.isEmpty, trimmed.utf8.count % 5 == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: trimmed.utf8.count * 4 / 5)
        guard zmq_z85_decode(&bytes, trimmed) != nil else { return nil }
        return bytes
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
