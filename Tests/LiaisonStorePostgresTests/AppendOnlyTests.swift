import Crypto
import Foundation
import LiaisonProtocol
import LiaisonStore
import LiaisonStorePostgres
import Testing

/// The audit log, its tree and the checkpoints are append-only in PostgreSQL itself: triggers refuse changes from
/// anyone, and the broker's role is not even granted them (docs/operations.md).
@Suite("The store on PostgreSQL: the audit tables are append-only", .serialized,
    .enabled(if: PostgresTestDatabase.enabled, "LIAISON_TEST_POSTGRES_URL is not set: make test-postgres runs these"))
struct AppendOnlyTests {
    /// A store with a few entries, a stored subtree and a checkpoint.
    static func filledStore(_ name: String) throws -> (PostgresHubStore, Curve25519.Signing.PrivateKey) {
        let store = try PostgresTestDatabase.open(name)
        let operations: [StoreOperation] = (0..<20).map {
            .audit(AuditEvent(.adapterConnected, at: 1_000 + Int64($0), agency: "police", detail: "n\($0)"))
        }
        _ = try store.commit(operations, at: 1_000)
        let key = Curve25519.Signing.PrivateKey()
        try store.writeCheckpoint(origin: "liaison-hub", key: key, at: 2_000)
        return (store, key)
    }

    /// The SQLSTATE and message PostgreSQL refused `sql` with (nil if it did not refuse it).
    static func refusal(_ store: PostgresHubStore, _ sql: String) -> PostgresHubStore.Failure? {
        do {
            try store.execute(sql)
            return nil
        } catch {
            return error.cause as? PostgresHubStore.Failure
        }
    }

    @Test("UPDATE, DELETE and TRUNCATE on the audit log, the tree and the checkpoints are refused, and the log still verifies")
    func triggersRefuseChanges() throws {
        let (store, key) = try Self.filledStore("append_only")
        defer { PostgresTestDatabase.drop(store) }
        for sql in [
            "UPDATE audit_log SET detail = 'altered' WHERE entry = 3",
            "DELETE FROM audit_log WHERE entry = 20",
            "TRUNCATE audit_log CASCADE",
            "UPDATE merkle_nodes SET hash = hash",
            "DELETE FROM merkle_nodes",
            "UPDATE checkpoints SET at = 0",
            "DELETE FROM checkpoints",
        ] {
            let refused = Self.refusal(store, sql)
            #expect(refused?.sqlState == "42501", "\(sql)")
            #expect(refused?.message.contains("append-only") == true, "\(sql): \(String(describing: refused))")
        }
        let verified = try store.verifyLeaves(publicKey: key.publicKey)
        #expect(verified.problem == nil)
        #expect(verified.entries == 20)
        // The working tables are not append-only: the same statement on a queue goes through.
        #expect(Self.refusal(store, "UPDATE deliveries SET attempts = attempts") == nil)
    }

    @Test("The broker's role, with the documented grants, commits but may not UPDATE or DELETE the audit tables")
    func brokerRoleGrants() throws {
        let (owner, _) = try Self.filledStore("grants")
        defer { PostgresTestDatabase.drop(owner) }
        let role = "liaison_broker_\(UInt32.random(in: 0...UInt32.max))"
        let url = try #require(PostgresTestDatabase.url)
        // The throwaway cluster's password is in its password file: give the role the same one (scram-sha-256).
        let passwordFile = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "password_file" }?.value)
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(password.allSatisfy { $0.isLetter || $0.isNumber })
        try owner.execute("CREATE ROLE \(role) LOGIN PASSWORD '\(password)'")
        defer {
            try? owner.execute("DROP OWNED BY \(role)")
            try? owner.execute("DROP ROLE \(role)")
        }
        for statement in PostgresSchema.grants(to: role, in: owner.configuration.schema) { try owner.execute(statement) }

        var components = try #require(URLComponents(string: url))
        components.user = role
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "schema", value: owner.configuration.schema)]
        let broker = try PostgresHubStore(url: try #require(components.string))
        defer { broker.close() }
        #expect(broker.frontier == owner.frontier)
        let envelope = Envelope(id: "g-1", source: AgencyID("schools")!, type: MessageType("attendance.concern")!, recipients: [AgencyID("council")!])
        let body = Array("{}".utf8)
        let result = try broker.commit([
            .insert(MessagePlan(
                envelope: envelope, envelopeBytes: envelope.encoded(), body: body, bodyDigest: Digest.sha256Hex(body),
                recipients: [AgencyID("council")!], receivedAt: 3_000, expiresAt: 9_000))
        ], at: 3_000)
        #expect(result.stored[0]?.auditEntry == 21)
        for sql in ["UPDATE audit_log SET detail = 'x' WHERE entry = 1", "DELETE FROM merkle_nodes", "DELETE FROM checkpoints"] {
            let refused = Self.refusal(broker, sql)
            #expect(refused?.sqlState == "42501", "\(sql)")
            #expect(refused?.message.contains("permission denied") == true, "\(sql): refused by the grants, before any trigger")
        }
    }
}
