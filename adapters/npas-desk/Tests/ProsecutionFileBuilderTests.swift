import AttendanceDomain
import Foundation
import JSONSchema
import StrictJSON
import LegalProcess
import Testing

@testable import NPASDesk

/// The prosecution file from fixtures: a credible case builds a file a court can act on (the golden JSON, valid
/// against schemas/prosecution.file.schema.json), and each reason to refuse one is given, all at once.
@Suite("Prosecution file: the checks and the file")
struct ProsecutionFileBuilderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let framework = try! PenaltyNoticeFramework.load(path: "\(repository.path)/config/legal/penalty-notices.yaml")

    /// A Year 8 pupil (born 14 May 2013), his mother with responsibility and care, a step-father with neither.
    static func referral(dateOfBirth: String = "2013-05-14", motherAddress: Bool = true) -> String {
        let pupil: [String: Any] = [
            "upn": "A926400100001", "forename": "Kai", "surname": "Example", "date_of_birth": dateOfBirth, "year_group": "8",
            "address": ["lines": ["12 Example Street", "Dereham"], "postcode": "NR19 1ZZ"],
        ]
        let referral: [String: Any] = [
            "school": ["laestab": "9264001", "name": "Example High School"], "pupil": pupil,
            "actions_taken": [["date": "2025-09-15", "type": "letter", "by": "school", "description": "The school's letter about Kai's absence."]],
            "contacts": [
                ["order": 1, "title": "Ms", "forename": "Anne", "surname": "Example", "relationship": "mother", "parental_responsibility": true,
                 "address_as_pupil": motherAddress],
                ["order": 2, "forename": "Mark", "surname": "Sample", "relationship": "step_parent", "parental_responsibility": false,
                 "address_as_pupil": true],
            ],
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: referral, options: [.sortedKeys]), as: UTF8.self)
    }

    static func deskCase(esw: String? = "E. Worker", referral: String = referral()) -> DeskCase {
        DeskCase(reference: "NPAS-2025-0042", upn: "A926400100001", laestab: "9264001", status: "open", esw: esw, openedAt: 0, referral: referral)
    }

    /// The first half term of autumn 2025, Monday to Friday: a third of sessions missed without authority.
    static func marks(all code: String? = nil) -> [String: (am: String, pm: String)] {
        var marks: [String: (am: String, pm: String)] = [:]
        var day = SchoolDate(parsing: "2025-09-03")!
        let pattern = ["O", "/", "/", "G", "/", "N", "/", "/", "O", "/", "I", "/", "O", "/", "/", "U", "/", "O", "/", "/"]
        var index = 0
        while day <= SchoolDate(parsing: "2025-10-17")! {
            if day.weekday != .saturday && day.weekday != .sunday {
                let mark = code ?? pattern[index % pattern.count]
                marks[day.description] = mark == "/" ? ("/", "\\") : mark == "U" ? ("U", "\\") : (mark, mark)
                index += 1
            }
            day = day.adding(days: 1)
        }
        return marks
    }

    static let letter = "Dear Ms Example, Kai's attendance since 3 September 2025 is below what the law requires. If it does not improve, "
        + "the County Council may issue a penalty notice or prosecute you under section 444 of the Education Act 1996. (synthetic)"

    static let interventions = [
        DeskIntervention(date: "2025-09-22", type: "warning_notice", description: letter),
        DeskIntervention(date: "2025-10-01", type: "home_visit", description: "Home visit; Ms Example seen."),
    ]

    static let mother = DeskDefendant(
        number: 1, contact: 1, dateOfBirth: "1985-06-21", hasCare: true, chosenBy: "E. Worker",
        reason: "Kai lives with her and she has day-to-day care; she received the warning letter and the penalty notice.")

    static let unpaidNotice = ProsecutionFileBuilder.Notice(
        reference: "PN-2025-0001", issuedOn: "2025-10-20", defendantNumber: 1, amountPence: 16000, status: "unpaid",
        period: "2025-09-03"..."2025-10-17")

    static func builder(
        offence: String = "444(1A)", laidOn: String = "2025-11-24", hearing: String = "2026-01-12", declared: Bool = true,
        certifiedBy: String? = "H. Teacher, Headteacher"
    ) -> ProsecutionFileBuilder {
        ProsecutionFileBuilder(
            offence: offence, court: "Example Magistrates' Court", hearingDate: hearing, periodStart: "2025-09-03", periodEnd: "2025-10-17",
            prosecutor: "Example County Council", declared: declared, certifiedBy: certifiedBy, certifiedOn: "2025-10-24", laidOn: laidOn,
            summonsIssuedOn: "2025-11-28", summonsReference: "SUM-2025-0042",
            courtAddress: ["Example Magistrates' Court", "1 Court Street", "Norwich NR1 1ZZ"], statementDate: "2025-11-21",
            costs: [("Officer time preparing the case (6 hours)", 18000), ("Legal review of the file", 12000)], framework: framework)
    }

    /// The codes refused for the credible case changed by `change`.
    static func codes(
        builder: ProsecutionFileBuilder = builder(), deskCase: DeskCase = deskCase(), interventions: [DeskIntervention] = interventions,
        marks: [String: (am: String, pm: String)] = marks(), defendants: [DeskDefendant] = [mother],
        notices: [ProsecutionFileBuilder.Notice] = [unpaidNotice]
    ) -> [String] {
        builder.refusals(case: deskCase, interventions: interventions, marks: marks, defendants: defendants, penaltyNotices: notices).map(\.code)
    }

    // MARK: The credible case

    @Test func aCredibleCaseBuildsTheGoldenFileWhichTheSchemaAccepts() throws {
        #expect(Self.codes().isEmpty)
        let file = try Self.builder().build(
            case: Self.deskCase(), interventions: Self.interventions, marks: Self.marks(), defendants: [Self.mother],
            penaltyNotices: [Self.unpaidNotice])
        let json = try JSONSerialization.data(withJSONObject: file, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        let golden = Self.repository.appendingPathComponent("adapters/npas-desk/Tests/Golden/prosecution-file.json")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil { try json.write(to: golden) }
        #expect(String(decoding: json, as: UTF8.self) == (try String(contentsOf: golden, encoding: .utf8)), "UPDATE_GOLDEN=1 rewrites the golden file")

        let schema = try JSONValue.parse(Array(try Data(contentsOf: Self.repository.appendingPathComponent("schemas/prosecution.file.schema.json"))))
        let errors = try SchemaValidator(schema: schema).validate(try JSONValue.parse(Array(json)))
        #expect(errors.isEmpty, "\(errors)")

        // What a clerk looks for.
        let defendant = try #require((file["defendants"] as? [[String: Any]])?.first)
        #expect(defendant["reference"] as? String == "D1" && defendant["date_of_birth"] as? String == "1985-06-21")
        #expect((defendant["chosen"] as? [String: String])?["by"] == "E. Worker")
        let exhibits = try #require(file["exhibits"] as? [[String: Any]])
        #expect(exhibits.map { $0["reference"] as? String } == ["EW/1", "EW/2", "EW/3"])
        #expect(exhibits[1]["text"] as? String == Self.letter)
        #expect((exhibits[2]["text"] as? String)?.contains("£80.00 by 10 November 2025, £160.00 by 17 November 2025") == true)
        let certificate = try #require(file["attendance_certificate"] as? [String: Any])
        #expect((certificate["wording"] as? String)?.contains("section 566 of the Education Act 1996") == true)
        #expect((certificate["wording"] as? String)?.contains("23 sessions of unauthorised absence") == true)
        let statement = try #require(file["witness_statement"] as? [String: Any])
        #expect(statement["declaration_text"] as? String == ProsecutionFileBuilder.declarationText)
        #expect((statement["signature"] as? [String: String]) == ["name": "E. Worker", "date": "2025-11-21"])
        #expect((file["costs"] as? [[String: Any]])?.count == 2)
        // Nothing of the child in any reference.
        for reference in exhibits.compactMap({ $0["reference"] as? String }) + ["PN-2025-0001"] { #expect(!reference.contains("A926400100001")) }
    }

    // MARK: Each refusal, through the builder

    @Test func aChildNotOfCompulsorySchoolAgeIsRefused() {
        // Born March 2021: of compulsory school age only from 31 March 2026.
        #expect(Self.codes(deskCase: Self.deskCase(referral: Self.referral(dateOfBirth: "2021-03-14"))) == ["not-of-compulsory-school-age"])
    }

    @Test func anInformationLaidBeforeThePeriodEndsIsRefused() {
        #expect(Self.codes(builder: Self.builder(laidOn: "2025-10-17"), notices: []) == ["laid-before-period-ends"])
    }

    @Test func anInformationLaidMoreThanSixMonthsAfterThePeriodIsRefused() {
        #expect(Self.codes(builder: Self.builder(laidOn: "2026-04-17", hearing: "2026-05-01")).isEmpty, "17 April is the last day")
        #expect(Self.codes(builder: Self.builder(laidOn: "2026-04-18", hearing: "2026-05-01")) == ["out-of-time"])
    }

    @Test func aHearingNotAfterTheLayingIsRefused() {
        #expect(Self.codes(builder: Self.builder(hearing: "2025-11-24")) == ["hearing-not-after-laying"])
    }

    @Test func aRegisterWithNoUnauthorisedAbsenceIsRefused() {
        #expect(Self.codes(marks: Self.marks(all: "I")) == ["no-unauthorised-absence"])
    }

    @Test func aKnowingOffenceWithNoWarningLetterIsRefusedButNotAStrictOne() {
        let noWarning = Self.interventions.filter { $0.type != "warning_notice" }
        #expect(Self.codes(interventions: noWarning) == ["no-warning-letter"])
        #expect(Self.codes(builder: Self.builder(offence: "444(1)"), interventions: noWarning).isEmpty)
        // A letter after the period is no evidence the parent knew during it.
        let late = noWarning + [DeskIntervention(date: "2025-10-20", type: "warning_notice", description: Self.letter)]
        #expect(Self.codes(interventions: late) == ["no-warning-letter"])
    }

    @Test func aPenaltyNoticePaidOrStillInTimeIsRefused() {
        var paid = Self.unpaidNotice
        (paid.status, paid.paidOn) = ("paid", "2025-11-05")
        #expect(Self.codes(notices: [paid]) == ["penalty-notice-covers"])
        // Laid on day 28 the notice may still be paid; on day 29 it may not.
        #expect(Self.codes(builder: Self.builder(laidOn: "2025-11-17")) == ["penalty-notice-covers"])
        #expect(Self.codes(builder: Self.builder(laidOn: "2025-11-18")).isEmpty)
        var withdrawn = Self.unpaidNotice
        withdrawn.status = "withdrawn"
        #expect(Self.codes(builder: Self.builder(laidOn: "2025-11-17"), notices: [withdrawn]).isEmpty)
    }

    @Test func aDefendantWhoIsNotAParentIsRefused() {
        let stepFather = DeskDefendant(number: 2, contact: 2, dateOfBirth: "1980-01-02", hasCare: false, chosenBy: "E. Worker", reason: "Lives there.")
        #expect(Self.codes(defendants: [Self.mother, stepFather]) == ["not-a-parent"])
        var carer = stepFather
        carer.hasCare = true
        #expect(Self.codes(defendants: [Self.mother, carer]).isEmpty, "care of the child makes him a parent (s.576)")
    }

    @Test func aDefendantChosenWithoutAReasonIsRefused() {
        var unexplained = Self.mother
        unexplained.reason = "  "
        #expect(Self.codes(defendants: [unexplained]) == ["defendant-not-chosen"])
    }

    @Test func aFileWithNoDefendantIsRefused() {
        let refusals = Self.builder().refusals(
            case: Self.deskCase(), interventions: Self.interventions, marks: Self.marks(), defendants: [], penaltyNotices: [Self.unpaidNotice])
        #expect(refusals.map(\.code) == ["no-defendant"])
        #expect(refusals[0].message.contains("liaison case defendant NPAS-2025-0042 --contact N"))
    }

    @Test func theDesksOwnReasonsAreKept() {
        #expect(Self.codes(deskCase: Self.deskCase(esw: nil)) == ["no-officer"])
        #expect(Self.codes(builder: Self.builder(declared: false)) == ["statement-not-declared"])
        #expect(Self.codes(builder: Self.builder(certifiedBy: "H. Teacher")) == ["no-certificate"])
        var gappy = Self.marks()
        gappy["2025-09-10"] = ("-", "-")
        #expect(Self.codes(marks: gappy) == ["unmarked-sessions"])
        #expect(Self.codes(marks: [:]) == ["no-register-marks"])
        var noAddress = Self.mother
        noAddress.contact = 1
        #expect(Self.codes(deskCase: Self.deskCase(referral: Self.referral(motherAddress: false))) == ["no-address"])
        var unknown = Self.mother
        unknown.contact = 7
        #expect(Self.codes(defendants: [unknown]).contains("unknown-contact"))
    }

    @Test func everyReasonIsGivenAtOnce() throws {
        let builder = Self.builder(laidOn: "2026-12-02", hearing: "2026-11-01", declared: false)
        let codes = Self.codes(
            builder: builder, deskCase: Self.deskCase(esw: nil, referral: Self.referral(dateOfBirth: "2021-03-14")), interventions: [],
            marks: Self.marks(all: "/"), defendants: [])
        #expect(codes == [
            "no-officer", "statement-not-declared", "not-of-compulsory-school-age", "out-of-time",
            "hearing-not-after-laying", "no-unauthorised-absence", "no-warning-letter", "no-defendant",
        ])
        #expect(throws: DeskError.self) {
            try builder.build(case: Self.deskCase(), interventions: [], marks: Self.marks(), defendants: [], penaltyNotices: [])
        }
    }

    @Test func referencesFollowTheReferralNotTheOrderChosen() throws {
        let contacts = try #require(
            (try JSONSerialization.jsonObject(with: Data(Self.referral().utf8)) as? [String: Any])?["contacts"] as? [[String: Any]])
        #expect(DeskDefendant.number(ofContact: 1, contacts: contacts) == 1)
        #expect(DeskDefendant.number(ofContact: 2, contacts: contacts) == 2, "a parent by care alone comes after those with responsibility")
        #expect(DeskDefendant.number(ofContact: 3, contacts: contacts) == nil)
        #expect(ProsecutionFileBuilder.initials("E. Worker") == "EW")
    }
}
