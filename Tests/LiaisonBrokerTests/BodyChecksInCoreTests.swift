import Foundation
import LiaisonProtocol
import LiaisonStore
import StrictJSON
import Testing

@testable import LiaisonBroker

/// Under load the core hands every body's parse and schema check to the body checker's thread, and still admits the
/// SENDs in the order they came, each with the answer it would have had at once.
@Suite("HubCore in memory: bodies checked off the loop")
struct BodyChecksInCoreTests {
    /// A SEND reaches the core with no cycle run after it (the checks it asks for stay among its actions).
    static func arrive(_ hub: inout CoreHarness, _ id: String, from routingID: RoutingID, body: JSONValue) {
        let envelope = Envelope(id: id, source: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [])
        hub.core.receive(
            from: routingID, agency: AgencyID("npas")!, keyFingerprint: Digest.fingerprint(ofKey: CoreHarness.key(of: "npas")), peer: nil,
            frames: WireCodec.encode(AdapterCommand.send(envelope: envelope.encoded(), body: body.encoded()))[...], droppedFrames: 0,
            time: hub.time)
    }

    static func jobs(_ hub: inout CoreHarness) -> [BodyChecker.Job] {
        hub.core.takeActions().compactMap { if case .checkBody(let job) = $0 { job } else { nil } }
    }

    /// Every job checked as the body checker would, in the order given.
    static func check(_ jobs: [BodyChecker.Job], _ hub: CoreHarness) -> [(ticket: Int64, result: Result<BodyChecker.Checked, ProtocolError>)] {
        let schemas = hub.core.schemas
        return jobs.map { job in
            (job.ticket, Result { () throws(ProtocolError) -> BodyChecker.Checked in try BodyChecker.check(job, schemas: schemas) })
        }
    }

    /// The YOT connected, with the example child on its caseload; returns a summary about that child.
    static func onTheYOTsCaseload(_ hub: inout CoreHarness) throws -> JSONValue {
        let yot = hub.connect("yot")
        hub.send("c-1", type: "cohort.update", from: yot, as: "yot", body: try SharingInCoreTests.example("cohort.update/valid-1.json"))
        return try SharingInCoreTests.example("yot.attendance-summary/valid-1.json")
    }

    @Test func underLoadEveryBodyIsCheckedOffTheLoopAndTheAnswersKeepTheirOrder() throws {
        var hub = try CoreHarness(rules: true, schemas: true)
        let npas = hub.connect("npas")
        let valid = try Self.onTheYOTsCaseload(&hub)
        let invalid = try SharingInCoreTests.example("yot.attendance-summary/invalid-unknown-sen-status.json")

        hub.core.checksBodiesOffLoop = true
        Self.arrive(&hub, "s-1", from: npas, body: valid)
        Self.arrive(&hub, "s-2", from: npas, body: invalid)
        Self.arrive(&hub, "s-3", from: npas, body: valid)
        let jobs = Self.jobs(&hub)
        #expect(jobs.map(\.reference) == ["s-1", "s-2", "s-3"], "each small body goes to the checker")
        #expect(!hub.core.hasPendingWork, "nothing is admitted before its check comes back")

        // The checker finishes the last two first: the first still goes first.
        let results = Self.check(jobs, hub)
        hub.core.bodiesChecked(Array(results[1...]), time: hub.time)
        #expect(!hub.core.hasPendingWork)
        hub.core.bodiesChecked([results[0]], time: hub.time)
        let answers = hub.cycle().filter { $0.0 == npas }
        // Each SEND has the answer it would have had at once; the accepted ones keep their order in the store.
        var sequences: [String: Int64] = [:]
        var refused: [String: Int] = [:]
        for answer in answers {
            switch answer.1 {
            case .accepted(let id, let receipt): sequences[id] = receipt.sequence
            case .rejected(let reference, let code, _): refused[reference] = code.number
            default: break
            }
        }
        #expect(refused == ["s-2": 422])
        let first = try #require(sequences["s-1"]), third = try #require(sequences["s-3"])
        #expect(first < third)
        #expect(hub.ledger.events(.decision).count >= 2)
    }

