import AttendanceDomain
import Foundation
import JSONSchema
import StrictJSON
import LiaisonMessages
import Testing

@testable import SchoolsMISAdapter

/// The roll the schools' import sends beside each return: whatever an MIS holds, the roll matches its schema
/// (a detail that would not is left out), since a refused roll costs the school its partners' shares.
@Suite("The schools' roll")
struct PupilRollBuilderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func validator() throws -> SchemaValidator {
        try SchemaValidator(schema: try JSONValue.parse(Array(try Data(
            contentsOf: Self.repository.appendingPathComponent("schemas/pupil.roll.schema.json")))))
    }

    @Test func awkwardDetailsAreLeftOutAndTheRollMatchesItsSchema() throws {
        let accented = String(repeating: "e\u{301}", count: 60)  // 60 characters, 120 Unicode scalars
        let pupils = [
            PupilRecord(
                upn: "Q926200024001", surname: "SYNTH\u{2028}ETIC", forename: accented, dateOfBirth: SchoolDate(parsing: "2013-05-17"),
                yearGroup: YearGroup("7"), address: PostalAddress(lines: ["12 High Street"], postcode: "not a postcode"),
                sen: SENRecord(provision: .senSupport, primaryNeed: "SEMH"),
                contacts: [
                    PupilContact(order: 1, surname: "SYNTHETIC", forename: nil, relationship: "MUM", hasParentalResponsibility: true),
                    PupilContact(order: 25, title: "  ", surname: "SYNTHETIC", forename: "ANNE", relationship: "FOF", hasParentalResponsibility: false,
                                 address: PostalAddress(lines: ["3 Other Road", " "], postcode: "XX2 2BB")),
                ]),
            PupilRecord(upn: "B801200005001", surname: "O'SAMPLE", forename: "Leo", address: PostalAddress(lines: ["1 Lane"], postcode: "XX1 1AA")),
        ]
        let roll = PupilRollBuilder.roll(pupils, school: AttendanceReturn.School(laestab: "9262001"), asOf: "2025-10-17")
        let errors = try validator().validate(try JSONValue.parse(MessageCoding.encode(roll)))
        #expect(errors.isEmpty, "\(errors)")
        let first = roll.pupils[0]
        #expect(first.surname == nil && first.forename == nil, "a name over 100 scalars or across lines is left out")
        #expect(first.address == nil, "an address without a valid postcode is left out")
        #expect(first.contacts?.count == 1 && first.contacts?[0].relationship == "foster_carer" && first.contacts?[0].order == nil)
        #expect(first.contacts?[0].title == nil && first.contacts?[0].address?.lines == ["3 Other Road"])
        #expect(first.sen == PupilRoll.SEN(status: "sen_support", primaryNeed: "SEMH"))
        #expect(roll.pupils[1].surname == "O'SAMPLE" && roll.pupils[1].address?.postcode == "XX1 1AA" && roll.pupils[1].sen == nil)
    }
}
