import Crypto

/// SHA-256 helpers for bodies and keys.
package enum Digest {
    package static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    /// How logs and the audit name a CURVE key: the first 16 hex digits of its SHA-256.
    package static func fingerprint(ofKey key: [UInt8]) -> String {
        String(sha256Hex(key).prefix(16))
    }

    package static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
