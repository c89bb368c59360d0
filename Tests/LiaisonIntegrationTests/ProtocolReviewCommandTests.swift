import Foundation
import LiaisonProtocol
import LiaisonStore
import LiaisonTestSupport
import Testing

/// `liaison report protocol`: the review paper read from a hub store holding decisions made by hand.
@Suite struct ProtocolReviewCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Milliseconds at noon UTC on a day.
    static func at(_ day: String) -> Int64 {
        Int64(try! Date(day + "T12:00:00Z", strategy: .iso8601).timeIntervalSince1970 * 1000)
    }

    static func decision(_ day: String, id: String, to recipient: String = "yot", permitted: Bool, detail: String) -> AuditEvent {
        AuditEvent(
            .decision, at: at(day), agency: "npas", messageID: id, type: "yot.attendance-summary", recipient: recipient,
            code: permitted ? 0 : 451, detail: detail)
    }

    @Test func thePaperCountsTheAgreementsDecisionsPerMonthFromTheHubsStore() async throws {
        let agreements = FileManager.default.temporaryDirectory.appendingPathComponent("review-agreements-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: agreements, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: agreements) }
        let current = try String(contentsOfFile: "\(Self.repository)/config/agreements/yot-protocol.yaml", encoding: .utf8)
        try current.write(toFile: "\(agreements)/yot-protocol.yaml", atomically: true, encoding: .utf8)
        // The file as last reviewed: v2.0, which also let the YOT see /sen/primary_need.
        let reviewed = current.replacingOccurrences(of: "version: \"2.1\"", with: "version: \"2.0\"")
            .replacingOccurrences(of: "/exclusions, /sen/status]", with: "/exclusions, /sen/status, /sen/primary_need]")
        #expect(reviewed != current)
        let since = "\(agreements)/../yot-protocol-\(UUID().uuidString).yaml"
        try reviewed.write(toFile: since, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: since) }

        let hub = try TemporaryHub(agencies: ["npas", "yot"], extraConfig: "agreements_dir: \(agreements)\n")
        defer { hub.remove() }
        let store = try HubStore(path: hub.databasePath)
        let permit = #"{"agreement":"yot-protocol","version":"2.1","flow":"caseload-attendance","permitted":true,"released":1,"withheld":0,"fields_withheld":[]}"#
        let minimised = #"{"agreement":"yot-protocol","version":"2.1","flow":"caseload-attendance","permitted":true,"released":1,"withheld":0,"fields_withheld":["/sen/primary_need"]}"#
        let noRecord = #"{"agreement":"yot-protocol","version":"2.1","flow":"caseload-attendance","permitted":false,"released":0,"withheld":1,"fields_withheld":[],"reasons":["yot-protocol/caseload-attendance: no record meets /upn is in the recipient's cohort 'yot-caseload'"]}"#
        let notCovered = #"{"permitted":false,"released":0,"withheld":0,"fields_withheld":[],"reasons":["yot-protocol v2.1: its flows from npas to yot do not cover 'referral'"]}"#
        let otherAgreement = #"{"agreement":"children-in-care","version":"1.1","flow":"alerts","permitted":true,"released":1,"withheld":0,"fields_withheld":[]}"#
        try store.transaction { tx in
            _ = try tx.append(Self.decision("2026-08-31", id: "before-the-period", permitted: true, detail: permit))
            _ = try tx.append(Self.decision("2026-09-02", id: "summary-1", permitted: true, detail: permit))
            _ = try tx.append(Self.decision("2026-09-20", id: "summary-2", permitted: true, detail: minimised))
            _ = try tx.append(Self.decision("2026-09-21", id: "summary-3", permitted: false, detail: noRecord))
            _ = try tx.append(Self.decision("2026-11-05", id: "summary-4", permitted: true, detail: permit))
            _ = try tx.append(Self.decision("2026-11-06", id: "referral-1", permitted: false, detail: notCovered))
            _ = try tx.append(Self.decision("2026-11-07", id: "alert-1", to: "social-services", permitted: true, detail: otherAgreement))
            _ = try tx.append(Self.decision("2026-12-01", id: "after-the-period", permitted: true, detail: permit))
            // summary-4 was refused by the YOT's adapter.
            _ = try tx.append(AuditEvent(
                .deadLettered, at: Self.at("2026-11-05") + 60_000, agency: "yot", messageID: "summary-4", type: "yot.attendance-summary",
                recipient: "yot", detail: "rejected"))
            try tx.updateCohort(
                owner: AgencyID("yot")!, name: "yot-caseload", operation: .replace,
                members: ["A926400100001", "A926400100002", "A926400100003", "A926400100004"])
        }

        let out = "\(hub.directory)/reports"
        let run = try await LiaisonExecutable.run([
            "report", "protocol", "--config", hub.configPath, "--folder", hub.directory, "--out", out, "--no-pdf", "--on", "2026-12-01",
            "--agreement", "yot-protocol", "--from", "2026-09-01", "--to", "2026-11-30", "--since", since,
        ])
        #expect(run.status == 0, "\(run.output)")
        func rows(_ table: String) throws -> [[String]] {
            let text = try String(contentsOfFile: "\(out)/protocol-review-yot-protocol-2026-11-30-\(table).csv", encoding: .utf8)
            return text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
        // Month, permitted, of which minimised, denied, all.
        #expect(try rows("monthly") == [
            ["Month", "Permitted", "Of which minimised", "Denied", "All decisions"],
            ["September 2026", "2", "1", "1", "3"],
            ["October 2026", "0", "0", "0", "0"],
            ["November 2026", "1", "0", "1", "2"],
            ["All months", "3", "1", "2", "5"],
        ])
        #expect(try rows("denials").dropFirst().map { $0.last } == ["1", "1"])
        #expect(try rows("dead-letters") == [["Cause", "Deliveries"], ["rejected", "1"]])
        #expect(try rows("cohorts").last == ["yot-caseload", "yot", "4"])
        let changes = try rows("changes").joined().joined(separator: "|")
        #expect(changes.contains("Version: 2.0 → 2.1"), "\(changes)")
        #expect(changes.contains("Flow caseload-attendance: fields removed: /sen/primary_need"), "\(changes)")
        let html = try String(contentsOfFile: "\(out)/protocol-review-yot-protocol-2026-11-30.html", encoding: .utf8)
        #expect(html.contains("2027-05-31 (181 days left)"))
        #expect(!html.contains("A926400100001"))

        // An agreement the folder does not hold is named, with those it does.
        let unknown = try await LiaisonExecutable.run([
            "report", "protocol", "--config", hub.configPath, "--folder", hub.directory, "--out", out, "--no-pdf",
            "--agreement", "no-such", "--from", "2026-09-01", "--to", "2026-11-30",
        ])
        #expect(unknown.status != 0 && unknown.output.contains("no agreement 'no-such'") && unknown.output.contains("yot-protocol"), "\(unknown.output)")
    }
}
