import ArgumentParser
import Foundation
import LiaisonStore
import LiaisonStorePostgres
import LiaisonRules

extension AuditCommand {
    /// `liaison audit hold`: keeps a child's message bodies past their retention (an open subject access
    /// request, a court case), audited.
    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a legal hold on one child's messages: their bodies are kept past their retention period.",
            discussion: """
                The hold is recorded in the audit log with the child's keyed pseudonym and the reference (never the \
                UPN or a name). Safe while the broker runs. Release it with `liaison audit release`.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The child's UPN.") var upn: String
        @Option(help: "The request or case it serves, e.g. SAR-2026-014 (letters, digits, . _ / -; no names).")
        var reference: String

        func run() throws {
            let (store, pseudonym) = try AuditCommand.openForHold(options, upn: upn, reference: reference)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let entry: Int64
            switch store {
            case .sqlite(let store): entry = try store.transaction { tx in try tx.placeHold(pseudonym: pseudonym, reference: reference, at: now) }
            case .postgresql(let store):
                defer { store.close() }
                entry = try store.transaction { tx in try tx.placeHold(pseudonym: pseudonym, reference: reference, at: now) }
            }
            print("Legal hold \(reference) placed on child \(pseudonym): audit entry \(entry).")
        }
    }

    /// `liaison audit release`: ends a legal hold, audited.
    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a child's legal hold: their bodies are deleted again when their retention ends.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The child's UPN.") var upn: String
        @Option(help: "The reference of the decision to release it (e.g. the closed request's).") var reference: String

        func run() throws {
            let (store, pseudonym) = try AuditCommand.openForHold(options, upn: upn, reference: reference)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let entry: Int64?
            switch store {
            case .sqlite(let store): entry = try store.transaction { tx in try tx.releaseHold(pseudonym: pseudonym, reference: reference, at: now) }
            case .postgresql(let store):
                defer { store.close() }
                entry = try store.transaction { tx in try tx.releaseHold(pseudonym: pseudonym, reference: reference, at: now) }
            }
            guard let entry else { throw UserFacingError("audit release: child \(pseudonym) has no legal hold.") }
            print("Legal hold on child \(pseudonym) released (\(reference)): audit entry \(entry).")
        }
    }

    /// `liaison audit holds`: the holds in force.
    struct Holds: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the legal holds in force.")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let holds = try AuditCommand.readingEvidence(options) { store in try store.legalHolds() }
            if holds.isEmpty { print("No legal holds.") }
            for hold in holds {
                let when = Date(timeIntervalSince1970: Double(hold.placedAt) / 1000).ISO8601Format()
                print("\(hold.pseudonym)  \(hold.reference)  placed \(when)  audit entry \(hold.entry)")
            }
        }
    }

    /// A store a hold is written to: the hub's, whichever engine hub.yaml's `store:` names.
    enum HoldStore {
        case sqlite(HubStore)
        case postgresql(PostgresHubStore)
    }

    /// Runs `read` on the hub's store, whichever engine hub.yaml's `store:` names (a PostgreSQL connection is closed
    /// after it).
    static func readingEvidence<T>(_ options: ConfigOptions, _ read: (any AuditEvidenceReading) throws -> T) throws -> T {
        let hub = try loadHub(options.config, requireKeys: false)
        if case .postgresql(let urls) = hub.configuration.store {
            let store = try openPostgres(urls)
            defer { store.close() }
            return try read(store)
        }
        return try read(try hub.configuration.openSQLiteStore(command: "audit"))
    }

    /// Opens the hub's PostgreSQL store (the writable primary among `urls`) without taking the broker's lease.
    static func openPostgres(_ urls: [String]) throws -> PostgresHubStore {
        do { return try PostgresHubStore.open(urls: urls, lease: nil) } catch {
            throw UserFacingError("cannot open the hub's store: \(error)")
        }
    }

    /// Opens the store for writing and computes the child's pseudonym, checking the reference.
    static func openForHold(_ options: ConfigOptions, upn: String, reference: String) throws -> (HoldStore, String) {
        guard !reference.isEmpty, reference.count <= 64,
            reference.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._/-".unicodeScalars.contains($0)) })
        else {
            throw UserFacingError("--reference must be 1-64 letters, digits, '.', '_', '/' or '-' (a reference such as SAR-2026-014, never a name).")
        }
        let hub = try loadHub(options.config, requireKeys: false)
        let key = try AuditCommand.pseudonymKey(hub.configuration.pseudonymKeyPath)
        let pseudonym = RuleSet.pseudonym(of: upn, key: key)
        if case .postgresql(let urls) = hub.configuration.store { return (.postgresql(try openPostgres(urls)), pseudonym) }
        do {
            return (.sqlite(try HubStore(path: hub.configuration.databasePath)), pseudonym)
        } catch {
            throw UserFacingError("cannot open the hub's store for writing: \(error)")
        }
    }
}
