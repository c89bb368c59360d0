import LiaisonProtocol
import MerkleLog

/// The canonical encoding of an audit entry, which is the Merkle tree's leaf (docs/audit.md).
///
/// Compact JSON, keys in this fixed order, absent values left out, UTF-8:
/// `{"entry":N,"at":MS,"kind":K,"agency":A,"peer":P,"message_id":I,"sequence":S,"type":T,"recipient":R,
/// "body_sha256":D,"code":C,"detail":X}`. The leaf hash is SHA-256(0x00 || these bytes).
package enum AuditLeaf {
    package static func encode(entry: Int64, _ event: AuditEvent) -> [UInt8] {
        var json = JSONText()
        json.integer("entry", entry)
        json.integer("at", event.at)
        json.string("kind", event.kind.rawValue)
        json.string("agency", event.agency)
        json.string("peer", event.peer)
        json.string("message_id", event.messageID)
        if let sequence = event.sequence { json.integer("sequence", sequence) }
        json.string("type", event.type)
        json.string("recipient", event.recipient)
        json.string("body_sha256", event.bodyDigest)
        if let code = event.code { json.integer("code", Int64(code)) }
        json.string("detail", event.detail)
        return json.finish()
    }

    /// The leaf of a stored record, as text (what a proof's verifier hashes).
    package static func text(_ record: AuditRecord) -> String {
        String(decoding: encode(entry: record.entry, record.event), as: UTF8.self)
    }

    package static func hash(entry: Int64, _ event: AuditEvent) -> MerkleTree.Hash {
        MerkleTree.leafHash(encode(entry: entry, event))
    }
}
