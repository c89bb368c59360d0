import ArgumentParser
import Foundation
import LiaisonStore
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
            let entry = try store.transaction { tx in
                try tx.placeHold(pseudonym: pseudonym, reference: reference, at: Int64(Date().timeIntervalSince1970 * 1000))
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
            let entry = try store.transaction { tx in
                try tx.releaseHold(pseudonym: pseudonym, reference: reference, at: Int64(Date().timeIntervalSince1970 * 1000))
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
            let holds = try AuditCommand.openStore(options).legalHolds()
            if holds.isEmpty { print("No legal holds.") }
            for hold in holds {
                let when = Date(timeIntervalSince1970: Double(hold.placedAt) / 1000).ISO8601Format()
                print("\(hold.pseudonym)  \(hold.reference)  placed \(when)  audit entry \(hold.entry)")
            }
        }
    }

    /// Opens the store for writing and computes the child's pseudonym, checking the reference.
    static func openForHold(_ options: ConfigOptions, upn: String, reference: String) throws -> (HubStore, String) {
        guard !reference.isEmpty, reference.count <= 64,
            reference.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._/-".unicodeScalars.contains($0)) })
        else {
            throw UserFacingError("--reference must be 1-64 letters, digits, '.', '_', '/' or '-' (a reference such as SAR-2026-014, never a name).")
        }
        let hub = try loadHub(options.config, requireKeys: false)
        let key = try AuditCommand.pseudonymKey(hub.configuration.pseudonymKeyPath)
        do {
            return (try HubStore(path: hub.configuration.databasePath), RuleSet.pseudonym(of: upn, key: key))
        } catch {
            throw UserFacingError("cannot open the hub's store for writing: \(error)")
        }
    }
}
