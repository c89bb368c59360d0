import Foundation
import LiaisonProtocol
import LiaisonStore
import StrictJSON
import Testing

@testable import LiaisonBroker

/// The county's own agreements (config/agreements), applied by the core: deny by default, minimise, cohorts.
@Suite("HubCore in memory: the sharing rules")
struct SharingInCoreTests {
    static func example(_ path: String) throws -> JSONValue {
        try JSONValue.parse(Array(Data(contentsOf: CoreHarness.repository.appendingPathComponent("schemas/examples/\(path)"))))
    }

    @Test func aChildNotOnTheCaseloadIsDeniedWholeAndTheDecisionIsAudited() throws {
        var hub = try CoreHarness(rules: true)
        let npas = hub.connect("npas")
        _ = hub.connect("yot")
        let sent = hub.send("s-1", type: "yot.attendance-summary", from: npas, as: "npas", body: try SharingInCoreTests.example("yot.attendance-summary/valid-1.json"))
        #expect(sent.rejections == [.denied])
        #expect(sent.deliveries.isEmpty)
        let decision = try #require(hub.ledger.events(.decision).first)
        #expect(decision.code == ProtocolError.Code.denied.number)
        #expect(decision.detail?.contains("\"permitted\":false") == true)
    }

    @Test func aCohortUpdateLetsTheSummaryThroughMinimisedAndKeepsOnlyUPNs() throws {
        var hub = try CoreHarness(rules: true)
        let npas = hub.connect("npas")
        let yotConnection = hub.connect("yot")
        let update = hub.send("c-1", type: "cohort.update", from: yotConnection, as: "yot", body: try SharingInCoreTests.example("cohort.update/valid-1.json"))
        #expect(update.receipts.count == 1)
        let yot = AgencyID("yot")!
        #expect(hub.core.cohorts[yot]?["yot-caseload"] == ["N926400123002", "Z926400123001", "B801200005001"])
        // The stored body keeps the UPNs and drops the names and dates of birth sent for matching.
        let kept = try #require(hub.ledger.bodies[1])
        #expect(!String(decoding: kept, as: UTF8.self).contains("Sample"))
        #expect(!String(decoding: kept, as: UTF8.self).contains("2008-04-14"))

        let sent = hub.send("s-1", type: "yot.attendance-summary", from: npas, as: "npas", body: try SharingInCoreTests.example("yot.attendance-summary/valid-1.json"))
        let delivered = try #require(sent.deliveries.first)
        let view = try JSONValue.parse(delivered.body)
        #expect(view["upn"]?.stringValue == "N926400123002")
        #expect(view["sen"]?["status"] != nil)
        #expect(view["sen"]?["primary_need"] == nil, "a field outside the flow is withheld")
        // The decision names pseudonyms, never the UPN.
        let decision = try #require(hub.ledger.events(.decision).last)
        #expect(decision.detail?.contains("psn-") == true)
        #expect(decision.detail?.contains("N926400123002") == false)
    }

    @Test func aRecipientsOwnEnvelopeIsStoredOnlyWhereItDiffersFromTheMessages() throws {
        var hub = try CoreHarness(rules: true)
        let npas = hub.connect("npas")
        let yotConnection = hub.connect("yot")
        hub.send("c-1", type: "cohort.update", from: yotConnection, as: "yot", body: try SharingInCoreTests.example("cohort.update/valid-1.json"))
        let summary = try SharingInCoreTests.example("yot.attendance-summary/valid-1.json")
        let yot = AgencyID("yot")!
        func deliveredEnvelope(_ sent: [(RoutingID, HubCommand)]) throws -> Envelope {
            let deliver = try #require(sent.compactMap { if case .deliver(_, let envelope, _, _) = $0.1 { envelope } else { nil } }.first)
            return try Envelope.decode(deliver)
        }

        // Named to the YOT alone, with nothing the flow withholds: the recipient's envelope is the message's own.
        let named = hub.send("s-1", type: "yot.attendance-summary", from: npas, as: "npas", to: ["yot"], body: summary)
        let namedSequence = try #require(named.receipts.first?.sequence)
        #expect(hub.ledger.envelopeViews[namedSequence]?.isEmpty == true)
        let namedEnvelope = try deliveredEnvelope(named)
        #expect(namedEnvelope.id == "s-1" && namedEnvelope.recipients == [yot])

        // Named to nobody (the rules choose): the YOT's own envelope names it, so it is stored, and that is what it gets.
        let chosen = hub.send("s-2", type: "yot.attendance-summary", from: npas, as: "npas", body: summary)
        let chosenSequence = try #require(chosen.receipts.first?.sequence)
        let stored = try #require(hub.ledger.envelopeViews[chosenSequence]?[yot])
        #expect(try Envelope.decode(stored).recipients == [yot])
        #expect(try deliveredEnvelope(chosen).recipients == [yot])
    }

    @Test func aResendOfACohortUpdateIsNotAppliedTwice() throws {
        var hub = try CoreHarness(rules: true)
        let yot = hub.connect("yot")
        hub.send("c-1", type: "cohort.update", from: yot, as: "yot", body: try SharingInCoreTests.example("cohort.update/valid-1.json"))
        let narrowed: JSONValue = .object([
            "cohort": .string("yot-caseload"), "operation": .string("replace"), "members": .array([.object(["upn": .string("Z926400123001")])]),
        ])
        hub.send("c-2", type: "cohort.update", from: yot, as: "yot", body: narrowed)
        let afterRemove = hub.core.cohorts[AgencyID("yot")!]?["yot-caseload"]
        #expect(afterRemove == ["Z926400123001"])
        let resent = hub.send("c-1", type: "cohort.update", from: yot, as: "yot", body: try SharingInCoreTests.example("cohort.update/valid-1.json"))
        #expect(resent.receipts.map(\.duplicate) == [true])
        #expect(hub.core.cohorts[AgencyID("yot")!]?["yot-caseload"] == afterRemove)
        #expect(hub.ledger.events(.cohortUpdated).count == 2)
    }

    @Test func aMessageNoFlowPermitsIsRefusedWithTheReason() throws {
        var hub = try CoreHarness(rules: true)
        let courts = hub.connect("courts")
        let sent = hub.send("x-1", type: "yot.case-update", from: courts, as: "courts", body: .object([:]))
        #expect(sent.rejections == [.denied])
        guard case .rejected(_, _, let reason)? = sent.first?.1 else { Issue.record("no rejection"); return }
        #expect(reason.contains("no agreement has a flow from courts"))
    }
}
