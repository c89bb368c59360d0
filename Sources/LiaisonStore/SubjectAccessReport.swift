import Foundation
import MerkleLog
import StrictJSON

/// The answer to a subject access request: every release of one child's data the hub recorded, each with the evidence a
/// recipient can check from the report alone: the entry's text as the log hashes it, its leaf hash, its inclusion
/// proof, and the signed checkpoint (a C2SP note) whose root the proof reaches.
///
/// `liaison audit subject` and the console's IG pages both build it, so the two give the same releases and the same
/// proofs. The child is named only by the hub's keyed pseudonym: the report never holds a UPN.
package struct SubjectAccessReport: Sendable {
    /// One decision that released the child's data.
    package struct Release: Sendable, Equatable {
        package var entry: Int64
        /// Milliseconds since 1970 (UTC).
        package var at: Int64
        package var from: String
        package var to: String
        package var type: String
        /// The message id, with any personal-looking token masked (ids from an older log may hold a UPN).
        package var messageID: String
        package var agreement: String
        package var version: String
        package var lawfulBasis: String
        package var flow: String
        package var fields: [String]
        /// The entry's canonical encoding (docs/audit.md), the bytes the leaf hash is over; nil when the entry holds
        /// a personal-looking token (an older log's message id), which the report never repeats.
        package var leaf: String?
        /// SHA-256(0x00 || leaf), from the stored tree.
        package var leafHash: MerkleTree.Hash
        /// The tree size the proof is against: the latest signed checkpoint's when it covers the entry, else the log's.
        package var treeSize: Int
        /// The root at `treeSize`.
        package var root: MerkleTree.Hash
        /// RFC 6962 inclusion proof of leaf `entry - 1` in the tree of `treeSize`.
        package var path: [MerkleTree.Hash]
        /// Whether `treeSize` is the signed checkpoint's (false: the entry is newer than the latest checkpoint).
        package var checkpointed: Bool
    }

    /// The child's keyed pseudonym.
    package var pseudonym: String
    /// Oldest first.
    package var releases: [Release]
    /// The latest signed checkpoint's note, when the hub has signed one.
    package var checkpoint: String?

    /// Reads the child's releases and their proofs from `store` (blocking: call it off Swift's cooperative pool).
    ///
    /// - Throws: the store's error when it cannot be read.
    package static func build(store: HubStore, pseudonym: String) throws(StoreError) -> SubjectAccessReport {
        let latest = try store.latestCheckpoint()
        var releases: [Release] = []
        for record in try store.releases(ofChild: pseudonym) {
            let detail = (try? JSONValue.parse(Array((record.event.detail ?? "").utf8))) ?? .object([:])
            let covered = latest.map { Int(record.entry) <= $0.size } ?? false
            let proof = try store.inclusionProof(entry: record.entry, size: covered ? latest?.size : nil)
            let year = Calendar(identifier: .gregorian).component(.year, from: Date(timeIntervalSince1970: Double(record.event.at) / 1000))
            let messageID = record.event.messageID ?? ""
            let masked = PersonalDataScanner.redacted(messageID, year: year)
            let leaf = AuditLeaf.text(record)
            let personal = masked != messageID || PersonalDataScanner.redacted(leaf, year: year) != leaf
            releases.append(Release(
                entry: record.entry, at: record.event.at, from: record.event.agency ?? "", to: record.event.recipient ?? "",
                type: record.event.type ?? "", messageID: masked,
                agreement: detail["agreement"]?.stringValue ?? "", version: detail["version"]?.stringValue ?? "",
                lawfulBasis: detail["lawful_basis"]?.stringValue ?? "", flow: detail["flow"]?.stringValue ?? "",
                fields: detail["fields"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                leaf: personal ? nil : leaf, leafHash: proof.leaf, treeSize: proof.size, root: proof.root, path: proof.path,
                checkpointed: covered))
        }
        return SubjectAccessReport(pseudonym: pseudonym, releases: releases, checkpoint: latest?.note)
    }

    /// `2026-11-03T09:30:00Z`.
    package static func time(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).ISO8601Format()
    }

    /// The JSON form (for `JSONSerialization`): `subject_pseudonym`, `checkpoint` (the signed note, or null) and
    /// `releases`, each with `leaf` (the entry's text; null when withheld), `leaf_hash` and `inclusion_proof`
    /// (`leaf_index`, `tree_size`, `root`, `path`, `checkpointed`), hex digests. docs/audit.md says how to check one.
    package var json: [String: Any] {
        [
            "subject_pseudonym": pseudonym,
            "checkpoint": checkpoint ?? NSNull(),
            "releases": releases.map { release -> [String: Any] in
                [
                    "entry": release.entry, "when": Self.time(release.at),
                    "from": release.from, "to": release.to, "type": release.type, "message_id": release.messageID,
                    "agreement": release.agreement, "version": release.version, "lawful_basis": release.lawfulBasis,
                    "flow": release.flow, "fields": release.fields,
                    "leaf": release.leaf ?? NSNull(),
                    "leaf_withheld": release.leaf == nil
                        ? "the entry holds a personal-looking identifier (an id from an older log), so its text is not repeated; its leaf hash still proves its inclusion" as Any
                        : NSNull(),
                    "leaf_hash": Digest.hex(release.leafHash),
                    "inclusion_proof": [
                        "leaf_index": release.entry - 1, "tree_size": release.treeSize, "root": Digest.hex(release.root),
                        "path": release.path.map(Digest.hex), "checkpointed": release.checkpointed,
                    ] as [String: Any],
                ]
            },
        ]
    }

    /// The report as a stand-alone HTML page ready for a letter (`liaison audit subject --format html`). It names the
    /// child only as "the child named in your request".
    package func html(producedAt: Date) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        let rows = releases.map { release -> String in
            let cells = [
                Self.time(release.at), release.from, release.to, release.type, "\(release.agreement) v\(release.version)",
                release.lawfulBasis, release.fields.joined(separator: ", "), "entry \(release.entry)",
            ]
            return "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Record of information shared</title>
            <style>body{font-family:Georgia,serif;max-width:60em;margin:2em auto;line-height:1.4}
            table{border-collapse:collapse;width:100%;font-size:0.9em}td,th{border:1px solid #999;padding:0.3em;text-align:left;vertical-align:top}
            th{background:#eee}.small{font-size:0.8em;color:#444}</style></head><body>
            <h1>Record of information shared about a child</h1>
            <p>This is every occasion on which the county's attendance hub released information about the child
            named in your request to another organisation: when, from whom, to whom, under which written
            agreement and lawful basis, and which items of information. It was produced on
            \(escape(producedAt.ISO8601Format())) from the hub's audit log.</p>
            <p><strong>\(releases.count) release\(releases.count == 1 ? "" : "s") found.</strong></p>
            <table><tr><th>When</th><th>From</th><th>To</th><th>Kind of message</th><th>Agreement</th><th>Lawful basis</th><th>Information shared</th><th>Audit record</th></tr>
            \(rows.joined(separator: "\n"))
            </table>
            <p class="small">Each audit record is part of a tamper-evident log (an RFC 6962 Merkle tree with signed
            checkpoints). The JSON form of this report carries, for each record, the entry's text, its leaf hash, its
            inclusion proof and the signed checkpoint it reaches, so that anyone can check it without the hub.</p>
            </body></html>
            """
    }
}
