import ArgumentParser
import Foundation
import LiaisonConfig
import LiaisonProtocol
import LiaisonRules
import LiaisonStore
import MonitoringReports
import StrictJSON

extension ReportCommand {
    /// `liaison report protocol`: the paper for the six-monthly review of one agreement. It reads the agreement from
    /// the agreements folder and what the hub recorded under it from the hub's store (read-only, safe while the broker
    /// runs), and builds the paper with ``ProtocolReview``.
    struct ProtocolReview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "protocol",
            abstract: "The paper for the six-monthly review of one data-sharing agreement.",
            discussion: """
                Its flows; the messages permitted, minimised and denied under it per month; the denial reasons; the \
                sizes of the cohorts its conditions name; the deliveries that became dead letters; what changed since \
                the last review; and its review and end dates with the days left. Reads the hub's store read-only. \
                The hub keeps no copy of an agreement as reviewed before, so give that file with --since to compare \
                the two and replay the held messages under both (as `liaison rules diff` does). See docs/reports.md.
                """)

        @OptionGroup var options: ConfigOptions
        @OptionGroup var report: ReportOptions
        @Option(help: ArgumentHelp("The agreement's id (as in its file's `id:`).", valueName: "id")) var agreement: String
        @Option(help: ArgumentHelp("The first day of the period, YYYY-MM-DD.", valueName: "date")) var from: String
        @Option(help: ArgumentHelp("The last day of the period, YYYY-MM-DD.", valueName: "date")) var to: String
        @Option(help: ArgumentHelp("The agreement's file as it was at the last review, to show what changed.", valueName: "file"))
        var since: String?
        @Option(help: ArgumentHelp("The agreements folder (default: agreements_dir in the hub configuration).", valueName: "dir"))
        var agreements: String?

        func validate() throws {
            for (name, value) in [("--from", from), ("--to", to)] where Self.milliseconds(value, endOfDay: false) == nil {
                throw ValidationError("\(name) is a date, YYYY-MM-DD: '\(value)' is not.")
            }
            if from > to { throw ValidationError("--from (\(from)) is after --to (\(to)).") }
        }

        func run() async throws {
            let madeOn = try report.day().description
            let control = try report.control()
            let options = self.options, agreementID = agreement, from = from, to = to, since = since, folder = agreements
            let data = try await ReportOptions.offPool {
                try Self.read(options: options, agreement: agreementID, from: from, to: to, since: since, agreementsFolder: folder)
            }
            let document = MonitoringReports.ProtocolReview(data: data, madeOn: madeOn, control: control).build()
            try await report.write(document, command: "protocol")
        }

        // MARK: Reading

        /// Everything the paper needs, read from the agreements folder and the hub's store.
        static func read(
            options: ConfigOptions, agreement id: String, from: String, to: String, since: String?, agreementsFolder: String?
        ) throws -> ProtocolReviewData {
            let hub = try loadHub(options.config, requireKeys: false)
            guard let folder = agreementsFolder ?? hub.configuration.agreementsDirectory else {
                throw UserFacingError("report protocol: no agreements folder: set agreements_dir in \(options.config) or pass --agreements.")
            }
            let current = RuleSetLoader.load(directory: folder, agencies: hub.agencies, schemas: nil, today: to).ruleSet
            guard let agreement = current.agreements.first(where: { $0.id == id }) else {
                let known = current.agreements.map(\.id).sorted().joined(separator: ", ")
                throw UserFacingError("report protocol: no agreement '\(id)' in \(folder) (it holds: \(known.isEmpty ? "none" : known)).")
            }
            let store = try hub.configuration.openSQLiteStore(command: "report protocol")
            let start = milliseconds(from, endOfDay: false)!, end = milliseconds(to, endOfDay: true)!

            // Decisions made under the agreement, and denials that name it among their reasons without one applying.
            var filter = HubStore.AuditFilter()
            filter.kind = "decision"
            filter.agreement = id
            filter.from = start
            filter.until = end
            filter.limit = Int.max / 2
            var records = try store.audit(matching: filter)
            var denials = HubStore.AuditFilter()
            denials.kind = "decision"
            denials.permitted = false
            denials.from = start
            denials.until = end
            denials.limit = Int.max / 2
            let named = try store.audit(matching: denials).filter { record in
                guard let detail = record.event.detail.flatMap({ try? JSONValue.parse($0) }), detail["agreement"]?.stringValue == nil else {
                    return false
                }
                return (detail["reasons"]?.arrayValue ?? []).contains { $0.stringValue.map { concerns($0, agreement: id) } ?? false }
            }
            records = (records + named).sorted { $0.entry < $1.entry }
            let decisions = records.map { decision(from: $0, agreement: id) }

            // Dead letters of deliveries the agreement permitted: matched to its decisions by message id and recipient
            // (decisions up to 31 days before the period, since a delivery can wait that long at most by default).
            filter.from = start - 31 * 86_400_000
            filter.permitted = true
            let permitted = Set(try store.audit(matching: filter).map { "\($0.event.messageID ?? "")\u{0}\($0.event.recipient ?? "")" })
            var deadLetters: [ProtocolReviewData.DeadLetter] = []
            for kind in ["dead-lettered", "expired"] {
                var letters = HubStore.AuditFilter()
                letters.kind = kind
                letters.from = start
                letters.until = end
                letters.limit = Int.max / 2
                for record in try store.audit(matching: letters) {
                    let event = record.event
                    guard permitted.contains("\(event.messageID ?? "")\u{0}\(event.recipient ?? "")"),
                        agreement.flows.contains(where: { $0.to.rawValue == event.recipient && $0.types.contains { $0.rawValue == event.type } })
                    else { continue }
                    deadLetters.append(ProtocolReviewData.DeadLetter(
                        at: event.at, recipient: event.recipient ?? "", type: event.type ?? "",
                        cause: kind == "expired" ? "expired" : event.detail ?? kind, messageID: event.messageID ?? ""))
                }
            }

            // Cohort sizes: the recipient's cohorts each flow's conditions name.
            let held = try store.cohorts()
            var cohorts: [ProtocolReviewData.Cohort] = []
            for flow in agreement.flows {
                for name in cohortNames(flow) where !cohorts.contains(where: { $0.owner == flow.to.rawValue && $0.name == name }) {
                    cohorts.append(.init(owner: flow.to.rawValue, name: name, size: held[flow.to.rawValue]?[name]?.count ?? 0))
                }
            }

            // What changed since the last review.
            var previous: ProtocolReviewData.Agreement?
            var replay: [ProtocolReviewData.Replay]?
            var replayed = 0
            if let since {
                let (old, oldRules) = try rulesAsReviewed(since: since, agreement: agreement, folder: folder, agencies: hub.agencies, today: to)
                previous = summary(old)
                var members: [AgencyID: [String: Set<String>]] = [:]
                for (owner, named) in held { if let agency = AgencyID(owner) { members[agency] = named } }
                let messages = try store.heldMessages().compactMap { message -> RuleDiff.Message? in
                    guard let source = AgencyID(message.source), let type = MessageType(message.type), let body = try? JSONValue.parse(message.body)
                    else { return nil }
                    return RuleDiff.Message(sequence: message.sequence, source: source, type: type, body: body)
                }
                replayed = messages.count
                let date = max(old.effective, agreement.effective)
                replay = RuleDiff.compare(
                    messages: messages, current: oldRules, proposed: current,
                    context: RuleSet.Context(date: date, cohorts: members, pseudonymKey: Array("review".utf8))
                ).map {
                    ProtocolReviewData.Replay(
                        agency: $0.agency.rawValue, newlyPermitted: $0.newlyPermitted, newlyDenied: $0.newlyDenied, recordsGained: $0.recordsGained,
                        recordsLost: $0.recordsLost, fieldsGained: $0.fieldsGained, fieldsLost: $0.fieldsLost)
                }
            }
            return ProtocolReviewData(
                agreement: summary(agreement), previous: previous, replay: replay, replayedMessages: replayed, from: from, to: to,
                decisions: decisions, deadLetters: deadLetters, cohorts: cohorts)
        }

        /// The rule set as it was at the last review: the agreements folder with this agreement's file replaced by
        /// `since` (in a private temporary folder, removed afterwards), and the agreement as that file gives it.
        static func rulesAsReviewed(
            since: String, agreement: Agreement, folder: String, agencies: AgencyDirectory, today: String
        ) throws -> (Agreement, RuleSet) {
            let manager = FileManager.default
            let scratch = NSTemporaryDirectory() + "liaison-review-\(UUID().uuidString)"
            try manager.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            defer { try? manager.removeItem(atPath: scratch) }
            let ownFile = (agreement.file as NSString).lastPathComponent
            for name in (try manager.contentsOfDirectory(atPath: folder)) where name.hasSuffix(".yaml") && name != ownFile {
                try manager.copyItem(atPath: "\(folder)/\(name)", toPath: "\(scratch)/\(name)")
            }
            guard manager.fileExists(atPath: since) else { throw UserFacingError("report protocol: --since \(since): no such file.") }
            try manager.copyItem(atPath: since, toPath: "\(scratch)/\(ownFile)")
            let loaded = RuleSetLoader.load(directory: scratch, agencies: agencies, schemas: nil, today: today)
            guard let old = loaded.ruleSet.agreements.first(where: { $0.id == agreement.id }) else {
                let problems = loaded.problems.filter { $0.description.contains(ownFile) }.map(\.description).joined(separator: "; ")
                throw UserFacingError(
                    "report protocol: --since \(since) is not a readable agreement '\(agreement.id)'"
                        + (problems.isEmpty ? " (its id differs)." : ": \(problems)"))
            }
            return (old, loaded.ruleSet)
        }

        // MARK: Mapping

        static func summary(_ agreement: Agreement) -> ProtocolReviewData.Agreement {
            ProtocolReviewData.Agreement(
                id: agreement.id, title: agreement.title, version: agreement.version, parties: agreement.parties.map(\.rawValue),
                lawfulBasis: agreement.lawfulBasis, purpose: agreement.purpose, effective: agreement.effective, review: agreement.review,
                end: agreement.end, retention: agreement.retention, bodyRetention: agreement.bodyRetention?.description,
                contact: agreement.contact,
                flows: agreement.flows.map { flow in
                    ProtocolReviewData.Flow(
                        id: flow.id, from: flow.from.rawValue, to: flow.to.rawValue, types: flow.types.map(\.rawValue), purpose: flow.purpose,
                        fields: flow.fields.map(\.description), conditions: flow.conditions.map(\.description), cohorts: cohortNames(flow))
                })
        }

        static func cohortNames(_ flow: Flow) -> [String] {
            flow.conditions.compactMap { condition in
                switch condition {
                case .inCohort(let name, _), .notInCohort(let name, _): name
                default: nil
                }
            }
        }

        /// A decision's audit record as the paper counts it.
        static func decision(from record: AuditRecord, agreement id: String) -> ProtocolReviewData.Decision {
            let detail = record.event.detail.flatMap { try? JSONValue.parse($0) }
            let permitted = record.event.code == 0
            let minimised = !(detail?["fields_withheld"]?.arrayValue ?? []).isEmpty
                || (detail?["withheld"]?.numberValue ?? 0) > 0
            let reasons = (detail?["reasons"]?.arrayValue ?? []).compactMap(\.stringValue).filter { concerns($0, agreement: id) }
                .map { reason(stripping: $0, agreement: id) }
            return ProtocolReviewData.Decision(
                at: record.event.at, permitted: permitted, minimised: permitted && minimised, flow: detail?["flow"]?.stringValue,
                version: detail?["version"]?.stringValue, reasons: permitted ? [] : reasons)
        }

        /// Whether a denial reason is about this agreement: `ID vVERSION: ...` or `ID/FLOW: ...`.
        static func concerns(_ reason: String, agreement id: String) -> Bool {
            reason.hasPrefix("\(id) v") || reason.hasPrefix("\(id)/")
        }

        /// A reason without the agreement's name in front: `ID v2.1: ended on ...` is `ended on ...`, and
        /// `ID/FLOW: no record meets ...` is `flow FLOW: no record meets ...`.
        static func reason(stripping reason: String, agreement id: String) -> String {
            if reason.hasPrefix("\(id)/"), let colon = reason.range(of: ": ") {
                let flow = reason[reason.index(reason.startIndex, offsetBy: id.count + 1)..<colon.lowerBound]
                return "flow \(flow): \(reason[colon.upperBound...])"
            }
            if reason.hasPrefix("\(id) v"), let colon = reason.range(of: ": ") { return String(reason[colon.upperBound...]) }
            return reason
        }

        /// A day's first (or last) millisecond since 1970, UTC; nil if `text` is not YYYY-MM-DD.
        static func milliseconds(_ text: String, endOfDay: Bool) -> Int64? {
            guard text.count == 10, let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) else { return nil }
            return Int64(date.timeIntervalSince1970 * 1000) + (endOfDay ? 86_399_999 : 0)
        }
    }
}
