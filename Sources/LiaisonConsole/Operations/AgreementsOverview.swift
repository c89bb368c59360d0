import Foundation
import LiaisonConfig
import LiaisonRules
import MonitoringReports
import LiaisonStore
import StrictJSON

/// The operator's agreements page: every agreement in the hub's `agreements_dir` (loaded as `liaison report protocol`
/// loads them), its flows, its review and end dates with the days left, and this month's decisions under it from the
/// hub's audit log (permitted, minimised — permitted with fields or records withheld — and denied), counted as the
/// protocol review's paper counts them.
enum AgreementsOverview {
    /// Reads the agreements and counts this month's decisions (the month of `now`, UTC, as the audit log's days).
    static func read(hubConfig: String?, hubStore: HubStoreAccess, now: Date) throws(HubOverview.Unavailable) -> [String: Any] {
        guard let hubConfig else {
            throw HubOverview.Unavailable(message: "The console has no hub_config, so it cannot find the agreements: set hub_config in console.yaml and restart it.")
        }
        let configuration: HubConfiguration, agencies: AgencyDirectory
        do {
            configuration = try HubConfiguration.load(path: hubConfig)
            agencies = try AgencyDirectory.load(path: configuration.agenciesFile, requireKeys: false)
        } catch {
            throw HubOverview.Unavailable(message: "Cannot read the hub's configuration: \(error)")
        }
        guard let folder = configuration.agreementsDirectory else {
            throw HubOverview.Unavailable(message: "The hub's configuration (\(hubConfig)) sets no agreements_dir: the hub shares nothing.")
        }
        let today = String(now.ISO8601Format().prefix(10))
        let monthStart = String(today.prefix(7)) + "-01"
        let loaded = RuleSetLoader.load(directory: folder, agencies: agencies, schemas: nil, today: today)
        let store = try HubOverview.open(hubStore)
        let from = Int64((try? Date(monthStart + "T00:00:00Z", strategy: .iso8601))?.timeIntervalSince1970 ?? 0) * 1000
        var rows: [[String: Any]] = []
        for agreement in loaded.ruleSet.agreements.sorted(by: { $0.id < $1.id }) {
            var filter = HubStore.AuditFilter()
            filter.kind = "decision"
            filter.agreement = agreement.id
            filter.from = from
            filter.limit = Int.max / 2
            let records: [AuditRecord]
            do { records = try store.audit(matching: filter) } catch {
                throw HubOverview.Unavailable(message: "Cannot read the hub's audit log: \(error.message)")
            }
            var permitted = 0, minimised = 0, denied = 0
            for record in records {
                guard record.event.code == 0 else { denied += 1; continue }
                permitted += 1
                let detail = record.event.detail.flatMap { try? JSONValue.parse($0) }
                if !(detail?["fields_withheld"]?.arrayValue ?? []).isEmpty || (detail?["withheld"]?.numberValue ?? 0) > 0 { minimised += 1 }
            }
            rows.append([
                "id": agreement.id, "title": agreement.title, "version": agreement.version,
                "review": agreement.review, "reviewDays": days(today, agreement.review),
                "end": agreement.end, "endDays": days(today, agreement.end),
                "overdue": (ProtocolReviewData.days(from: today, to: agreement.review) ?? 1) < 0,
                "flows": agreement.flows.map { flow -> [String: Any] in
                    ["id": flow.id, "from": flow.from.rawValue, "to": flow.to.rawValue, "types": flow.types.map(\.rawValue).joined(separator: ", ")]
                },
                "permitted": permitted, "minimised": minimised, "denied": denied,
            ])
        }
        return [
            "agreements": rows, "folder": folder, "month": String(today.prefix(7)),
            "problems": loaded.problems.map { ["text": $0.description] }, "hasProblems": !loaded.problems.isEmpty,
        ]
    }

    /// `12 days left`, `today`, or `3 days ago`.
    static func days(_ today: String, _ day: String) -> String {
        guard let count = ProtocolReviewData.days(from: today, to: day) else { return "" }
        switch count {
        case 0: return "today"
        case 1: return "1 day left"
        case 2...: return "\(count) days left"
        case -1: return "1 day ago"
        default: return "\(-count) days ago"
        }
    }
}
