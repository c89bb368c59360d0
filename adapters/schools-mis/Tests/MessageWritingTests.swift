import Foundation
import LiaisonMessages
import StrictJSON
import Testing

/// The returns' and rolls' JSON written by hand (`SortedJSONWritable`) against the oracle it replaces: Foundation's
/// `JSONEncoder` with sorted keys and unescaped slashes, byte for byte, on every optional present and absent.
@Suite("Returns and rolls written as JSONEncoder writes them")
struct MessageWritingTests {
    /// What `MessageCoding.encode` made before the types wrote their own JSON.
    static func oracle(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// A small seeded generator (SplitMix64), so a failure can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Text of the kinds names, addresses and codes hold, with what JSON must escape or may leave alone.
    static let texts = ["SYNTHETIC", "O'Sample", "Jean-Luc", "Zoë Ñandú", "say \"hi\"", "back\\slash", "a/b", "数据", "tab\there", "line\nbreak", ""]
    static let codes = ["/", "\\", "#", "B", "C", "D", "E", "G", "I", "L", "M", "N", "O", "P", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"]

    static func school(_ random: inout Seeded) -> AttendanceReturn.School {
        AttendanceReturn.School(laestab: "92620\(Int.random(in: 10...99, using: &random))", name: Bool.random(using: &random) ? texts.randomElement(using: &random)! : nil)
    }

    static func returnBody(_ random: inout Seeded) -> AttendanceReturn {
        let pupils = (0..<Int.random(in: 0...12, using: &random)).map { index in
            var codes: [String: Int] = [:]
            for code in Self.codes.shuffled(using: &random).prefix(Int.random(in: 0...6, using: &random)) { codes[code] = Int.random(in: 0...60, using: &random) }
            let marks: [String: AttendanceReturn.DayMarks]? = Bool.random(using: &random)
                ? Dictionary(uniqueKeysWithValues: (1...Int.random(in: 1...9, using: &random)).map {
                    (String(format: "2025-09-%02d", $0), AttendanceReturn.DayMarks(am: codes.keys.randomElement(using: &random) ?? "/", pm: "\\"))
                })
                : nil
            return AttendanceReturn.Pupil(
                upn: "Q9262000\(String(format: "%05d", index))", sessionsPossible: Int.random(in: 0...70, using: &random), present: Int.random(in: 0...70, using: &random),
                aea: Int.random(in: 0...3, using: &random), authorised: Int.random(in: 0...9, using: &random), unauthorised: Int.random(in: 0...9, using: &random),
                codes: codes, dateOfBirth: Bool.random(using: &random) ? "2013-05-17" : nil, yearGroup: Bool.random(using: &random) ? "7" : nil,
                lookedAfter: [true, false, nil].randomElement(using: &random)!, marks: marks)
        }
        return AttendanceReturn(
            school: school(&random), period: AttendanceReturn.Period(academicYear: 2025, halfTerm: Int.random(in: 1...6, using: &random), startDate: "2025-09-03", endDate: "2025-10-24"),
            markedThrough: Bool.random(using: &random) ? "2025-10-10" : nil, pupils: pupils)
    }

    static func roll(_ random: inout Seeded) -> PupilRoll {
        func text() -> String? { Bool.random(using: &random) ? texts.randomElement(using: &random)! : nil }
        func address() -> PupilRoll.Address? {
            Bool.random(using: &random) ? PupilRoll.Address(lines: (0..<Int.random(in: 0...3, using: &random)).map { _ in texts.randomElement(using: &random)! }, postcode: "XX1 1AA") : nil
        }
        let pupils = (0..<Int.random(in: 0...12, using: &random)).map { index in
            PupilRoll.Pupil(
                upn: "B80120000\(String(format: "%04d", index))", forename: text(), surname: text(), dateOfBirth: text(), yearGroup: text(), address: address(),
                contacts: Bool.random(using: &random) ? (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    PupilRoll.Contact(
                        order: Bool.random(using: &random) ? Int.random(in: 1...9, using: &random) : nil, title: text(), forename: texts.randomElement(using: &random)!,
                        surname: texts.randomElement(using: &random)!, relationship: "mother", parentalResponsibility: Bool.random(using: &random),
                        address: address(), addressAsPupil: [true, false, nil].randomElement(using: &random)!)
                } : nil,
                sen: Bool.random(using: &random) ? PupilRoll.SEN(status: "sen_support", primaryNeed: text()) : nil)
        }
        return PupilRoll(school: school(&random), asOf: "2025-10-24", pupils: pupils)
    }

    @Test func returnsAndRollsAreTheBytesJSONEncoderWrote() throws {
        var random = Seeded(state: 12)
        for round in 0..<300 {
            let body = Self.returnBody(&random)
            #expect(try MessageCoding.encode(body) == Self.oracle(body), "return, round \(round)")
            let roll = Self.roll(&random)
            #expect(try MessageCoding.encode(roll) == Self.oracle(roll), "roll, round \(round)")
        }
    }

    @Test func controlCharactersAreEscapedToTheSameValue() throws {
        // JSONEncoder and the hub's writer may spell a control character differently (\u001f or \u001F); both
        // must read back as the same text.
        let odd = String(decoding: (0..<0x20).map { UInt8($0) } + Array("\u{7F}\u{2028}end".utf8), as: UTF8.self)
        let roll = PupilRoll(school: AttendanceReturn.School(laestab: "9262001", name: odd), asOf: "2025-10-24", pupils: [])
        #expect(try JSONValue.parse(MessageCoding.encode(roll)) == JSONValue.parse(Self.oracle(roll)))
        #expect(try JSONValue.parse(MessageCoding.encode(roll))["school"]?["name"]?.stringValue == odd)
    }

    /// A member added to a type's `Codable` side must be added to its writer too: these counts name every stored
    /// property the writers know of.
    @Test func theWritersKnowEveryStoredProperty() {
        var random = Seeded(state: 1)
        let body = Self.returnBody(&random)
        #expect(Mirror(reflecting: body).children.count == 4)
        #expect(Mirror(reflecting: body.school).children.count == 2)
        #expect(Mirror(reflecting: body.period).children.count == 4)
        #expect(Mirror(reflecting: AttendanceReturn.DayMarks(am: "/", pm: "\\")).children.count == 2)
        let pupil = AttendanceReturn.Pupil(upn: "Q926200024001", sessionsPossible: 0, present: 0, aea: 0, authorised: 0, unauthorised: 0, codes: [:])
        #expect(Mirror(reflecting: pupil).children.count == 11)
        let contact = PupilRoll.Contact(
            order: nil, title: nil, forename: "A", surname: "B", relationship: "mother", parentalResponsibility: true, address: nil, addressAsPupil: nil)
        #expect(Mirror(reflecting: contact).children.count == 8)
        #expect(Mirror(reflecting: PupilRoll.Address(lines: [], postcode: "XX1 1AA")).children.count == 2)
        #expect(Mirror(reflecting: PupilRoll.SEN(status: "none", primaryNeed: nil)).children.count == 2)
        let rollPupil = PupilRoll.Pupil(upn: "Q926200024001", forename: nil, surname: nil, dateOfBirth: nil, yearGroup: nil, address: nil, contacts: nil, sen: nil)
        #expect(Mirror(reflecting: rollPupil).children.count == 8)
        #expect(Mirror(reflecting: PupilRoll(school: body.school, asOf: "2025-10-24", pupils: [])).children.count == 3)
    }
}
