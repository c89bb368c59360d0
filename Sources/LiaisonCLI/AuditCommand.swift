import ArgumentParser
import Foundation
import LiaisonStore
import LiaisonConfig
import LiaisonStorePostgres
import MerkleLog

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the hub's audit log.",
        subcommands: [
            Tail.self, Query.self, Subject.self, Verify.self, Proof.self, Consistency.self, LatestCheckpoint.self, Receipt.self,
            Hold.self, Release.self, Holds.self, Scan.self,
        ])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the last audit records (and, with --follow, new ones as they are written).",
            discussion: "Reads the store read-only, so it is safe while the broker runs. Records hold no personal data.")

        @OptionGroup var options: ConfigOptions

        @Option(name: [.customShort("n"), .long], help: "How many records.")
        var count: Int = 20

        @Flag(help: "Keep printing new records until interrupted.")
        var follow = false

        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            let hub = try loadHub(options.config)
            let store = try hub.configuration.openSQLiteStore(command: "audit tail")
            var last: Int64 = 0
            repeat {
                let records = try store.auditTail(count: last == 0 ? count : 10_000, after: last)
                for record in records { print(json ? record.jsonLine : record.line) }
                last = records.last?.entry ?? last
                if follow { try await Task.sleep(for: .milliseconds(500)) }
            } while follow
        }
    }
}

extension AuditCommand {
    static func openStore(_ options: ConfigOptions) throws -> HubStore {
        let hub = try loadHub(options.config, requireKeys: false)
        return try hub.configuration.openSQLiteStore(command: "audit")
    }

    static func hex(_ bytes: [UInt8]) -> String { Digest.hex(bytes) }

    /// The hub's pseudonym key, read (never created) for finding a child's records.
    static func pseudonymKey(_ path: String) throws -> [UInt8] {
        let key: [UInt8]?
        do { key = try PseudonymKeyFile.load(path: path) } catch { throw UserFacingError("audit: \(error)") }
        guard let key else {
            throw UserFacingError("audit: no pseudonym key at \(path): the broker makes it on its first start with sharing rules.")
        }
        return key
    }

    static func printJSON(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit tree from the stored entries and name the first entry that breaks it.",
            discussion: """
                Every entry is re-encoded (docs/audit.md), hashed as an RFC 6962 leaf, and every subtree recomputed \
                and compared with the stored tree. An entry edited, deleted, inserted or moved is named; every signed \
                checkpoint is checked against the root recomputed at its size. Exits 1 on any problem. With --store, the \
                PostgreSQL store at that URL (or hub.yaml's store: when it names PostgreSQL) is checked instead of the \
                SQLite store in data_dir, in the same way: every \
                entry against its leaf, the stored subtrees, every signed checkpoint (the checkpoint public key is \
                needed: --key, or keys_dir's). The password comes from the URL's password_file or PGPASSWORD.
                """)

        @OptionGroup var options: ConfigOptions

        @Option(help: ArgumentHelp("A signed checkpoint kept outside the hub (e.g. by an agency) to hold the log to.", valueName: "file"))
        var fromCheckpoint: String?

        @Option(help: ArgumentHelp(
            "A PostgreSQL store to check instead of the SQLite store in data_dir: postgresql://USER@HOST:PORT/DATABASE[?…] (password from password_file or PGPASSWORD).",
            valueName: "url"))
        var store: String?

        @Option(help: ArgumentHelp("The hub's checkpoint public key (default: keys_dir/checkpoint.pub of --config).", valueName: "file"))
        var key: String?

