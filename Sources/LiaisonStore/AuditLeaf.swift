import StrictJSON
import LiaisonProtocol
import MerkleLog

/// The canonical encoding of an audit entry, which is the Merkle tree's leaf (docs/audit.md).
///
/// Compact JSON, keys in this fixed order, absent values left out, UTF-8:
/// `{"entry":N,"at":MS,"kind":K,"agency":A,"peer":P,"message_id":I,"sequence":S,"type":T,"recipient":R,
/// "body_sha256":D,"code":C,"detail":X}`. The leaf hash is SHA-256(0x00 || these bytes).
package enum AuditLeaf {
    package static func encode(entry: Int64, _ event: AuditEvent) -> [UInt8] {
        // Names as static bytes and numbers written in place: this runs for every audit entry the hub appends.
        var out: [UInt8] = []
        out.reserveCapacity(160 + (event.detail?.utf8.count ?? 0))
        out.append(UInt8(ascii: "{"))
        func key(_ name: StaticString) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        func integer(_ name: StaticString, _ value: Int64?) {
            guard let value else { return }
            key(name)
            JSONWriter.integer(value, into: &out)
        }
        func text(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONWriter.string(value, into: &out)
        }
        integer("entry", entry)
        integer("at", event.at)
        text("kind", event.kind.rawValue)
        text("agency", event.agency)
        text("peer", event.peer)
        text("message_id", event.messageID)
        integer("sequence", event.sequence)
        text("type", event.type)
        text("recipient", event.recipient)
        text("body_sha256", event.bodyDigest)
        integer("code", event.code.map(Int64.init))
        text("detail", event.detail)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The same encoding, straight from a row of `HubStore.auditColumns` in SQLite's buffers, into `out`
    /// (for `audit verify`, which re-encodes every entry: no strings are made). The stored text is encoded as
    /// it is, so an entry whose kind was changed to a word the hub does not know still fails its leaf.
    /// `AuditLeafTests` hold the two encoders to the same bytes.
    static func encode(_ row: RawScan, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func integer(_ name: StaticString, _ value: Int64) {
            key(name)
            JSONWriter.integer(value, into: &out)
        }
        func text(_ name: StaticString, _ column: Int32) {
            guard let bytes = row.utf8(column) else { return }
            key(name)
            JSONWriter.string(utf8: bytes, into: &out)
        }
        integer("entry", row.int64(0))
        integer("at", row.int64(1))
        text("kind", 2)
        text("agency", 3)
        text("peer", 4)
        text("message_id", 5)
        if let sequence = row.optionalInt64(6) { integer("sequence", sequence) }
        text("type", 7)
        text("recipient", 8)
        text("body_sha256", 9)
        if let code = row.optionalInt64(10) { integer("code", code) }
        text("detail", 11)
        out.append(UInt8(ascii: "}"))
    }

    /// The leaf of a stored record, as text (what a proof's verifier hashes).
    package static func text(_ record: AuditRecord) -> String {
        String(decoding: encode(entry: record.entry, record.event), as: UTF8.self)
    }

    package static func hash(entry: Int64, _ event: AuditEvent) -> MerkleTree.Hash {
        MerkleTree.leafHash(encode(entry: entry, event))
    }
}
