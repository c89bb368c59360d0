import Foundation
import GRDB

extension HubStore {
    /// One personal-looking token in one audit entry.
    package struct PersonalDataFinding: Sendable, Equatable {
        package var entry: Int64
        package var field: String
        package var kind: PersonalDataScanner.Kind
        /// The token masked (`PersonalDataScanner.Token.masked`): a report never repeats it whole.
        package var masked: String
    }

    /// What `scanForPersonalData` found.
    package struct PersonalDataScan: Sendable {
        package var entriesScanned = 0
        package var findings: [PersonalDataFinding] = []
        package var entriesWithFindings: Int { Set(findings.map(\.entry)).count }
        package var counts: [PersonalDataScanner.Kind: Int] {
            findings.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
        }
    }

    /// Reads every audit entry (one pass, a cursor: memory is bounded by what is found) and reports each
    /// text field that holds a personal-looking token (`PersonalDataScanner`). Leaves cannot be changed, so
    /// this is for an operator deciding what an older log discloses, and to whom it may be shown.
    package func scanForPersonalData() throws(StoreError) -> PersonalDataScan {
        try read { db in
            var scan = PersonalDataScan()
            let fields = ["agency", "peer", "message_id", "type", "recipient", "body_sha256", "detail"]
            let cursor = try Row.fetchCursor(db, sql: "SELECT entry, at, \(fields.joined(separator: ", ")) FROM audit_log ORDER BY entry")
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            while let row = try cursor.next() {
                scan.entriesScanned += 1
                let entry: Int64 = row[0]
                let at: Int64 = row[1]
                let year = calendar.component(.year, from: Date(timeIntervalSince1970: Double(at) / 1000))
                for (offset, field) in fields.enumerated() {
                    guard let text: String = row[offset + 2] else { continue }
                    for token in PersonalDataScanner.find(in: text, year: year) {
                        scan.findings.append(PersonalDataFinding(entry: entry, field: field, kind: token.kind, masked: token.masked))
                    }
                }
            }
            return scan
        }
    }
}
