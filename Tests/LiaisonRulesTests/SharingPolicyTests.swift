import StrictJSON
import LiaisonProtocol
import Testing

@testable import LiaisonRules

/// The whole message's decision: which recipients, with what view, and which children each decision's record and the
/// subject index name (the body's children are found once and shared by every recipient's decision).
@Suite("Sharing a whole message")
struct SharingPolicyTests {
    static let agreementYAML = """
        id: test-share
        title: Two recipients of one summary
        version: "1"
        parties: [npas, yot, connexions]
        lawful_basis: Test
        purpose: Test
        effective: 2026-09-01
        review: 2027-02-28
        end: 2028-08-31
        retention: 2y
        contact: Information governance officer
        flows:
          - id: whole-to-yot
            from: npas
            to: yot
            types: [yot.attendance-summary]
            purpose: The whole summary
            fields: [/]
          - id: some-to-connexions
            from: npas
            to: connexions
            types: [yot.attendance-summary]
            purpose: Only those not opted out, and only their UPNs
            records: /pupils
            where:
              - not_in_cohort: opt-outs
                key: /upn
            fields: [/pupils/*/upn]
        """

    @Test func eachRecipientGetsItsViewAndEachRecordNamesOnlyTheChildrenItReleased() throws {
        let rules = RuleSetTests()
        let policy = SharingPolicy(ruleSet: try rules.ruleSet(Self.agreementYAML), pseudonymKey: Array("test-key".utf8))
        let envelope = Envelope(id: "m-1", source: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [])
        let context = rules.context()
        let admission = policy.admit(envelope, body: rules.body, receivedAt: 0, date: context.date, cohorts: context.cohorts)
        let yot = AgencyID("yot")!, connexions = AgencyID("connexions")!
        #expect(admission.recipients == [yot, connexions])

        // The YOT's view is the whole body: not written again, and `view` is the body itself.
        #expect(admission.views[yot] == nil)
        let whole = try #require(admission.decisions.first { $0.recipient == yot })
        #expect(whole.viewIsWholeBody && whole.view == rules.body && whole.viewJSON == nil)
        // Connexions' view is written as text: the opted-out child and every other field withheld.
        let minimised = try #require(admission.views[connexions])
        #expect(String(decoding: minimised, as: UTF8.self) == #"{"pupils":[{"upn":"Q926200024001"},{"upn":"Q926200024002"}]}"#)

        let key = PseudonymKey(Array("test-key".utf8))
        func children(_ recipient: AgencyID) throws -> [String] {
            let record = try #require(admission.records.first { $0.recipient == recipient })
            return try JSONValue.parse(record.detail)["children"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        #expect(try children(yot) == ["Q926200024001", "B801200005001", "Q926200024002"].map(key.pseudonym(of:)))
        #expect(try children(connexions) == ["Q926200024001", "Q926200024002"].map(key.pseudonym(of:)))
        // The subject index names every child in the stored body.
        #expect(admission.subjects == ["Q926200024001", "B801200005001", "Q926200024002"].map(key.pseudonym(of:)).sorted())
    }
}
