import Foundation
import StrictJSON
import LiaisonConfig
import LiaisonProtocol
import LiaisonTestSupport
import Testing

@testable import LiaisonRules

@Suite("Sharing-rule decisions")
struct RuleSetTests {
    static let agreementYAML = """
        id: yot-protocol
        title: Education information for the Youth Offending Team
        version: "2.0"
        parties: [npas, yot, connexions]
        lawful_basis: Crime and Disorder Act 1998 s115
        purpose: Support the education of young people known to the YOT
        effective: 2026-09-01
        review: 2027-02-28
        end: 2028-08-31
        retention: 2y
        contact: Information governance officer
        flows:
          - id: summary-to-yot
            from: npas
            to: yot
            types: [yot.attendance-summary]
            purpose: Monitor attendance of children on the YOT caseload
            records: /pupils
            where:
              - in_cohort: yot-caseload
                key: /upn
              - age: {dob: /dob, min: 10, max: 17}
            fields: [/period, /pupils/*/upn, /pupils/*/attendance]
            obligations:
              - pseudonymise: /pupils/*/upn
              - pseudonymise: /period
          - id: at-risk-to-connexions
            from: npas
            to: connexions
            types: [yot.attendance-summary]
            purpose: Tell Connexions of young people at risk
            records: /pupils
            where:
              - not_in_cohort: opt-outs
                key: /upn
            fields: [/pupils/*/upn]
        """

    func ruleSet(_ yaml: String = agreementYAML) throws -> RuleSet {
        let temporary = try TemporaryFolder("rules")
        defer { temporary.remove() }
        let folder = temporary.path
        try yaml.write(toFile: "\(folder)/yot.yaml", atomically: true, encoding: .utf8)
        let result = RuleSetLoader.load(directory: folder, agencies: nil, schemas: nil, today: "2026-11-29")
        #expect(result.problems.isEmpty, "\(result.problems)")
        return result.ruleSet
    }

