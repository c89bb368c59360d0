import Crypto
import LiaisonProtocol
import LiaisonStore
import MerkleLog
import NIOCore
import PostgresNIO

extension PostgresHubStore: HubLedger {
    /// One group commit: every message, audit record and settlement of a broker cycle in one transaction, as
    /// `HubStore.commit` (both run `LedgerTransaction.apply`).
    package func commit(_ operations: [StoreOperation], at wallNow: Int64) throws(StoreError) -> CommitResult {
        try transaction { tx in try tx.apply(operations, at: wallNow) }
    }

    /// The next pending deliveries for `recipient` after `sequence`, oldest first, with their bodies.
    package func pendingDeliveries(recipient: AgencyID, after sequence: Int64, limit: Int) throws(StoreError) -> [QueuedDelivery] {
        try read {
            try run("""
                SELECT d.sequence, d.attempts, m.type, m.message_id, m.source, COALESCE(d.envelope_view, m.envelope),
                    COALESCE(d.view, m.body), m.body_sha256, m.expires_at, d.audit_entry
                FROM deliveries d JOIN messages m ON m.sequence = d.sequence
                WHERE d.recipient = \(recipient.rawValue) AND d.state = 'pending' AND d.sequence > \(sequence)
                ORDER BY d.sequence LIMIT \(Int64(limit))
                """).rows.map { row in
                let (sequence, attempts, type, messageID, source, envelope, body, digest, expiresAt, entry) = try row.decode(
                    (Int64, Int64, String, String, String, ByteBuffer, ByteBuffer?, String, Int64, Int64?).self)
                return QueuedDelivery(
                    sequence: sequence, recipient: recipient, type: MessageType(stored: type), messageID: messageID,
                    source: AgencyID(stored: source), envelope: Array(envelope.readableBytesView),
                    body: body.map { Array($0.readableBytesView) } ?? [], bodyDigest: digest, attempts: Int(attempts),
                    expiresAt: expiresAt, auditEntry: entry)
            }
        }
    }

    /// Pending deliveries whose message expired at or before `now`.
    package func expiredDeliveries(now: Int64, limit: Int) throws(StoreError) -> [QueuedDelivery] {
        try read {
            try run("""
                SELECT d.recipient, d.sequence, d.attempts, m.type, m.message_id, m.source, m.body_sha256, m.expires_at
                FROM deliveries d JOIN messages m ON m.sequence = d.sequence
                WHERE d.state = 'pending' AND m.expires_at <= \(now)
                ORDER BY d.sequence, d.recipient COLLATE "C" LIMIT \(Int64(limit))
                """).rows.map { row in
                let (recipient, sequence, attempts, type, messageID, source, digest, expiresAt) = try row.decode(
                    (String, Int64, Int64, String, String, String, String, Int64).self)
                return QueuedDelivery(
                    sequence: sequence, recipient: AgencyID(stored: recipient), type: MessageType(stored: type), messageID: messageID,
                    source: AgencyID(stored: source), envelope: [], body: [], bodyDigest: digest, attempts: Int(attempts),
                    expiresAt: expiresAt)
            }
        }
    }

    /// The sequence and recipients of a message already held, for answering a resend.
    package func heldSequence(source: AgencyID, messageID: String) throws(StoreError) -> (sequence: Int64, recipients: [AgencyID])? {
        try read {
            guard let row = try run("SELECT sequence FROM messages WHERE source = \(source.rawValue) AND message_id = \(messageID)").rows.first
            else { return nil }
            let sequence = try row.decode(Int64.self)
            let recipients = try run("SELECT recipient FROM deliveries WHERE sequence = \(sequence) ORDER BY recipient COLLATE \"C\"")
                .rows.map { AgencyID(stored: try $0.decode(String.self)) }
            return (sequence, recipients)
        }
    }
}

extension PostgresHubStore {
    /// Every cohort: owner agency, then cohort name, then members (what the broker loads at start).
    package func cohorts() throws(StoreError) -> [String: [String: Set<String>]] {
        try read {
            var result: [String: [String: Set<String>]] = [:]
            for row in try run("SELECT owner, name, member FROM cohorts").rows {
                let (owner, name, member) = try row.decode((String, String, String).self)
                result[owner, default: [:]][name, default: []].insert(member)
            }
            return result
        }
    }

    /// How many deliveries each recipient has pending (the broker's queue gauges start from here).
    package func pendingDeliveryCounts() throws(StoreError) -> [String: Int] {
        try read {
            var counts: [String: Int] = [:]
            for row in try run("SELECT recipient, count(*) FROM deliveries WHERE state = 'pending' GROUP BY recipient").rows {
                let (recipient, count) = try row.decode((String, Int64).self)
                counts[recipient] = Int(count)
            }
            return counts
        }
    }