        func run() throws {
            if let store { return try verifyPostgres(urls: [store]) }
            let hub = try loadHub(options.config, requireKeys: false)
            if case .postgresql(let urls) = hub.configuration.store { return try verifyPostgres(urls: urls) }
            let store = try AuditCommand.openStore(options)
            let keyPath = key ?? hub.configuration.checkpointPublicKeyPath
            let publicKey = try key.map { path in
                do { return try Checkpoint.loadPublicKey(path: path) } catch { throw UserFacingError("audit verify: \(error)") }
            } ?? (try? Checkpoint.loadPublicKey(path: keyPath))
            var extra: [String] = []
            if let fromCheckpoint {
                guard let data = FileManager.default.contents(atPath: fromCheckpoint) else {
                    throw UserFacingError("audit verify: cannot read \(fromCheckpoint)")
                }
                extra.append(String(decoding: data, as: UTF8.self))
            }
            let result: HubStore.Verification
            do { result = try store.verify(checkpoints: extra, publicKey: publicKey) } catch { throw UserFacingError("audit verify: \(error)") }
            let checkpoints = (try? store.checkpointNotes().count) ?? 0
            if let problem = result.problem {
                print("BROKEN: \(problem)")
                print("verified \(result.entries) entries before it")
                throw ExitCode.failure
            }
            print("OK: \(result.entries) entries, tree root \(AuditCommand.hex(result.root))")
            print(publicKey == nil
                ? "(no checkpoint public key at \(keyPath): signed checkpoints not checked)"
                : "\(checkpoints) signed checkpoints checked\(extra.isEmpty ? "" : ", and \(fromCheckpoint!)")")
        }
    }

    struct Proof: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the inclusion proof of one audit entry as JSON (RFC 6962), for anyone to check.",
            discussion: "docs/audit.md has a short Python verifier that needs only hashlib.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The entry number.") var entry: Int64
        @Option(help: "The tree size to prove against (default: the whole log).") var size: Int?

        func run() throws {
            do {
                let (proof, record) = try AuditCommand.readingEvidence(options) { store in
                    (try store.inclusionProof(entry: entry, size: size), try store.auditEntry(entry))
                }
                AuditCommand.printJSON([
                    "entry": entry, "leaf_index": entry - 1, "tree_size": proof.size, "root": AuditCommand.hex(proof.root),
                    "leaf_hash": AuditCommand.hex(proof.leaf), "inclusion_proof": proof.path.map(AuditCommand.hex),
                    "leaf": record.map(AuditLeaf.text) ?? "",
                ])
            } catch {
                throw UserFacingError("audit proof: \(error)")
            }
        }
    }

    struct LatestCheckpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Print the latest signed checkpoint (a C2SP signed note), for an agency to keep.",
            discussion: "Check it later with `liaison audit verify --from-checkpoint FILE`, or against the public key keys/checkpoint.pub.")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let notes = try AuditCommand.readingEvidence(options) { store in try store.checkpointNotes() }
            guard let note = notes.last else { throw UserFacingError("audit checkpoint: no checkpoint signed yet.") }
            print(note, terminator: "")
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the consistency proof between two sizes of the audit log as JSON (RFC 6962).",
            discussion: "Proves that the log at --to entries extends the log at --from entries: nothing was changed or removed.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The earlier size.") var from: Int
        @Option(help: "The later size.") var to: Int

        func run() throws {
            let store = try AuditCommand.openStore(options)
            do {
                let proof = try store.consistencyProof(old: from, new: to)
                AuditCommand.printJSON([
                    "from_size": from, "to_size": to, "from_root": AuditCommand.hex(proof.oldRoot),
                    "to_root": AuditCommand.hex(proof.newRoot), "consistency_proof": proof.path.map(AuditCommand.hex),
                ])
            } catch {
                throw UserFacingError("audit consistency: \(error)")
            }
        }
    }
}

extension AuditRecord {
    var line: String {
        let date = Date(timeIntervalSince1970: Double(event.at) / 1000).ISO8601Format(.iso8601WithTimeZone(includingFractionalSeconds: true))
        var parts = ["#\(entry)", date, event.kind.rawValue]
        if let agency = event.agency { parts.append("agency=\(agency)") }
        if let recipient = event.recipient { parts.append("to=\(recipient)") }
        if let type = event.type { parts.append("type=\(type)") }
        if let sequence = event.sequence { parts.append("seq=\(sequence)") }
        if let id = event.messageID { parts.append("id=\(id)") }
        if let code = event.code { parts.append("code=\(code)") }
        if let peer = event.peer { parts.append("peer=\(peer)") }
        if let digest = event.bodyDigest { parts.append("sha256=\(digest.prefix(16))…") }
        if let detail = event.detail { parts.append("(\(detail))") }
        return parts.joined(separator: " ")
    }

    var jsonLine: String {
        var object: [String: Any] = ["entry": entry, "at": event.at, "kind": event.kind.rawValue]
        object["agency"] = event.agency
        object["peer"] = event.peer
        object["message_id"] = event.messageID
        object["sequence"] = event.sequence
        object["type"] = event.type
        object["recipient"] = event.recipient
        object["body_sha256"] = event.bodyDigest
        object["code"] = event.code
        object["detail"] = event.detail
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
