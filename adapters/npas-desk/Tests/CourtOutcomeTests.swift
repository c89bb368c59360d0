import Foundation
import Testing

@testable import NPASDesk

/// The court's outcomes at the desk: each disposal the law allows is recorded per defendant reference, custody and
/// community orders only on an s.444(1A) conviction, a defendant the file did not name is refused, and the case is
/// disposed of only when every defendant the file named has a final outcome.
@Suite("Court outcomes by defendant reference")
struct CourtOutcomeTests {
    static let named: [String: (number: Int, offence: String)] = ["D1": (1, "444(1A)"), "D2": (2, "444(1A)")]

    static func outcome(_ reference: String = "D1", offence: String = "444(1A)", _ outcome: String = "sentenced", sentence: [String: Any]? = nil,
                        extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "defendant_reference": reference, "defendant_number": Int(reference.dropFirst()) ?? 0, "offence": offence, "outcome": outcome,
        ]
        if let sentence { body["sentence"] = sentence }
        return body.merging(extra) { _, new in new }
    }

    /// Every disposal in court.outcome version 2, each as the court would send it.
    static var disposals: [(String, [String: Any])] { [
        ("absolute discharge", outcome(sentence: ["discharge": ["kind": "absolute"]])),
        ("conditional discharge", outcome(sentence: ["discharge": ["kind": "conditional", "months": 12]])),
        ("fine, costs and victim surcharge", outcome(sentence: ["fine": ["amount_pence": 40000], "victim_surcharge": ["amount_pence": 16000]],
                                                     extra: ["costs_pence": 30000])),
        ("parenting order with a programme", outcome(sentence: ["parenting_order": ["months": 12, "programme": true]])),
        ("community order", outcome(sentence: ["community_order": ["months": 6, "requirements": ["Unpaid work"]]])),
        ("custody", outcome(sentence: ["custody": ["days": 28, "suspended": true]])),
        ("ESO direction", outcome("D1", "dismissed", extra: ["eso_direction": true])),
        ("adjourned", outcome("D1", "adjourned", extra: ["adjourned_to": "2026-02-09"])),
        ("withdrawn", outcome("D1", "withdrawn")),
        ("dismissed", outcome("D1", "dismissed")),
    ] }

    @Test(arguments: [
        "absolute discharge", "conditional discharge", "fine, costs and victim surcharge", "parenting order with a programme", "community order",
        "custody", "ESO direction", "adjourned", "withdrawn", "dismissed",
    ])
    func eachDisposalIsRecordedByReference(_ name: String) throws {
        let body = try #require(Self.disposals.first { $0.0 == name }?.1)
        let rows = try NPASDesk.defendantOutcomes([body], reference: "NPAS-2025-0042", named: Self.named).get()
        #expect(rows.map(\.reference) == ["D1"])
        #expect(rows[0].outcome == body["outcome"] as? String)
        let sent = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
        #expect(rows[0].json == sent, "the outcome is kept as the court sent it")
    }

    @Test func custodyOrACommunityOrderNeedsAKnowingConviction() {
        for sentence in [["custody": ["days": 28, "suspended": false]], ["community_order": ["months": 6]]] as [[String: Any]] {
            let result = NPASDesk.defendantOutcomes([Self.outcome(offence: "444(1)", sentence: sentence)], reference: "NPAS-2025-0042", named: Self.named)
            guard case .failure(let error) = result else {
                Issue.record("accepted \(sentence) on s.444(1)")
                continue
            }
            #expect(error.description.contains("available only on a conviction under s.444(1A)"), "\(error)")
        }
        // A court may convict of s.444(1) on an s.444(1A) information; not the other way round.
        let strict: [String: (number: Int, offence: String)] = ["D1": (1, "444(1)")]
        #expect((try? NPASDesk.defendantOutcomes([Self.outcome(offence: "444(1)", sentence: ["fine": ["amount_pence": 100]])],
                                                 reference: "X", named: Self.named).get()) != nil)
        guard case .failure(let error) = NPASDesk.defendantOutcomes([Self.outcome(sentence: ["fine": ["amount_pence": 100]])], reference: "X", named: strict)
        else { Issue.record("an s.444(1A) conviction on an s.444(1) information was accepted"); return }
        #expect(error.description.contains("prosecuted under s.444(1), so cannot be convicted under s.444(1A)"))
    }

    @Test func aDefendantTheFileDidNotNameIsRefused() {
        let strangers = [Self.outcome("D3", "withdrawn")]
        guard case .failure(let error) = NPASDesk.defendantOutcomes(strangers, reference: "NPAS-2025-0042", named: Self.named) else {
            Issue.record("an outcome for D3 was accepted"); return
        }
        #expect(error.description.contains("D3 is not a defendant in the file sent for case NPAS-2025-0042, which names D1, D2"))
        var mismatched = Self.outcome("D2", "withdrawn")
        mismatched["defendant_number"] = 1
        guard case .failure(let other) = NPASDesk.defendantOutcomes([mismatched], reference: "X", named: Self.named) else {
            Issue.record("D2 numbered 1 was accepted"); return
        }
        #expect(other.description.contains("does not agree with defendant_number 1"))
    }

    @Test func theCaseIsDisposedOfOnlyWhenEveryDefendantHasAFinalOutcome() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("desk-outcomes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        try await store.storeReferral(messageID: "m1", source: "schools-mis", body: Array(ProsecutionFileBuilderTests.referral().utf8))
        let reference = try #require(try store.cases().first?.reference)
        let mother = try store.chooseDefendant(reference, contact: 1, dateOfBirth: "1985-06-21", hasCare: true, by: "E. Worker", reason: "Has care.")
        let stepFather = try store.chooseDefendant(reference, contact: 2, dateOfBirth: "1980-01-02", hasCare: true, by: "E. Worker", reason: "Lives with Kai.")
        #expect([mother.reference, stepFather.reference] == ["D1", "D2"])
        #expect(try store.defendants(of: reference).map(\.reason) == ["Has care.", "Lives with Kai."])
        try store.recordProsecution(
            reference, hearingDate: "2026-01-12", offence: "444(1A)", defendants: [("D1", 1), ("D2", 2)], messageID: "p1", receipt: "hub sequence 1")
        #expect(try store.prosecutedDefendants(reference).keys.sorted() == ["D1", "D2"])

        func record(_ id: String, _ outcomes: [[String: Any]]) throws -> DeskStore.OutcomeState {
            let rows = try NPASDesk.defendantOutcomes(outcomes, reference: reference, named: try store.prosecutedDefendants(reference)).get()
            return try store.recordOutcome(reference, messageID: id, hearingDate: "2026-01-12", defendants: rows.map { ($0.reference, $0.number, $0.outcome, $0.json) })
        }
        var state = try record("o1", [Self.outcome("D1", sentence: ["fine": ["amount_pence": 40000]]), Self.outcome("D2", "adjourned", extra: ["adjourned_to": "2026-02-09"])])
        #expect(!state.final && state.awaiting == ["D2"])
        state = try record("o2", [Self.outcome("D2", sentence: ["custody": ["days": 14, "suspended": true]])])
        #expect(state.final && state.awaiting.isEmpty)
        #expect(try store.deskCase(reference)?.status == "disposed")
        #expect(try store.history(of: reference).contains { $0.detail == "hearing 2026-01-12: D2: sentenced" })
    }
}