    /// Order is kept per connection: one adapter's body still being checked (a school's large return) does not hold up
    /// another adapter's message whose check is back.
    @Test func aConnectionWaitsOnlyForItsOwnEarlierBodies() throws {
        var hub = try CoreHarness(rules: true, schemas: true)
        let first = hub.connect("npas")
        let second = hub.connect("npas")
        let valid = try Self.onTheYOTsCaseload(&hub)

        hub.core.checksBodiesOffLoop = true
        Self.arrive(&hub, "a-1", from: first, body: valid)
        Self.arrive(&hub, "a-2", from: first, body: valid)
        Self.arrive(&hub, "b-1", from: second, body: valid)
        let jobs = Self.jobs(&hub)
        #expect(jobs.map(\.reference) == ["a-1", "a-2", "b-1"])
        let results = Self.check(jobs, hub)

        // The second connection's check and the first connection's second come back; its first is still being checked.
        hub.core.bodiesChecked([results[2], results[1]], time: hub.time)
        var answers = hub.cycle()
        #expect(answers.filter { $0.0 == second }.receipts.count == 1, "the other connection's message is admitted at once")
        #expect(answers.filter { $0.0 == first }.isEmpty, "a-2 waits for a-1")

        hub.core.bodiesChecked([results[0]], time: hub.time)
        answers = hub.cycle()
        var sequences: [String: Int64] = [:]
        for answer in answers where answer.0 == first {
            if case .accepted(let id, let receipt) = answer.1 { sequences[id] = receipt.sequence }
        }
        let a1 = try #require(sequences["a-1"]), a2 = try #require(sequences["a-2"])
        #expect(a1 < a2, "the first connection's messages are stored in the order it sent them")
        #expect(hub.core.parked.isEmpty && hub.core.parkedConnections.isEmpty && hub.core.parkedBytes == 0)
    }

    @Test func aDecisionMadeOffTheLoopOnCohortsThatHaveSinceChangedIsMadeAgain() throws {
        var hub = try CoreHarness(rules: true, schemas: true)
        let npas = hub.connect("npas")
        _ = hub.connect("yot")
        hub.core.checksBodiesOffLoop = true
        Self.arrive(&hub, "s-1", from: npas, body: try SharingInCoreTests.example("yot.attendance-summary/valid-1.json"))
        let job = try #require(Self.jobs(&hub).first)
        // Decided off the loop while the child is on no caseload: denied.
        let checked = try BodyChecker.check(job, schemas: hub.core.schemas)
        guard case .refuse? = checked.admission?.verdict else {
            Issue.record("the checker did not decide, or did not deny")
            return
        }
        // Meanwhile an earlier batch's cohort update commits: the child joins the YOT's caseload.
        hub.core.apply(CohortChange(owner: AgencyID("yot")!, name: "yot-caseload", operation: .replace, members: ["N926400123002"]))
        hub.core.bodiesChecked([(job.ticket, .success(checked))], time: hub.time)
        let answers = hub.cycle()
        #expect(answers.filter { $0.0 == npas }.receipts.count == 1, "decided again on the new cohort: accepted")
        #expect(answers.deliveries.count == 1)
    }

    @Test func aDecisionMadeOffTheLoopIsUsedWhenNothingChanged() throws {
        var hub = try CoreHarness(rules: true, schemas: true)
        let npas = hub.connect("npas")
        hub.core.checksBodiesOffLoop = true
        Self.arrive(&hub, "s-1", from: npas, body: try SharingInCoreTests.example("yot.attendance-summary/valid-1.json"))
        let job = try #require(Self.jobs(&hub).first)
        var checked = try BodyChecker.check(job, schemas: hub.core.schemas)
        // A decision the core would not make itself (no decisions at all: refused as no flow) shows that it was used.
        checked.admission?.verdict = .refuse(ProtocolError(.denied, "marked by the test", reference: "s-1"))
        hub.core.bodiesChecked([(job.ticket, .success(checked))], time: hub.time)
        let answers = hub.cycle().filter { $0.0 == npas }
        guard case .rejected(_, _, let reason)? = answers.first?.1 else {
            Issue.record("no rejection")
            return
        }
        #expect(reason == "marked by the test")
    }

    @Test func oneMessageAloneIsCheckedAtOnce() throws {
        var hub = try CoreHarness(rules: true, schemas: true)
        let npas = hub.connect("npas")
        hub.core.checksBodiesOffLoop = false
        Self.arrive(&hub, "s-1", from: npas, body: try SharingInCoreTests.example("yot.attendance-summary/valid-1.json"))
        #expect(Self.jobs(&hub).isEmpty)
        #expect(hub.core.hasPendingWork, "decided in the same call (denied: no cohort yet), its answer waiting for the commit")
    }
}
