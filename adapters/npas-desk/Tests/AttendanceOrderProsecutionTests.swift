import AttendanceDomain
import Foundation
import JSONSchema
import StrictJSON
import LegalProcess
import Testing

@testable import NPASDesk

/// A prosecution for failing to comply with a school attendance order (Education Act 1996 s.443) as a file type of
/// its own: built from the desk's notice, order and breach and valid against prosecution.file; refused, with every
/// reason at once, before the order's compliance period ends, out of time, heard before laying, without a defendant
/// or without an order; and the court's s.443 outcome accepted (a fine and a parenting order, never custody). Also:
/// a penalty notice to a parent not chosen as a defendant stays out of a file.
@Suite("s.443 prosecutions, and penalty notices in a file")
struct AttendanceOrderProsecutionTests {
    typealias Fixture = LegalRoutesFixture
    static func day(_ text: String) -> SchoolDate { Fixture.day(text) }

    /// The fixture's case with the s.437(1) notice served on 3 November 2025, the order made on 19 November naming
    /// school 9264002 (compliance to 4 December) and a breach found on `breach`; the mother chosen as D1 unless not.
    static func caseWithBreach(on breach: String = "2025-12-08", chooseMother: Bool = true) async throws -> (Fixture, DeskCase) {
        let fixture = try await Fixture()
        let reference = fixture.deskCase.reference
        try fixture.store.allocate(reference, esw: "E. Worker")
        try fixture.routes.serveAttendanceOrderNotice(for: fixture.deskCase, parent: "C1", served: day("2025-11-03"), description: nil)
        try fixture.routes.makeAttendanceOrder(for: fixture.deskCase, school: "9264002", date: day("2025-11-19"), description: nil)
        try fixture.routes.recordAttendanceOrderBreach(
            for: fixture.deskCase, date: day(breach), description: "Kai was not registered at the school the order names")
        if chooseMother {
            try fixture.store.chooseDefendant(
                reference, contact: 1, dateOfBirth: "1985-06-21", hasCare: true, by: "E. Worker", reason: "Kai lives with her; the order was served on her")
        }
        return (fixture, try #require(try fixture.store.deskCase(reference)))
    }

    static func builder(_ fixture: Fixture, laidOn: String = "2026-01-12", hearing: String = "2026-02-09", declared: Bool = true) throws -> ProsecutionFileBuilder {
        var builder = ProsecutionFileBuilder(
            offence: "443", court: "Example Magistrates' Court", hearingDate: hearing, prosecutor: "Example County Council", declared: declared,
            laidOn: laidOn, costs: [("Officer time", 9000)], framework: fixture.routes.rules.penaltyNotices)
        builder.attendanceOrder = try fixture.store.attendanceOrderBreach(of: fixture.deskCase.reference)
        builder.attendanceOrders = fixture.routes.rules.schoolAttendanceOrders
        return builder
    }

    static func inputs(_ fixture: Fixture, _ deskCase: DeskCase) throws
        -> (interventions: [DeskIntervention], marks: [String: (am: String, pm: String)], defendants: [DeskDefendant], notices: [ProsecutionFileBuilder.Notice])
    {
        let reference = deskCase.reference
        return (
            try fixture.store.interventions(of: reference), try fixture.store.marks(upn: deskCase.upn, laestab: deskCase.laestab),
            try fixture.store.defendants(of: reference), try fixture.store.prosecutionNotices(of: reference, framework: fixture.routes.rules.penaltyNotices)
        )
    }

    @Test func aS443FileIsBuiltFromTheOrderAndItsBreachAndTheSchemaAcceptsIt() async throws {
        let (fixture, deskCase) = try await Self.caseWithBreach()
        defer { fixture.remove() }
        let given = try Self.inputs(fixture, deskCase)
        let file = try Self.builder(fixture).build(
            case: deskCase, interventions: given.interventions, marks: given.marks, defendants: given.defendants, penaltyNotices: given.notices)
        #expect(file["offence"] as? String == "443")
        let order = try #require(file["attendance_order"] as? [String: Any])
        #expect(order["made_on"] as? String == "2025-11-19" && order["notice_served_on"] as? String == "2025-11-03")
        #expect((order["school"] as? [String: Any])?["laestab"] as? String == "9264002")
        #expect(order["compliance_ends"] as? String == "2025-12-04", "15 days after the order")
        #expect((order["breach"] as? [String: Any])?["date"] as? String == "2025-12-08")
        #expect((file["period"] as? [String: String]) == ["start_date": "2025-11-19", "end_date": "2025-12-08"])
        #expect(file["register_extract"] == nil && file["attendance_certificate"] == nil, "a s.443 file rests on the order, not the register")
        let exhibits = (file["exhibits"] as? [[String: Any]] ?? []).compactMap { $0["description"] as? String }
        #expect(exhibits.first == "Notice under s.437(1) of the Education Act 1996" && exhibits.contains { $0.hasPrefix("School attendance order") })
        let statement = (file["witness_statement"] as? [String: Any])?["text"] as? String ?? ""
        #expect(statement.contains("school attendance order") && statement.contains("8 December 2025"), "\(statement)")

        let schema = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(Fixture.repository)/schemas/prosecution.file.schema.json"))))
        let body = try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: file)))
        let problems = try SchemaValidator(schema: schema).validate(body)
        #expect(problems.isEmpty, "\(problems)")
        // The schema holds a s.443 file to its order, and a s.444 file to the register.
        var withoutOrder = file
        withoutOrder["attendance_order"] = nil
        #expect(!(try SchemaValidator(schema: schema).validate(try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: withoutOrder))))).isEmpty)
    }

    @Test func aS443FileIsRefusedWithEveryReasonAtOnce() async throws {
        // The breach is found on 1 December, inside the order's compliance period (to 4 December); laid after six
        // months of it; heard before it was laid; no defendant chosen; the statement not declared.
        let (fixture, deskCase) = try await Self.caseWithBreach(on: "2025-12-01", chooseMother: false)
        defer { fixture.remove() }
        let given = try Self.inputs(fixture, deskCase)
        let refusals = try Self.builder(fixture, laidOn: "2026-06-02", hearing: "2026-06-01", declared: false).refusals(
            case: deskCase, interventions: given.interventions, marks: given.marks, defendants: given.defendants, penaltyNotices: given.notices)
        let codes = Set(refusals.map(\.code))
        #expect(
            codes == ["compliance-period-not-passed", "out-of-time", "hearing-not-after-laying", "no-defendant", "statement-not-declared"],
            "\(refusals)")
        #expect(refusals.contains { $0.message.contains("until 2025-12-04") }, "\(refusals)")
        #expect(refusals.contains { $0.message.contains("by 2026-06-01") }, "six months from the breach: \(refusals)")
        #expect(!codes.contains("no-certificate") && !codes.contains("no-register-marks"), "the register plays no part in s.443")
    }

    @Test func aS443FileNeedsABreachOfAnOrder() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        try fixture.store.allocate(fixture.deskCase.reference, esw: "E. Worker")
        let deskCase = try #require(try fixture.store.deskCase(fixture.deskCase.reference))
        let given = try Self.inputs(fixture, deskCase)
        let refusals = try Self.builder(fixture).refusals(
            case: deskCase, interventions: given.interventions, marks: given.marks, defendants: given.defendants, penaltyNotices: given.notices)
        #expect(refusals.map(\.code).contains("no-attendance-order-breach"), "\(refusals)")
        #expect(refusals.contains { $0.message.contains("liaison case sao breach") })
    }

    @Test func theLawRefusesAS443ProsecutionWithoutAnOrderOrForAChildNotOfCompulsorySchoolAge() throws {
        let orders = SchoolAttendanceOrder(noticePeriodDays: 15)
        let checks = ProsecutionChecks(framework: try LegalRules.load(directory: "\(Fixture.repository)/config/legal").penaltyNotices)
        let mother = Defendant(id: "D1", parentalResponsibility: true, hasCare: true, choice: .init(by: "E. Worker", reason: "served the order"))
        func codes(order: String?, born: String, defendants: [Defendant] = [mother]) -> Set<String> {
            Set(checks.refusals(
                for: AttendanceOrderBreach(
                    orderMade: order.map(Self.day), breachOn: Self.day("2025-12-08"), dateOfBirth: Self.day(born), laidOn: Self.day("2026-01-12"),
                    hearingOn: Self.day("2026-02-09"), defendants: defendants),
                orders: orders
            ).map(\.code.description))
        }
        #expect(codes(order: "2025-11-19", born: "2011-03-02").isEmpty, "a breach after the compliance period, laid in time")
        #expect(codes(order: nil, born: "2011-03-02") == ["no-attendance-order"])
        #expect(codes(order: "2025-12-09", born: "2011-03-02") == ["no-attendance-order"], "an order made after the breach")
        // Born 14 March 2021: of compulsory school age only from 31 March 2026.
        #expect(codes(order: "2025-11-19", born: "2021-03-14") == ["not-of-compulsory-school-age"])
        let stranger = Defendant(id: "D2", parentalResponsibility: false, hasCare: false)
        #expect(codes(order: "2025-11-19", born: "2011-03-02", defendants: [stranger]) == ["not-a-parent", "defendant-not-chosen"])
        #expect(orders.complianceEnds(orderMade: Self.day("2025-11-19")) == Self.day("2025-12-04"))
    }

    @Test func aS443OutcomeIsAcceptedAndCustodyOnItIsNot() throws {
        let named: [String: (number: Int, offence: String)] = ["D1": (1, "443")]
        let fined: [String: Any] = [
            "defendant_reference": "D1", "defendant_number": 1, "offence": "443", "outcome": "sentenced",
            "sentence": ["fine": ["amount_pence": 30000], "parenting_order": ["months": 6, "programme": true]], "costs_pence": 9000,
        ]
        let rows = try NPASDesk.defendantOutcomes([fined], reference: "NPAS-2025-0043", named: named).get()
        #expect(rows.map(\.reference) == ["D1"] && rows[0].outcome == "sentenced")

        var custody = fined
        custody["sentence"] = ["custody": ["days": 28, "suspended": true]]
        guard case .failure(let error) = NPASDesk.defendantOutcomes([custody], reference: "NPAS-2025-0043", named: named) else {
            Issue.record("custody accepted on s.443")
            return
        }
        #expect(error.description.contains("not s.443"), "\(error)")
        // A s.443 conviction on a s.444 information is refused: the information did not allege it.
        let onSection444 = NPASDesk.defendantOutcomes([fined], reference: "NPAS-2025-0043", named: ["D1": (1, "444(1)")])
        guard case .failure = onSection444 else {
            Issue.record("s.443 outcome accepted on a s.444(1) file")
            return
        }

        let schema = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(Fixture.repository)/schemas/court.outcome.schema.json"))))
        let message: [String: Any] = ["case_reference": "NPAS-2025-0043", "court": ["name": "Example Magistrates' Court"], "hearing_date": "2026-02-09"]
        for (defendant, valid) in [(fined, true), (custody, false)] {
            var body = message
            body["defendants"] = [defendant]
            let problems = try SchemaValidator(schema: schema).validate(try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: body))))
            #expect(problems.isEmpty == valid, "\(defendant["sentence"] ?? ""): \(problems)")
        }
    }

    @Test func aPenaltyNoticeToAParentNotChosenIsLeftOutOfTheFile() async throws {
        // Contact 2 has parental responsibility, contact 1 only care: contact 2 would be D1, contact 1 is D2. A notice
        // to C2 (not chosen) must not be read as D2's: that is contact 1, who was never given it.
        var referral = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(Fixture.repository)/schemas/examples/referral/valid-1.json"))) as? [String: Any])
        var contacts = try #require(referral["contacts"] as? [[String: Any]])
        contacts[0]["parental_responsibility"] = false
        contacts[1]["parental_responsibility"] = true
        referral["contacts"] = contacts
        let fixture = try await Fixture(referral: String(decoding: try JSONSerialization.data(withJSONObject: referral), as: UTF8.self))
        defer { fixture.remove() }
        let reference = fixture.deskCase.reference
        let prepared = try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C2", on: Self.day("2025-11-03"), officer: "E. Worker")
        try fixture.routes.record(prepared, receipt: "hub sequence 1")
        let chosen = try fixture.store.chooseDefendant(
            reference, contact: 1, dateOfBirth: "1985-06-21", hasCare: true, by: "E. Worker", reason: "Kai lives with her")
        #expect(chosen.reference == "D2")
        let framework = fixture.routes.rules.penaltyNotices
        #expect(try fixture.store.prosecutionNotices(of: reference, framework: framework).isEmpty, "the notice to C2 concerns no defendant")

        // Once contact 2 is chosen (D1), the notice is D1's.
        try fixture.store.chooseDefendant(reference, contact: 2, dateOfBirth: "1983-02-11", hasCare: true, by: "E. Worker", reason: "shares care")
        let notices = try fixture.store.prosecutionNotices(of: reference, framework: framework)
        #expect(notices.map(\.reference) == ["PN-2025-0001"] && notices.map(\.defendantNumber) == [1])
    }
}
