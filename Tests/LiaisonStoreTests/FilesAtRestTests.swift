import Foundation
import GRDB
import LiaisonProtocol
import LiaisonStore
import LiaisonTestSupport
import Testing

/// The hub's store and secret keys at rest: owner-only from the first byte, never replaced when they exist
/// but cannot be read, refused when others may read them; deleted bodies and envelopes overwritten.
@Suite("Files at rest")
struct FilesAtRestTests {
    /// The folders `folder()` names, removed when the test ends.
    let temporary = TemporaryFolders()

    /// A fresh path under the temporary directory, not yet made: the code under test makes it.
    func folder() -> String {
        try! temporary.make("at-rest", create: false).path
    }

    func mode(_ path: String) throws -> Int {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test func theStoreFolderIs0700AndItsFiles0600() throws {
        let directory = folder()
        let store = try HubStore(path: "\(directory)/data/hub.sqlite")
        try store.transaction { tx in _ = try tx.append(AuditEvent(.accepted, at: 1, agency: "yot")) }
        #expect(try mode("\(directory)/data") == 0o700)
        for file in ["hub.sqlite", "hub.sqlite-wal", "hub.sqlite-shm"] {
            #expect(try mode("\(directory)/data/\(file)") == 0o600, "\(file)")
        }
    }

    @Test func aStoreOthersCanReadIsRefusedWithTheChmodToRun() throws {
        let directory = folder()
        _ = try HubStore(path: "\(directory)/hub.sqlite")
        chmod(directory, 0o755)
        do {
            _ = try HubStore(path: "\(directory)/hub.sqlite")
            Issue.record("a store folder others can read was opened")
        } catch {
            #expect(error.code == .notPrivate)
            #expect(error.message.contains("chmod 700 \(directory)"), "\(error)")
        }
        chmod(directory, 0o700)
        chmod("\(directory)/hub.sqlite", 0o644)
        do {
            _ = try HubStore(path: "\(directory)/hub.sqlite")
            Issue.record("a store file others can read was opened")
        } catch {
            #expect(error.code == .notPrivate)
            #expect(error.message.contains("chmod 600 \(directory)/hub.sqlite"), "\(error)")
        }
    }

    @Test func aSecretIsCreatedOwnerOnlyAndNeverReplaced() throws {
        let directory = folder()
        try PrivateFile.makeDirectory(directory)
        let path = "\(directory)/secret"
        let old = umask(0)  // the file's mode must not depend on it
        defer { umask(old) }
        try PrivateFile.create(path, bytes: Array("first".utf8))
        #expect(try mode(path) == 0o600)
        #expect(throws: StoreError.self) { try PrivateFile.create(path, bytes: Array("second".utf8)) }
        #expect(try PrivateFile.read(path) == Array("first".utf8))
        #expect(try PrivateFile.read("\(directory)/missing") == nil)
    }

    @Test func aPseudonymKeyIsMadeOnceAndKeptAcrossStarts() throws {
        let directory = folder()
        try PrivateFile.makeDirectory(directory)
        let first = try PseudonymKeyFile.loadOrCreate(path: "\(directory)/pseudonym.key")
        #expect(first.count == 32)
        #expect(try mode("\(directory)/pseudonym.key") == 0o600)
        #expect(try PseudonymKeyFile.loadOrCreate(path: "\(directory)/pseudonym.key") == first)
    }

    /// Tests run as root, who can read any file: "exists but cannot be read" is made with a folder in the
    /// key's place, and with files that are not keys. Each is refused and left as it was.
    @Test func aPseudonymKeyThatExistsButCannotBeUsedIsAnErrorNotReplaced() throws {
        let directory = folder()
        try PrivateFile.makeDirectory(directory)
        let path = "\(directory)/pseudonym.key"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect { try PseudonymKeyFile.loadOrCreate(path: path) } throws: { ($0 as? StoreError)?.code == .badKey }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)

        let short = "\(directory)/short.key"
        try PrivateFile.create(short, bytes: Array(repeating: 7, count: 10))
        #expect { try PseudonymKeyFile.loadOrCreate(path: short) } throws: { ($0 as? StoreError)?.code == .badKey }
        #expect(try PrivateFile.read(short) == Array(repeating: 7, count: 10))

        let shared = "\(directory)/shared.key"
        try PrivateFile.create(shared, bytes: Array(repeating: 7, count: 32))
        chmod(shared, 0o640)
        do {
            _ = try PseudonymKeyFile.loadOrCreate(path: shared)
            Issue.record("a key group can read was used")
        } catch {
            #expect(error.code == .notPrivate)
            #expect(error.message.contains("chmod 600 \(shared)"), "\(error)")
        }
    }