    let body = try! JSONValue.parse(#"""
        {"period":"2026-autumn-1","pupils":[
          {"upn":"Q926200024001","dob":"2012-05-01","attendance":91.5,"name":"SYNTH ONE"},
          {"upn":"B801200005001","dob":"2011-01-09","attendance":62.0,"name":"SYNTH TWO"},
          {"upn":"Q926200024002","dob":"2019-03-03","attendance":99.0,"name":"SYNTH THREE"}]}
        """#)

    func context(date: String = "2026-11-29") -> RuleSet.Context {
        RuleSet.Context(
            date: date,
            cohorts: [
                AgencyID("yot")!: ["yot-caseload": ["Q926200024001", "Q926200024002"]],
                AgencyID("connexions")!: ["opt-outs": ["B801200005001"]],
            ],
            pseudonymKey: Array("test-key".utf8))
    }

    @Test func onlyCaseloadPupilsOfTheRightAgeAndOnlyAllowedFieldsReachTheYOT() throws {
        let decisions = try ruleSet().decide(
            from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("yot")!], body: body,
            context: context())
        let decision = try #require(decisions.first)
        #expect(decision.permitted)
        #expect(decision.recordsReleased == 1)  // Q...001; Q...002 is on the caseload but aged 7; B... is not on it
        #expect(decision.recordsWithheld == 2)
        let pupils = decision.view?["pupils"]?.arrayValue ?? []
        #expect(pupils.count == 1)
        #expect(pupils.first?["name"] == nil)
        #expect(pupils.first?["dob"] == nil)
        #expect(pupils.first?["attendance"] == .number(91.5))
        #expect(pupils.first?["upn"]?.stringValue == RuleSet.pseudonym(of: "Q926200024001", key: Array("test-key".utf8)))
        #expect(decision.view?["period"]?.stringValue?.hasPrefix("psn-") == true)
        #expect(decision.fieldsWithheld.map(\.description) == ["/pupils/*/dob", "/pupils/*/name"])
        #expect(decision.agreement?.id == "yot-protocol")
        #expect(decision.flow?.id == "summary-to-yot")
    }

    @Test func pseudonymisationFailsClosedOnValuesThatAreNotStrings() throws {
        let key = PseudonymKey(Array("k".utf8))
        let value = try JSONValue.parse(#"{"a":9262000240,"b":["Q926200024001"],"c":null,"d":true}"#)
        let result = RuleSet.pseudonymised(value, key: key)
        #expect(result["a"]?.stringValue?.hasPrefix("psn-") == true)
        #expect(result["b"]?.arrayValue?.first?.stringValue == key.pseudonym(of: "Q926200024001"))
        #expect(result["c"] == .null)
        #expect(result["d"]?.stringValue?.hasPrefix("psn-") == true)
        #expect(!String(decoding: result.encoded(), as: UTF8.self).contains("9262000240"))
    }

    @Test func optOutsAreWithheld() throws {
        let decision = try ruleSet().decide(
            from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("connexions")!],
            body: body, context: context()
        ).first!
        #expect(decision.permitted)
        #expect(decision.view?["pupils"]?.arrayValue?.compactMap { $0["upn"]?.stringValue } == ["Q926200024001", "Q926200024002"])
        #expect(decision.view?["period"] == nil)
    }

    @Test func onlyAViewWithNothingWithheldIsTheWholeBody() throws {
        let whole = try ruleSet(Self.agreementYAML.replacingOccurrences(of: "fields: [/pupils/*/upn]", with: "fields: [/]"))
        func decide(_ rules: RuleSet, _ body: JSONValue) -> Decision {
            rules.decide(from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("connexions")!], body: body,
                         context: context()).first!
        }
        let kept = try JSONValue.parse(#"{"pupils":[{"upn":"Q926200024001","dob":"2012-05-01"}]}"#)
        #expect(decide(whole, kept).permitted && decide(whole, kept).viewIsWholeBody)
        #expect(!decide(whole, body).viewIsWholeBody, "an opted-out record is withheld")
        #expect(!decide(try ruleSet(), kept).viewIsWholeBody, "a field is withheld")
        // Every record released and every field allowed, but the UPNs and period pseudonymised.
        let allowed = try JSONValue.parse(#"{"period":"2026-autumn-1","pupils":[{"upn":"Q926200024001","attendance":91.5}]}"#)
        var noAge = try ruleSet(Self.agreementYAML.replacingOccurrences(of: "      - age: {dob: /dob, min: 10, max: 17}\n", with: ""))
        let pseudonymised = noAge.decide(
            from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("yot")!], body: allowed, context: context()
        ).first!
        #expect(pseudonymised.permitted && pseudonymised.fieldsWithheld.isEmpty && pseudonymised.recordsWithheld == 0)
        #expect(!pseudonymised.viewIsWholeBody, "pseudonymised")
        noAge = try ruleSet(Self.agreementYAML.replacingOccurrences(of: "      - age: {dob: /dob, min: 10, max: 17}\n", with: "")
            .replacingOccurrences(of: "    obligations:\n      - pseudonymise: /pupils/*/upn\n      - pseudonymise: /period\n", with: ""))
        #expect(noAge.decide(
            from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("yot")!], body: allowed, context: context()
        ).first!.viewIsWholeBody, "without the obligations the same view is the whole body")
    }

    @Test func withNoNamedRecipientsEveryPermittedAgencyIsDecided() throws {
        let decisions = try ruleSet().decide(
            from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [], body: body, context: context())
        #expect(decisions.map(\.recipient.rawValue) == ["yot", "connexions"])
    }

    @Test func denialsExplainEveryAgreementConsidered() throws {
        let rules = try ruleSet()
        let otherType = rules.decide(
            from: AgencyID("npas")!, type: MessageType("referral")!, recipients: [AgencyID("yot")!], body: body, context: context()
        ).first!
        #expect(!otherType.permitted)
        #expect(otherType.reasons == ["yot-protocol v2.0: its flows from npas to yot do not cover 'referral'"])
        let noFlow = rules.decide(
            from: AgencyID("yot")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("courts")!], body: body,
            context: context()
        ).first!
        #expect(noFlow.reasons == ["no agreement has a flow from yot to courts"])
    }

    @Test(arguments: [
        ("2026-08-31", "not in force until 2026-09-01"), ("2027-03-01", "past its review date 2027-02-28"),
        ("2028-09-01", "ended on 2028-08-31"),
    ])
    func agreementsOutsideTheirDatesDenyAndSaySo(date: String, reason: String) throws {
        let decision = try ruleSet().decide(
            from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("yot")!], body: body,
            context: context(date: date)
        ).first!
        #expect(!decision.permitted)
        #expect(decision.reasons.first?.contains(reason) == true, "\(decision.reasons)")
    }

    @Test func aMessageWithNoQualifyingRecordIsDenied() throws {
        var context = context()
        context.cohorts = [:]
        let decision = try ruleSet().decide(
            from: AgencyID("npas")!, type: MessageType("yot.attendance-summary")!, recipients: [AgencyID("yot")!], body: body,
            context: context
        ).first!
        #expect(!decision.permitted)
        #expect(decision.recordsWithheld == 3)
    }

    @Test func pseudonymsAreHMACSHA256AsPythonComputesThem() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'test-key', b'Q926200024001', hashlib.sha256).hexdigest()[:16])"
        #expect(RuleSet.pseudonym(of: "Q926200024001", key: Array("test-key".utf8)) == "psn-3389d05ab55b0ad9")
        let key = PseudonymKey(Array("test-key".utf8))
        #expect(key.pseudonym(of: "Q926200024001") == key.pseudonym(of: "Q926200024001"))
        #expect(key.pseudonym(of: "Q926200024001") != key.pseudonym(of: "B801200005001"))
    }

    @Test(arguments: [
        ("2012-05-01", "2026-04-30", 13), ("2012-05-01", "2026-05-01", 14), ("2012-02-29", "2026-02-28", 13),
    ])
    func agesCountWholeYears(dob: String, date: String, age: Int) {
        #expect(RuleSet.age(dateOfBirth: dob, on: date) == age)
    }

    @Test func loaderReportsProblemsWithFileLineAndKey() throws {
        let temporary = try TemporaryFolder("rules")
        defer { temporary.remove() }
        let folder = temporary.path
        let broken = Self.agreementYAML
            .replacingOccurrences(of: "review: 2027-02-28", with: "review: 2026-10-01")
            .replacingOccurrences(of: "records: /pupils", with: "record: /pupils")
        try broken.write(toFile: "\(folder)/broken.yaml", atomically: true, encoding: .utf8)
        let result = RuleSetLoader.load(directory: folder, agencies: nil, schemas: nil, today: "2026-11-29")
        let messages = result.problems.map(\.description)
        #expect(messages.contains { $0.contains("broken.yaml:") && $0.contains("'flows.0.record': Unknown key") }, "\(messages)")
        #expect(messages.contains { $0.contains("'review': The review date 2026-10-01 has passed") }, "\(messages)")
    }

    @Test func anInvertedAgeRangeIsAProblemNotACrash() throws {
        let temporary = try TemporaryFolder("rules")
        defer { temporary.remove() }
        let folder = temporary.path
        try Self.agreementYAML.replacingOccurrences(of: "min: 10, max: 17", with: "min: 17, max: 10")
            .write(toFile: "\(folder)/a.yaml", atomically: true, encoding: .utf8)
        let result = RuleSetLoader.load(directory: folder, agencies: nil, schemas: nil, today: "2026-11-29")
        #expect(result.problems.contains { $0.message.contains("max must not be below min") })
    }

    @Test func contradictoryFlowsAreReported() throws {
        let temporary = try TemporaryFolder("rules")
        defer { temporary.remove() }
        let folder = temporary.path
        try Self.agreementYAML.write(toFile: "\(folder)/a.yaml", atomically: true, encoding: .utf8)
        try Self.agreementYAML.replacingOccurrences(of: "id: yot-protocol", with: "id: another")
            .write(toFile: "\(folder)/b.yaml", atomically: true, encoding: .utf8)
        let result = RuleSetLoader.load(directory: folder, agencies: nil, schemas: nil, today: "2026-11-29")
        #expect(result.problems.contains { $0.message.contains("Contradicts agreement 'yot-protocol' flow 'summary-to-yot'") })
    }
}
