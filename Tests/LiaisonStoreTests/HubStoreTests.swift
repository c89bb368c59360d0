import Foundation
import GRDB
import LiaisonProtocol
import LiaisonStore
import LiaisonTestSupport
import Testing

@Suite("The hub's store")
struct HubStoreTests {
    /// The folders `temporaryStore()` makes, removed when the test ends.
    let temporary = TemporaryFolders()

    func temporaryStore() throws -> HubStore {
        let path = try temporary.make("store", create: false).appending("hub.sqlite")
        return try HubStore(path: path)
    }

    func insert(_ tx: HubTransaction, id: String, recipients: [String] = ["npas"]) throws -> (sequence: Int64, duplicate: Bool) {
        let result = try tx.insertMessage(
            source: "yot", messageID: id, type: "yot.case-update", envelope: [1], body: [2], bodyDigest: "d",
            receivedAt: 1, expiresAt: 1000)
        if !result.duplicate { try tx.insertDeliveries(sequence: result.sequence, recipients: recipients.map { AgencyID($0)! }) }
        return result
    }

    @Test func theAuditLogRefusesUpdateAndDelete() throws {
        let store = try temporaryStore()
        _ = try store.transaction { tx in try tx.append(AuditEvent(.accepted, at: 1, agency: "yot")) }
        let queue = try DatabaseQueue(path: store.path)
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "UPDATE audit_log SET agency = 'npas'") } }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM audit_log") } }
        #expect(try store.auditTail(count: 10).map(\.event.agency) == ["yot"])
    }

    @Test func truncatingTheWriteAheadLogLeavesNoOldPagesBehind() throws {
        let store = try temporaryStore()
        _ = try store.transaction { tx in try insert(tx, id: "m-1") }
        let wal = store.path + "-wal"
        let before = (try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
        #expect(before > 0)
        store.truncateWriteAheadLog()
        let after = (try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
        #expect(after == 0)
    }

    @Test func aRepeatedSourceAndIdIsADuplicateWithTheFirstSequence() throws {
        let store = try temporaryStore()
        let (first, second) = try store.transaction { tx in (try insert(tx, id: "m-1"), try insert(tx, id: "m-1")) }
        #expect(!first.duplicate)
        #expect(second.duplicate)
        #expect(second.sequence == first.sequence)
        let third = try store.transaction { tx in try insert(tx, id: "m-1") }
        #expect(third.duplicate && third.sequence == first.sequence)
        #expect(try store.pendingDeliveries(recipient: AgencyID("npas")!, after: 0, limit: 10).count == 1)
    }

    @Test func pendingDeliveriesPageInSequenceOrderAndSkipSettledOnes() throws {
        let store = try temporaryStore()
        let sequences = try store.transaction { tx in try (1...5).map { try insert(tx, id: "m-\($0)").sequence } }
        try store.transaction { tx in
            try tx.acknowledge(recipient: AgencyID("npas")!, sequence: sequences[1], at: 2)
            try tx.deadLetter(recipient: AgencyID("npas")!, sequence: sequences[2], cause: .rejected, reason: "r", at: 2)
        }
        let page = try store.pendingDeliveries(recipient: AgencyID("npas")!, after: 0, limit: 2)
        #expect(page.map(\.sequence) == [sequences[0], sequences[3]])
        let next = try store.pendingDeliveries(recipient: AgencyID("npas")!, after: page.last!.sequence, limit: 2)
        #expect(next.map(\.sequence) == [sequences[4]])
        #expect(try store.pendingDeliveries(recipient: AgencyID("courts")!, after: 0, limit: 10).isEmpty)
    }

    @Test func aFailedTransactionLeavesNothing() throws {
        let store = try temporaryStore()
        struct Boom: Error {}
        #expect(throws: StoreError.self) {
            try store.transaction { tx in
                _ = try insert(tx, id: "m-1")
                try tx.append(AuditEvent(.accepted, at: 1))
                throw Boom()
            }
        }
        #expect(try store.auditTail(count: 10).isEmpty)
        #expect(try store.pendingDeliveries(recipient: AgencyID("npas")!, after: 0, limit: 10).isEmpty)
    }

    @Test func expiredDeliveriesAreFoundByTheirMessagesTimeToLive() throws {
        let store = try temporaryStore()
        try store.transaction { tx in _ = try insert(tx, id: "m-1") }
        #expect(try store.expiredDeliveries(now: 999).isEmpty)
        #expect(try store.expiredDeliveries(now: 1000).map(\.messageID) == ["m-1"])
    }
}

/// `audit verify` re-encodes each entry from SQLite's buffers; the broker encodes it from Swift strings when
/// it appends. The two must give the same bytes, for every kind of text an entry can hold.
@Suite("Audit leaves from rows and from events")
struct AuditLeafEncodingTests {
    @Test func verifyAgreesWithTheAppendPathOnAwkwardText() throws {
        let folder = try TemporaryFolder("leaves", create: false)
        defer { folder.remove() }
        let path = folder.appending("hub.sqlite")
        let store = try HubStore(path: path)
        let awkward = [
            "plain", "", "quote \" and backslash \\", "line\nbreak\r\ttab", "control \u{01}\u{1F}", "accents é ñ ü and 😀",
            #"{"json":"inside","n":[1,2]}"#, String(repeating: "long ", count: 300),
        ]
        try store.transaction { tx in
            for (index, text) in awkward.enumerated() {
                try tx.append(AuditEvent(
                    .decision, at: 1_700_000_000_000 + Int64(index), agency: text, peer: index % 2 == 0 ? nil : text,
                    messageID: text, sequence: index % 3 == 0 ? nil : Int64(index), type: "t", recipient: text, bodyDigest: nil,
                    code: index % 2 == 0 ? 451 : nil, detail: text))
            }
        }
        let verification = try store.verify()
        #expect(verification.problem == nil, "\(verification.problem ?? "")")
        #expect(verification.entries == awkward.count)
    }

    /// The leaf's bytes as docs/audit.md gives them: fixed key order, absent values left out, numbers as digits.
    @Test func aLeafIsTheDocumentedCompactJSON() {
        let event = AuditEvent(
            .decision, at: -5, agency: "npas", peer: nil, messageID: "m-1", sequence: 9_007_199_254_740_993, type: "t",
            recipient: "yot", bodyDigest: nil, code: 451, detail: #"{"a":"\"q\""}"#)
        let leaf = String(decoding: AuditLeaf.encode(entry: 1_234_567_890_123, event), as: UTF8.self)
        #expect(leaf == #"{"entry":1234567890123,"at":-5,"kind":"decision","agency":"npas","message_id":"m-1","sequence":9007199254740993,"type":"t","recipient":"yot","code":451,"detail":"{\"a\":\"\\\"q\\\"\"}"}"#)
    }
}