    @Test func aCheckpointKeyThatExistsButIsNotAKeyIsAnErrorNotReplaced() throws {
        let directory = folder()
        try PrivateFile.makeDirectory(directory)
        let made = try Checkpoint.loadOrCreateKey(path: "\(directory)/checkpoint.key", publicPath: "\(directory)/checkpoint.pub")
        #expect(try mode("\(directory)/checkpoint.key") == 0o600)
        let again = try Checkpoint.loadOrCreateKey(path: "\(directory)/checkpoint.key", publicPath: "\(directory)/checkpoint.pub")
        #expect(again.rawRepresentation == made.rawRepresentation)

        let malformed = "\(directory)/malformed.key"
        try PrivateFile.create(malformed, bytes: Array("not base64 at all\n".utf8))
        #expect { try Checkpoint.loadOrCreateKey(path: malformed, publicPath: "\(directory)/m.pub") } throws: {
            ($0 as? StoreError)?.code == .badKey
        }
        #expect(try PrivateFile.read(malformed) == Array("not base64 at all\n".utf8))

        let folderKey = "\(directory)/folder.key"
        try FileManager.default.createDirectory(atPath: folderKey, withIntermediateDirectories: false)
        #expect { try Checkpoint.loadOrCreateKey(path: folderKey, publicPath: "\(directory)/f.pub") } throws: {
            ($0 as? StoreError)?.code == .badKey
        }
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/f.pub"))
    }

    @Test func everyConnectionDeletesSecurely() throws {
        let path = "\(folder())/hub.sqlite"
        let store = try HubStore(path: path)
        #expect(try store.read { try Int.fetchOne($0, sql: "PRAGMA secure_delete") } == 1)
        let reader = try HubStore(path: path, readOnly: true)
        #expect(try reader.read { try Int.fetchOne($0, sql: "PRAGMA secure_delete") } == 1)
    }

    /// A body past its retention goes with its envelope (which holds the sender's free text), and the bytes
    /// are gone from the file, not left in a free page.
    @Test func deletingABodyDeletesItsEnvelopeAndOverwritesBoth() throws {
        let path = "\(folder())/hub.sqlite"
        let store = try HubStore(path: path)
        let bodyMarker = "BODY-MARKER-" + String(repeating: "b", count: 3000)
        let envelopeMarker = "ENVELOPE-MARKER-" + String(repeating: "e", count: 3000)
        let sequence = try store.transaction { tx in
            let sequence = try tx.insertMessage(
                source: "npas", messageID: "m-1", type: "test.summary", envelope: Array(envelopeMarker.utf8),
                body: Array(bodyMarker.utf8), bodyDigest: "d", receivedAt: 1, expiresAt: 1000, retainUntil: 5
            ).sequence
            try tx.insertDeliveries(
                sequence: sequence, recipients: [AgencyID("yot")!], views: [AgencyID("yot")!: Array(bodyMarker.utf8)],
                envelopeViews: [AgencyID("yot")!: Array(envelopeMarker.utf8)])
            try tx.acknowledge(recipient: AgencyID("yot")!, sequence: sequence, at: 2)
            return sequence
        }
        #expect(try store.transaction { tx in try tx.deleteExpiredBodies(now: 10, limit: 10) } == [sequence])
        #expect(try !store.holdsBody(sequence: sequence))
        #expect(try !store.holdsEnvelope(sequence: sequence))
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM deliveries WHERE view IS NOT NULL OR envelope_view IS NOT NULL") } == 0)
        // Move everything from the write-ahead log into the file, then look for the bytes.
        try DatabaseQueue(path: path).inDatabase { _ = try Row.fetchAll($0, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(file.range(of: Data("BODY-MARKER".utf8)) == nil, "the deleted body is still in the file")
        #expect(file.range(of: Data("ENVELOPE-MARKER".utf8)) == nil, "the deleted envelope is still in the file")
    }

    @Test func aRecipientsReasonForRejectingGoesWithTheBodyAndTheHubsOwnReasonsStay() throws {
        let path = "\(folder())/hub.sqlite"
        let store = try HubStore(path: path)
        let yot = AgencyID("yot")!
        let reasonMarker = "REASON-MARKER-" + String(repeating: "r", count: 600)
        let (rejected, expired) = try store.transaction { tx in
            func message(_ id: String) throws -> Int64 {
                let sequence = try tx.insertMessage(
                    source: "npas", messageID: id, type: "test.summary", envelope: Array("{}".utf8), body: Array("{}".utf8),
                    bodyDigest: "d", receivedAt: 1, expiresAt: 1000, retainUntil: 5
                ).sequence
                try tx.insertDeliveries(sequence: sequence, recipients: [yot])
                return sequence
            }
            let rejected = try message("m-1"), expired = try message("m-2")
            #expect(try tx.deadLetter(recipient: yot, sequence: rejected, cause: .rejected, reason: reasonMarker, at: 2))
            #expect(try tx.deadLetter(recipient: yot, sequence: expired, cause: .expired, reason: "Not delivered within its time to live", at: 2))
            return (rejected, expired)
        }
        #expect(try store.transaction { tx in try tx.deleteExpiredBodies(now: 10, limit: 10) } == [rejected, expired])
        let reasons = Dictionary(uniqueKeysWithValues: try store.deadLetterRecords().map { ($0.sequence, $0.reason) })
        #expect(reasons[rejected] == DeadLetterCause.reasonDeletedWithBody)
        #expect(reasons[expired] == "Not delivered within its time to live")
        try DatabaseQueue(path: path).inDatabase { _ = try Row.fetchAll($0, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(file.range(of: Data("REASON-MARKER".utf8)) == nil, "the recipient's reason is still in the file")
    }

    @Test func aStoreWhoseBodiesWentBeforeTheReasonsDidLosesTheReasonsWhenOpened() throws {
        let path = "\(folder())/hub.sqlite"
        let yot = AgencyID("yot")!
        let sequence = try {
            let store = try HubStore(path: path)
            return try store.transaction { tx in
                let sequence = try tx.insertMessage(
                    source: "npas", messageID: "m-1", type: "test.summary", envelope: Array("{}".utf8), body: Array("{}".utf8),
                    bodyDigest: "d", receivedAt: 1, expiresAt: 1000, retainUntil: 5
                ).sequence
                try tx.insertDeliveries(sequence: sequence, recipients: [yot])
                _ = try tx.deadLetter(recipient: yot, sequence: sequence, cause: .rejected, reason: "REASON-MARKER about a child", at: 2)
                return sequence
            }
        }()
        // What the sweep did before it took the reasons too.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE messages SET body = NULL, envelope = X'', deleted_at = 10 WHERE sequence = ?", arguments: [sequence])
        }
        let reopened = try HubStore(path: path)
        #expect(try reopened.deadLetterRecords().first { $0.sequence == sequence }?.reason == DeadLetterCause.reasonDeletedWithBody)
        // It runs at every open: it must find each message by its key, not read every message of a large store.
        let plan = try reopened.read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN " + HubStore.clearReasonsOfDeletedBodiesSQL,
                arguments: HubStore.clearReasonsOfDeletedBodiesArguments
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.hasPrefix("SEARCH messages USING INTEGER PRIMARY KEY") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN messages") }, "\(plan)")
    }
}
