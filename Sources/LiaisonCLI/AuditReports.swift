import AttendanceDomain
import ArgumentParser
import Foundation
import StrictJSON
import LiaisonStore
import LiaisonConfig
import LiaisonRules

extension AuditCommand {
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find audit records by agency, recipient, type, kind, agreement, decision and time.",
            discussion: "Example: liaison audit query --agreement yot-protocol --denied --since 2026-11-01 --format csv")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The agency that acted (sender, or the agency that connected).") var agency: String?
        @Option(help: "The recipient.") var recipient: String?
        @Option(help: "The message type.") var type: String?
        @Option(help: "The kind of record, e.g. accepted, decision, rejected, handshake-refused.") var kind: String?
        @Option(help: "Decisions under this agreement.") var agreement: String?
        @Flag(help: "Only decisions that permitted.") var permitted = false
        @Flag(help: "Only decisions that denied.") var denied = false
        @Option(help: "From this date or time (YYYY-MM-DD or RFC 3339).") var since: String?
        @Option(help: "Up to this date or time (YYYY-MM-DD or RFC 3339).") var until: String?
        @Option(help: "At most this many records.") var limit: Int = 1000
        @Option(help: "table, json or csv.") var format: String = "table"

        func run() throws {
            var filter = HubStore.AuditFilter()
            filter.agency = agency
            filter.recipient = recipient
            filter.type = type
            filter.kind = kind
            filter.agreement = agreement
            if permitted != denied { filter.permitted = permitted }
            filter.from = try since.map { try milliseconds($0, endOfDay: false) }
            filter.until = try until.map { try milliseconds($0, endOfDay: true) }
            filter.limit = limit
            let records = try AuditCommand.openStore(options).audit(matching: filter)
            switch format {
            case "json": for record in records { print(record.jsonLine) }
            case "csv":
                print("entry,at,kind,agency,recipient,type,message_id,sequence,code,detail")
                for record in records {
                    let event = record.event
                    let fields: [String] = [
                        String(record.entry), Date(timeIntervalSince1970: Double(event.at) / 1000).ISO8601Format(), event.kind.rawValue,
                        event.agency ?? "", event.recipient ?? "", event.type ?? "", event.messageID ?? "", event.sequence.map(String.init) ?? "",
                        event.code.map(String.init) ?? "", event.detail ?? "",
                    ]
                    print(fields.map(CSVRecordReader.escape).joined(separator: ","))
                }
            case "table": for record in records { print(record.line) }
            default: throw UserFacingError("audit query: --format is table, json or csv.")
            }
        }

        func milliseconds(_ text: String, endOfDay: Bool) throws -> Int64 {
            let full = text.count == 10 ? text + (endOfDay ? "T23:59:59Z" : "T00:00:00Z") : text
            guard let date = try? Date(full, strategy: .iso8601) else {
                throw UserFacingError("audit query: '\(text)' is not a date (YYYY-MM-DD) or an RFC 3339 time.")
            }
            return Int64(date.timeIntervalSince1970 * 1000) + (endOfDay && text.count == 10 ? 999 : 0)
        }
    }

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report every audit entry that holds a UPN-shaped or otherwise personal-looking token.",
            discussion: """
                For logs written before ids were made opaque: reads every entry and names each field holding a \
                UPN-shaped token, an email address, a UK phone number, a UK postcode or a date that could be a \
                child's date of birth (docs/audit.md says how each is told from timestamps and digests). Tokens \
                are printed masked (a UPN as its first 6 characters), never whole. Entries cannot be changed: \
                the report tells the operator what the log discloses to whoever reads it. Exits 0 when nothing \
                is found, 1 when something is.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "table or json.") var format: String = "table"

        func run() throws {
            guard ["table", "json"].contains(format) else { throw UserFacingError("audit scan: --format is table or json.") }
            let scan: HubStore.PersonalDataScan
            do { scan = try AuditCommand.openStore(options).scanForPersonalData() } catch {
                throw UserFacingError("audit scan: \(error)")
            }
            let counts = scan.counts.sorted { $0.key < $1.key }
            if format == "json" {
                AuditCommand.printJSON([
                    "entries_scanned": scan.entriesScanned, "entries_with_findings": scan.entriesWithFindings,
                    "findings_count": scan.findings.count,
                    "counts": Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                    "findings": scan.findings.map {
                        ["entry": $0.entry, "kind": $0.kind.rawValue, "field": $0.field, "token": $0.masked] as [String: Any]
                    },
                ])
            } else {
                for finding in scan.findings {
                    print("entry \(finding.entry)  \(finding.kind.rawValue)  \(finding.field)  \(finding.masked)")
                }
                let byKind = counts.map { "\($0.key.rawValue): \($0.value)" }.joined(separator: ", ")
                print(
                    scan.findings.isEmpty
                        ? "No personal-looking tokens in \(scan.entriesScanned) entries."
                        : "\(scan.findings.count) personal-looking tokens in \(scan.entriesWithFindings) of \(scan.entriesScanned) entries (\(byKind)).")
            }
            if !scan.findings.isEmpty { throw ExitCode.failure }
        }
    }

    struct Receipt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An agency's evidence for one exchange: the audit entry, its inclusion proof, and the signed checkpoint it is proved against.",
            discussion: """
                The entry number is in every ACCEPTED receipt ("audit_entry"). The proof is against the latest signed \
                checkpoint, so the receipt can be checked with the hub's checkpoint public key alone (docs/audit.md).
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The audit entry number.") var entry: Int64

        func run() throws {
            let store = try AuditCommand.openStore(options)
            let hub = try loadHub(options.config, requireKeys: false)
            guard let note = try store.checkpointNotes().last else {
                throw UserFacingError("audit receipt: no checkpoint signed yet; the broker signs one within 10 seconds of new entries.")
            }
            let publicKey = try Checkpoint.loadPublicKey(path: hub.configuration.checkpointPublicKeyPath)
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint.verify(note: note, publicKey: publicKey) } catch {
                throw UserFacingError("audit receipt: the latest checkpoint does not verify: \(error)")
            }
            guard entry >= 1, Int(entry) <= checkpoint.size else {
                throw UserFacingError("audit receipt: entry \(entry) is not yet covered by a signed checkpoint (it covers \(checkpoint.size)); try again in a few seconds.")
            }
            let proof = try store.inclusionProof(entry: entry, size: checkpoint.size)
            guard let record = try store.auditEntry(entry) else { throw UserFacingError("audit receipt: no entry \(entry).") }
            AuditCommand.printJSON([
                "entry": entry, "leaf_index": entry - 1, "leaf": AuditLeaf.text(record),
                "tree_size": checkpoint.size, "root": AuditCommand.hex(checkpoint.root), "inclusion_proof": proof.path.map(AuditCommand.hex),
                "checkpoint": note,
            ])
        }
    }

    struct Subject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every release of one child's data: for a subject access request.",
            discussion: """
                Finds, through the child's keyed pseudonym (the audit never holds the UPN), every decision that \
                released the child's data: when, from whom, to whom, under which agreement and lawful basis, which \
                fields, with each record's entry text, leaf hash and inclusion proof against the latest signed \
                checkpoint (docs/audit.md says how to check one). --format html gives a report ready for a letter.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The child's UPN.") var upn: String
        @Option(help: "json or html.") var format: String = "json"

        func run() throws {
            guard ["json", "html"].contains(format) else { throw UserFacingError("audit subject: --format is json or html.") }
            let hub = try loadHub(options.config, requireKeys: false)
            let key = try AuditCommand.pseudonymKey(hub.configuration.pseudonymKeyPath)
            let store = try AuditCommand.openStore(options)
            let report: SubjectAccessReport
            do { report = try SubjectAccessReport.build(store: store, pseudonym: RuleSet.pseudonym(of: upn, key: key)) } catch {
                throw UserFacingError("audit subject: \(error)")
            }
            if format == "json" {
                AuditCommand.printJSON(report.json)
            } else {
                print(report.html(producedAt: Date()))
            }
        }
    }
}
