import AttendanceDomain
import Crypto
import Foundation
import GRDB
import LiaisonStore
import LiaisonRules
import MerkleLog

/// The audit log at scale: a store of `entries` audit entries written through the broker's own append path
/// (decision, acceptance, delivery and acknowledgement per message, with the subject index), then the
/// times the issue asks for: full verification, a subject access query, an inclusion proof.
/// Each is printed beside a baseline measured in the same run.
enum AuditBench {
    static let children = 120_000

    static func run(entries: Int) throws {
        let directory = ProcessInfo.processInfo.environment["LIAISON_BENCH_AUDIT_DIR"]
            ?? "\(FileManager.default.temporaryDirectory.path)/liaison-audit-bench-\(entries)"
        let path = "\(directory)/hub.sqlite"
        let key = [UInt8](repeating: 7, count: 32)
        let pseudonyms = PseudonymKey(key)
        var store = try HubStore(path: path)
        if store.frontier.size < entries {
            let started = DispatchTime.now()
            try populate(store, upTo: entries, pseudonyms: pseudonyms)
            store = try HubStore(path: path)
            report(String(format: "audit: wrote %d entries in %.0f s (reused by later runs: %@)", store.frontier.size, seconds(since: started), directory))
        }
        let size = store.frontier.size

        // Verify, against a baseline: reading every row and hashing its stored fields, with no tree.
        var started = DispatchTime.now()
        let verification = try store.verify()
        let verifySeconds = seconds(since: started)
        precondition(verification.problem == nil, "the benchmark's own log does not verify: \(verification.problem!)")
        started = DispatchTime.now()
        let scanned = try store.scanAndHashBaseline()
        let scanSeconds = seconds(since: started)
        report(String(format: "audit verify:     %9.0f entries/s  (%d entries, %.1f s; baseline scan+hash %.0f entries/s, ratio %.2f)",
                      Double(size) / verifySeconds, size, verifySeconds, Double(scanned) / scanSeconds, scanSeconds / verifySeconds))

        // Inclusion proofs of random entries in the whole log.
        var generator = SeededGenerator(seed: 42)
        let proofs = 1000
        started = DispatchTime.now()
        for _ in 0..<proofs { _ = try store.inclusionProof(entry: Int64(generator.next() % UInt64(size)) + 1) }
        let proofMilliseconds = seconds(since: started) * 1000 / Double(proofs)
        started = DispatchTime.now()
        for _ in 0..<proofs { _ = try store.auditEntry(Int64(generator.next() % UInt64(size)) + 1) }
        let lookupMilliseconds = seconds(since: started) * 1000 / Double(proofs)
        report(String(format: "inclusion proof:  %9.3f ms each (mean of %d; baseline: reading one entry %.3f ms, ratio %.1f)",
                      proofMilliseconds, proofs, lookupMilliseconds, proofMilliseconds / lookupMilliseconds))

        // Subject access: every release of one child, and the same with an inclusion proof for each.
        let queries = 200
        var releases = 0
        started = DispatchTime.now()
        for _ in 0..<queries {
            releases += try store.releases(ofChild: pseudonyms.pseudonym(of: upn(Int(generator.next() % UInt64(children))))).count
        }
        let queryMilliseconds = seconds(since: started) * 1000 / Double(queries)
        started = DispatchTime.now()
        var proved = 0
        for _ in 0..<queries {
            for record in try store.releases(ofChild: pseudonyms.pseudonym(of: upn(Int(generator.next() % UInt64(children))))) {
                _ = try store.inclusionProof(entry: record.entry)
                proved += 1
            }
        }
        let withProofsMilliseconds = seconds(since: started) * 1000 / Double(queries)
        report(String(format: "subject access:   %9.2f ms per child (%.0f releases each); with an inclusion proof for each: %.2f ms",
                      queryMilliseconds, Double(releases) / Double(queries), withProofsMilliseconds))
    }

    /// Appends messages' audit trails until the log holds `entries`: per message a decision (naming 1-3
    /// children of 120,000 by keyed pseudonym), its acceptance, delivery and acknowledgement.
    static func populate(_ store: HubStore, upTo entries: Int, pseudonyms: PseudonymKey) throws {
        var generator = SeededGenerator(seed: UInt64(store.frontier.size))
        var sequence = Int64(store.frontier.size / 4) + 1
        while store.frontier.size < entries {
            try store.transaction { tx in
                for _ in 0..<25_000 {
                    let at = 1_790_000_000_000 + sequence * 1000
                    let id = "m-\(sequence)"
                    let digest = String(repeating: "ab", count: 32)
                    let count = 1 + Int(generator.next() % 3)
                    let children = Array(Set((0..<count).map { _ in pseudonyms.pseudonym(of: upn(Int(generator.next() % UInt64(Self.children)))) })).sorted()
                    let detail = #"{"agreement":"yot-protocol","version":"2.1","lawful_basis":"Crime and Disorder Act 1998 s115","flow":"caseload-attendance","permitted":true,"sent":true,"ruleset":"\#(digest)","released":\#(children.count),"withheld":0,"fields":["/upn","/school","/period","/attendance"],"fields_withheld":[],"children":[\#(children.map { "\"\($0)\"" }.joined(separator: ","))]}"#
                    let first = try tx.append(AuditEvent(
                        .decision, at: at, agency: "npas", messageID: id, sequence: sequence, type: "yot.attendance-summary",
                        recipient: "yot", bodyDigest: digest, code: 0, detail: detail))
                    let accepted = try tx.append(AuditEvent(
                        .accepted, at: at, agency: "npas", messageID: id, sequence: sequence, type: "yot.attendance-summary",
                        recipient: "yot", bodyDigest: digest))
                    try tx.indexSubjects(children, sequence: sequence, entries: first...accepted)
                    for kind in [AuditEvent.Kind.delivered, .acknowledged] {
                        try tx.append(AuditEvent(
                            kind, at: at + 5, agency: kind == .delivered ? "npas" : "yot", messageID: id, sequence: sequence,
                            type: "yot.attendance-summary", recipient: "yot", bodyDigest: digest))
                    }
                    sequence += 1
                }
            }
        }
    }

    /// A synthetic, valid UPN for child number `index` (LA 926).
    static func upn(_ index: Int) -> String {
        let body = "926" + String(format: "%04d", 2000 + index % 400) + "25" + String(format: "%03d", index / 400 % 1000)
        var sum = 0
        for (offset, character) in body.enumerated() { sum += (character.wholeNumberValue ?? 0) * (offset + 2) }
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        return String(letters[sum % 23]) + body
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

extension HubStore {
    /// The baseline for verification: read every audit row and hash its stored text once, building no
    /// leaves and no tree. Verification can be no faster than this.
    func scanAndHashBaseline() throws -> Int {
        try read { db in
            var count = 0
            var hasher = SHA256()
            let rows = try Row.fetchCursor(db, sql: "SELECT entry, at, kind, agency, message_id, sequence, type, recipient, body_sha256, detail FROM audit_log ORDER BY entry")
            while let row = try rows.next() {
                for index in 0..<row.count {
                    if let text = row[index] as String? { hasher.update(data: Array(text.utf8)) }
                }
                count += 1
            }
            _ = hasher.finalize()
            return count
        }
    }
}
