import Foundation
import GRDB
import LiaisonStore
import LiaisonTestSupport
import MerkleLog
import Testing

/// The audit log's Merkle tree: verification names tampered entries, and proofs check out with an
/// independent verifier (the Python snippet in docs/audit.md, using only hashlib).
@Suite("Audit evidence", .timeLimit(.minutes(2)), .realProcesses, AuditHistory())
struct AuditEvidenceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A stopped hub whose log holds a few dozen entries (more than 32: two stored subtrees of 16): a copy of the
    /// suite's ``AuditHistory``, this test's own to tamper with. Removed with `remove()`.
    func hubWithHistory() throws -> TemporaryHub {
        try TemporaryHub(copying: try #require(AuditHistory.hub, "the suite's AuditHistory trait made no hub"))
    }

    func verify(_ hub: TemporaryHub) async throws -> (status: Int32, output: String) {
        try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath])
    }

    /// Runs SQL on the store with the append-only triggers dropped, as someone tampering would.
    func tamper(_ hub: TemporaryHub, _ sql: String) throws {
        let queue = try DatabaseQueue(path: hub.databasePath)
        try queue.write { db in
            try db.execute(sql: """
                DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;
                DROP TRIGGER IF EXISTS merkle_nodes_no_update; DROP TRIGGER IF EXISTS merkle_nodes_no_delete
                """)
            try db.execute(sql: sql)
        }
    }

    @Test func anIntactLogVerifies() async throws {
        let hub = try hubWithHistory()
        defer { hub.remove() }
        let result = try await verify(hub)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("OK: "))
    }

    @Test(arguments: [
        ("UPDATE audit_log SET agency = 'courts' WHERE entry = 5", "entry 5 does not match its leaf in the audit tree"),
        ("DELETE FROM audit_log WHERE entry = 7", "entry 7 is missing"),
        ("DELETE FROM audit_log WHERE entry = (SELECT MAX(entry) FROM audit_log)", "were deleted"),
        ("INSERT INTO audit_log (entry, at, kind) VALUES ((SELECT MAX(entry) FROM audit_log) + 1, 0, 'accepted')", "inserted after the fact"),
        ("UPDATE audit_log SET at = at + 1 WHERE entry = 3", "entry 3 does not match"),
        ("UPDATE audit_log SET leaf = zeroblob(32) WHERE entry = 9", "entry 9 does not match its leaf"),
        ("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 1", "subtree 4/1 (up to entry 32) does not match"),
        ("DELETE FROM merkle_nodes WHERE level = 4 AND idx = 0", "no subtree 4/0 for entry 16"),
        ("UPDATE audit_log SET kind = 'no-such-kind' WHERE entry = 6", "entry 6 does not match"),
    ])
    func tamperingIsNamed(sql: String, expected: String) async throws {
        let hub = try hubWithHistory()
        defer { hub.remove() }
        try tamper(hub, sql)
        let result = try await verify(hub)
        #expect(result.status != 0)
        #expect(result.output.contains(expected), "\(result.output)")
    }

    @Test func signedCheckpointsCatchATreeRewrittenToMatchAnAlteredLog() async throws {
        let hub = try hubWithHistory()
        defer { hub.remove() }
        let intact = try await verify(hub)
        #expect(intact.output.contains("signed checkpoints checked"), "\(intact.output)")
        #expect(!intact.output.contains(" 0 signed checkpoints"), "the broker signs one at shutdown at least")
        let kept = try await LiaisonExecutable.run(["audit", "checkpoint", "--config", hub.configPath])
        #expect(kept.output.contains("\n\n— liaison-hub "))
        let keptPath = "\(hub.directory)/kept.note"
        try kept.output.write(toFile: keptPath, atomically: true, encoding: .utf8)

        // Alter an entry, then rebuild the whole stored tree to match, as a careful tamperer with database
        // access would: the tree alone now agrees, but the signed checkpoint does not.
        let queue = try DatabaseQueue(path: hub.databasePath)
        try await queue.write { db in
            try db.execute(sql: """
                DROP TRIGGER audit_log_no_update; DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete;
                UPDATE audit_log SET agency = 'courts' WHERE entry = 5; DELETE FROM merkle_nodes;
                """)
            var frontier = MerkleFrontier()
            for row in try Row.fetchAll(db, sql: "SELECT entry, at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail FROM audit_log ORDER BY entry") {
                let event = AuditEvent(
                    AuditEvent.Kind(rawValue: row[2])!, at: row[1], agency: row[3], peer: row[4], messageID: row[5], sequence: row[6],
                    type: row[7], recipient: row[8], bodyDigest: row[9], code: row[10], detail: row[11])
                let leaf = AuditLeaf.hash(entry: row[0], event)
                try db.execute(sql: "UPDATE audit_log SET leaf = ? WHERE entry = ?", arguments: [Data(leaf), row[0] as Int64])
                for node in frontier.append(leaf) where node.level >= AuditTreeStorage.lowestStoredLevel {
                    try db.execute(sql: "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)", arguments: [node.level, node.index, Data(node.hash)])
                }
            }
        }
        let broken = try await verify(hub)
        #expect(broken.status != 0)
        #expect(broken.output.contains("does not match the signed checkpoint"), "\(broken.output)")
        let held = try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath, "--from-checkpoint", keptPath])
        #expect(held.status != 0)
    }

    @Test func everyAcceptanceCarriesItsAuditEntryAndAReceiptProvesIt() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let receipt = try await yot.send(type: "test.message", to: ["npas"], body: Array("{}".utf8))
        let entry = try #require(receipt.auditEntry)
        await yot.close()
        await running.broker.stop()  // signs a checkpoint at shutdown
        let result = try await LiaisonExecutable.run(["audit", "receipt", "--config", running.hub.configPath, "--entry", "\(entry)"])
        #expect(result.status == 0, "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        // Check it as an agency would: the checkpoint with the hub's public key, then the proof against it.
        let publicKey = try Checkpoint.loadPublicKey(path: "\(running.hub.keysDirectory)/checkpoint.pub")
        let checkpoint = try Checkpoint.verify(note: json["checkpoint"] as? String ?? "", publicKey: publicKey)
        let hex = { (text: String) in stride(from: 0, to: text.count, by: 2).map { UInt8(text.dropFirst($0).prefix(2), radix: 16)! } }
        let leaf = Array((json["leaf"] as? String ?? "").utf8)
        #expect(String(decoding: leaf, as: UTF8.self).contains("\"kind\":\"accepted\""))
        #expect(MerkleTree.verifyInclusion(
            leafHash: MerkleTree.leafHash(leaf), index: Int(entry) - 1, size: checkpoint.size,
            proof: (json["inclusion_proof"] as? [String] ?? []).map(hex), root: checkpoint.root))
    }

    @Test func proofsCheckOutWithAnIndependentVerifier() async throws {
        let hub = try hubWithHistory()
        defer { hub.remove() }
        // The verifier from docs/audit.md, taken from the page itself.
        let page = try String(contentsOfFile: "\(Self.repository)/docs/audit.md", encoding: .utf8)
        let script = try #require(page.components(separatedBy: "```python\n").dropFirst().first?.components(separatedBy: "```").first)
        let scriptPath = "\(hub.directory)/verify_proof.py"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        for entry in [1, 5, 13] {
            let proof = try await LiaisonExecutable.run(["audit", "proof", "--config", hub.configPath, "--entry", "\(entry)"])
            #expect(proof.status == 0, "\(proof.output)")
            let verdict = try await ChildProcess.run("/usr/bin/python3", [scriptPath], input: Data(proof.output.utf8)).output
            #expect(verdict.contains("valid") && !verdict.contains("INVALID"), "entry \(entry): \(verdict)")
        }
        let consistency = try await LiaisonExecutable.run(["audit", "consistency", "--config", hub.configPath, "--from", "3", "--to", "20"])
        let json = try JSONSerialization.jsonObject(with: Data(consistency.output.utf8)) as? [String: Any]
        let hex = { (text: String) in stride(from: 0, to: text.count, by: 2).map { UInt8(text.dropFirst($0).prefix(2), radix: 16)! } }
        let path = (json?["consistency_proof"] as? [String] ?? []).map(hex)
        #expect(MerkleTree.verifyConsistency(
            oldSize: 3, newSize: 20, oldRoot: hex(json?["from_root"] as? String ?? ""), newRoot: hex(json?["to_root"] as? String ?? ""),
            proof: path))
    }
}