    /// The dead letters not discarded, newest first, at most `limit` (as `HubStore.deadLetterRecords`).
    package func deadLetterRecords(limit: Int = 500) throws(StoreError) -> [HubStore.DeadLetterRecord] {
        try read {
            try run("""
                SELECT d.recipient, d.sequence, d.cause, d.reason, d.at, m.source, m.message_id, m.type
                FROM dead_letters d JOIN messages m ON m.sequence = d.sequence
                WHERE d.discarded_at IS NULL
                ORDER BY d.at DESC, d.sequence DESC, d.recipient COLLATE "C" LIMIT \(Int64(limit))
                """).rows.map { row in
                let (recipient, sequence, cause, reason, at, source, messageID, type) = try row.decode(
                    (String, Int64, String, String, Int64, String, String, String).self)
                return HubStore.DeadLetterRecord(
                    recipient: recipient, sequence: sequence, cause: cause, reason: reason, at: at, source: source,
                    messageID: messageID, type: type)
            }
        }
    }

    /// The audit tree's size and root as stored (rebuilt from the database, not this store's own edge).
    package func treeHead() throws(StoreError) -> (size: Int, root: MerkleTree.Hash) {
        let frontier = try read { try readFrontier() }
        return (frontier.size, frontier.root)
    }

    /// Signs and stores a checkpoint of the tree as committed, if it has grown since the last one (as
    /// `HubStore.writeCheckpoint`).
    ///
    /// - Returns: the signed note, or nil when there was nothing new to sign.
    @discardableResult
    package func writeCheckpoint(origin: String, key: Curve25519.Signing.PrivateKey, at: Int64) throws(StoreError) -> String? {
        let size = frontier.size
        let root = frontier.root
        do {
            return try inTransaction { () -> String? in
                try lock()
                let last = try run("SELECT COALESCE(MAX(size), 0) FROM checkpoints").rows.first?.decode(Int64.self) ?? 0
                guard Int64(size) > last else { return nil }
                let note = try Checkpoint(origin: origin, size: size, root: root).signed(with: key)
                try run("INSERT INTO checkpoints (size, root, note, at) VALUES (\(Int64(size)), \(ByteBuffer(bytes: root)), \(note), \(at))")
                return note
            }
        } catch {
            throw StoreError(.commitFailed, "The hub could not store a checkpoint: \(PostgresHubStore.Failure(error)).", cause: PostgresHubStore.Failure(error))
        }
    }

    /// The stored checkpoints' signed notes, oldest first.
    package func checkpointNotes() throws(StoreError) -> [String] {
        try read { try run("SELECT note FROM checkpoints ORDER BY size").rows.map { try $0.decode(String.self) } }
    }

    /// Recomputes every entry's leaf from its row (`AuditLeaf`) and the root from the leaves, and compares them with the
    /// stored leaves and each stored checkpoint's root at its size: the first problem, naming the entry, or nil.
    /// (The full `liaison audit verify`, with the stored subtrees and an agency's own checkpoints, is SQLite's today.)
    package func verifyLeaves(publicKey: Curve25519.Signing.PublicKey) throws(StoreError) -> (entries: Int, root: MerkleTree.Hash, problem: String?) {
        var checkpoints: [Int: Checkpoint] = [:]
        for note in try checkpointNotes() {
            do {
                let checkpoint = try Checkpoint.verify(note: note, publicKey: publicKey)
                checkpoints[checkpoint.size] = checkpoint
            } catch { return (0, [], "a checkpoint is not valid: \(error)") }
        }
        return try read {
            var tree = MerkleFrontier()
            let rows = try run("""
                SELECT entry, at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail, leaf
                FROM audit_log ORDER BY entry
                """).rows
            for row in rows {
                let (entry, at, kind, agency, peer, messageID, sequence, type, recipient, digest, code, detail, leaf) = try row.decode(
                    (Int64, Int64, String, String?, String?, String?, Int64?, String?, String?, String?, Int64?, String?, ByteBuffer).self)
                guard entry == Int64(tree.size) + 1 else { return (tree.size, tree.root, "audit entry \(tree.size + 1) is missing") }
                guard let known = AuditEvent.Kind(rawValue: kind) else { return (tree.size, tree.root, "audit entry \(entry) has an unknown kind") }
                let event = AuditEvent(
                    known, at: at, agency: agency, peer: peer, messageID: messageID, sequence: sequence, type: type,
                    recipient: recipient, bodyDigest: digest, code: code.map { Int($0) }, detail: detail)
                let computed = AuditLeaf.hash(entry: entry, event)
                guard computed == Array(leaf.readableBytesView) else {
                    return (tree.size, tree.root, "audit entry \(entry) does not match its leaf: it was changed after it was written")
                }
                _ = tree.append(computed)
                if let checkpoint = checkpoints[tree.size], checkpoint.root != tree.root {
                    return (tree.size, tree.root, "the log at \(tree.size) entries does not match the signed checkpoint of that size")
                }
            }
            if let beyond = checkpoints.keys.filter({ $0 > tree.size }).min() {
                return (tree.size, tree.root, "a signed checkpoint covers \(beyond) entries but the log holds only \(tree.size)")
            }
            return (tree.size, tree.root, nil)
        }
    }
}
