import Foundation
import LiaisonStore
import LiaisonTestSupport
import Testing

/// `liaison audit scan` on a log written before ids were opaque, and `audit subject`, which must not repeat
/// the UPN it was asked about (nor another child's) from such a log.
@Suite("Audit scan and subject reports on older logs", .timeLimit(.minutes(1)), .realProcesses)
struct AuditScanTests {
    static let child = "Q926200024001"
    static let other = "B801200005001"
    /// 2026-11-29T10:00:00Z
    static let at: Int64 = 1_764_410_400_000

    /// A hub folder whose store holds `events` (no broker runs: the CLI reads the store as it finds it).
    func hub(with events: [AuditEvent]) throws -> TemporaryHub {
        let hub = try TemporaryHub()
        let store = try HubStore(path: hub.databasePath)
        try store.transaction { tx in for event in events { try tx.append(event) } }
        return hub
    }

    func scan(_ hub: TemporaryHub, json: Bool = false) async throws -> (status: Int32, output: String) {
        try await LiaisonExecutable.run(["audit", "scan", "--config", hub.configPath] + (json ? ["--format", "json"] : []))
    }

    static let clean: [AuditEvent] = [
        AuditEvent(.configurationLoaded, at: at, detail: "ruleset 5f2b8c0e4a7d9b1c3e6f0a2d4b8c1e7f9a0b3c5d7e9f1a2b4c6d8e0f1a3b5c7d"),
        AuditEvent(.adapterConnected, at: at, agency: "npas", peer: "127.0.0.1", detail: "npas-desk"),
        AuditEvent(
            .accepted, at: at, agency: "npas", messageID: "m-2d5f0c1e-9a7b-4c3d-8e6f-0a1b2c3d4e5f", sequence: 1,
            type: "attendance.return", bodyDigest: "9a0b3c5d7e9f1a2b4c6d8e0f1a3b5c7d5f2b8c0e4a7d9b1c3e6f0a2d4b8c1e7f"),
        AuditEvent(.bodiesDeleted, at: at, detail: "[1,2,3,1048576]"),
        AuditEvent(.nackRetry, at: at, agency: "yot", messageID: "m-1", sequence: 1, detail: "attempt 2"),
    ]

    @Test func aCleanLogScansCleanAndExitsZero() async throws {
        let hub = try hub(with: Self.clean)
        defer { hub.remove() }
        let result = try await scan(hub)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("No personal-looking tokens in 5 entries"), "\(result.output)")
    }

    @Test func everyPersonalTokenIsReportedMaskedWithItsEntryKindAndField() async throws {
        let dirty = Self.clean + [
            AuditEvent(.accepted, at: Self.at, agency: "npas", messageID: "care-alert-\(Self.child)-3", sequence: 2, type: "care.alert"),
            AuditEvent(.rejected, at: Self.at, agency: "yot", messageID: "yot-\(Self.other.lowercased())", code: 422,
                       detail: "no pupil born 14/03/2012 at SW1A 1AA; ask jo.bloggs@example.org or 07700 900123"),
        ]
        let hub = try hub(with: dirty)
        defer { hub.remove() }
        let table = try await scan(hub)
        #expect(table.status == 1, "\(table.output)")
        for line in [
            "entry 6  upn  message_id  Q92620…", "entry 7  upn  message_id  b80120…", "entry 7  date-of-birth  detail",
            "entry 7  postcode  detail  SW1A …", "entry 7  email  detail  j…@example.org", "entry 7  phone  detail  0770…",
            "6 personal-looking tokens in 2 of 7 entries",
        ] {
            #expect(table.output.contains(line), "missing \(line) in \(table.output)")
        }
        // Masked, never whole.
        for token in [Self.child, Self.other.lowercased(), "14/03/2012", "SW1A 1AA", "jo.bloggs", "07700 900123"] {
            #expect(!table.output.contains(token), "\(token) printed whole")
        }

        let json = try await scan(hub, json: true)
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["entries_scanned"] as? Int == 7)
        #expect(object["entries_with_findings"] as? Int == 2)
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts == ["upn": 2, "email": 1, "phone": 1, "postcode": 1, "date-of-birth": 1])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["entry"] as? Int == 6 && $0["kind"] as? String == "upn" && $0["field"] as? String == "message_id" })
        #expect(!json.output.contains(Self.child))
    }

    /// `audit subject` from a log whose ids hold UPNs: the child's UPN (and another child's) appear nowhere in
    /// the JSON or the HTML; the release is still listed, its id masked.
    @Test func aSubjectReportNeverRepeatsAUPN() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        _ = try PseudonymKeyFile.loadOrCreate(path: "\(hub.keysDirectory)/pseudonym.key")
        // The hold prints the child's pseudonym: the way to learn it without the rules' HMAC here.
        let hold = try await LiaisonExecutable.run(["audit", "hold", "--config", hub.configPath, "--upn", Self.child, "--reference", "SAR-1"])
        #expect(hold.status == 0, "\(hold.output)")
        let pseudonym = try #require(hold.output.split(separator: " ").first { $0.hasPrefix("psn-") }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ":")) })
        let store = try HubStore(path: hub.databasePath)
        try store.transaction { tx in
            let detail = #"{"agreement":"yot-protocol","version":"1.3","lawful_basis":"s115","flow":"caseload-attendance","permitted":true,"sent":true,"fields":["/upn","/attendance"],"children":["\#(pseudonym)"]}"#
            let entry = try tx.append(AuditEvent(
                .decision, at: Self.at, agency: "npas", messageID: "yot-summary-\(Self.child)-\(Self.other)", sequence: 1,
                type: "test.summary", recipient: "yot", code: 0, detail: detail))
            try tx.indexSubjects([pseudonym], sequence: 1, entries: entry...entry)
        }
        for format in ["json", "html"] {
            let report = try await LiaisonExecutable.run(["audit", "subject", "--config", hub.configPath, "--upn", Self.child, "--format", format])
            #expect(report.status == 0, "\(report.output)")
            #expect(report.output.contains("yot-protocol"), "the release is missing: \(report.output)")
            #expect(!report.output.contains(Self.child), "\(format) repeats the UPN asked about")
            #expect(!report.output.contains(Self.other), "\(format) shows another child's UPN")
        }
        let json = try await LiaisonExecutable.run(["audit", "subject", "--config", hub.configPath, "--upn", Self.child])
        #expect(json.output.contains("yot-summary-Q92620…-B80120…"), "\(json.output)")
    }
}
