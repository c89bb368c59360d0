import AttendanceDomain
import Foundation
import StrictJSON
import LiaisonMessages

/// A return or a roll as the desk stores it, read straight from the body with the hub's own JSON reader
/// (`JSONValue`): each pupil's codes, marks or roll entry is kept as the JSON text it came as. Foundation's
/// Codable decode and re-encode of every pupil cost the desk more time than the rest of its work together.
/// The hub has already checked the body against its schema, so only what the desk uses is read.
public struct ReturnRows: Sendable {
    public struct Pupil: Sendable {
        public var upn: String
        public var dateOfBirth: String?
        public var yearGroup: String?
        public var lookedAfter: Bool?
        public var sessionsPossible: Int
        /// JSON: sessions per register code.
        public var codes: String
        /// JSON: date to `{"am", "pm"}`, or nil.
        public var marks: String?
    }

    public var laestab: String
    public var schoolName: String?
    public var academicYear: Int
    public var halfTerm: Int
    public var startDate: String
    public var endDate: String
    public var markedThrough: String?
    public var pupils: [Pupil]

    /// A school's return as its MIS file reads (`liaison mis check`'s result): each pupil's year group and code
    /// counts over the file's half term, without daily marks; nil when the file gave no school or period. For
    /// filling a desk without the hub (the reports' tests, `LiaisonBench console`).
    public init?(_ result: MISReadResult) {
        guard let school = result.school, let period = result.period else { return nil }
        let pupils: [JSONValue] = result.pupils.map { pupil in
            .object([
                "upn": .string(pupil.upn), "sessions_possible": .number(Double(pupil.figures.possible)),
                "year_group": .string(pupil.yearGroup?.rawValue ?? "X"),
                "codes": .object(pupil.figures.codeCounts.mapValues { .number(Double($0)) }),
            ])
        }
        self.init(.object([
            "school": .object(["laestab": .string(school.laestab.value), "name": .string(school.name ?? "")]),
            "period": .object([
                "academic_year": .number(Double(period.academicYear)), "half_term": .number(Double(period.halfTerm ?? 1)),
                "start_date": .string(period.start.description), "end_date": .string(period.end.description),
            ]),
            "pupils": .array(pupils),
        ]))
    }

    /// From a return's body; nil if it lacks what every return has.
    public init?(_ value: JSONValue) {
        guard let school = value["school"], let laestab = school["laestab"]?.stringValue, let period = value["period"],
            let year = period["academic_year"]?.numberValue.flatMap(IntegerFields.integer),
            let halfTerm = period["half_term"]?.numberValue.flatMap(IntegerFields.integer),
            let start = period["start_date"]?.stringValue, let end = period["end_date"]?.stringValue, let pupils = value["pupils"]?.arrayValue
        else { return nil }
        (self.laestab, schoolName, academicYear, self.halfTerm) = (laestab, school["name"]?.stringValue, year, halfTerm)
        (startDate, endDate, markedThrough) = (start, end, value["marked_through"]?.stringValue)
        var rows: [Pupil] = []
        rows.reserveCapacity(pupils.count)
        for pupil in pupils {
            guard let upn = pupil["upn"]?.stringValue, let possible = pupil["sessions_possible"]?.numberValue.flatMap(IntegerFields.integer),
                let codes = pupil["codes"]
            else { return nil }
            var lookedAfter: Bool?
            if case .bool(let flag) = pupil["looked_after"] { lookedAfter = flag }
            rows.append(Pupil(
                upn: upn, dateOfBirth: pupil["date_of_birth"]?.stringValue, yearGroup: pupil["year_group"]?.stringValue, lookedAfter: lookedAfter,
                sessionsPossible: possible, codes: String(decoding: codes.encoded(), as: UTF8.self),
                marks: pupil["marks"].map { String(decoding: $0.encoded(), as: UTF8.self) }))
        }
        self.pupils = rows
    }

}

/// A school's roll as the desk stores it: each pupil's entry as the JSON text it came as.
public struct RollRows: Sendable {
    public struct Pupil: Sendable {
        public var upn: String
        public var matchKey: String?
        public var json: String
    }

    public var laestab: String
    public var asOf: String
    public var pupils: [Pupil]

    public init?(_ value: JSONValue) {
        guard let laestab = value["school"]?["laestab"]?.stringValue, let asOf = value["as_of"]?.stringValue,
            let pupils = value["pupils"]?.arrayValue
        else { return nil }
        self.laestab = laestab
        self.asOf = asOf
        var rows: [Pupil] = []
        rows.reserveCapacity(pupils.count)
        for pupil in pupils {
            guard let upn = pupil["upn"]?.stringValue else { return nil }
            var key: String?
            if let forename = pupil["forename"]?.stringValue, let surname = pupil["surname"]?.stringValue, let birth = pupil["date_of_birth"]?.stringValue {
                key = DeskStore.matchKey(forename: forename, surname: surname, dateOfBirth: birth)
            }
            rows.append(Pupil(upn: upn, matchKey: key, json: String(decoding: pupil.encoded(), as: UTF8.self)))
        }
        self.pupils = rows
    }
}

extension PupilRoll.Pupil {
    /// A roll entry read with the hub's JSON reader (as stored by the desk).
    init?(_ value: JSONValue) {
        guard let upn = value["upn"]?.stringValue else { return nil }
        func address(_ value: JSONValue?) -> PupilRoll.Address? {
            guard let value, let lines = value["lines"]?.arrayValue?.compactMap(\.stringValue), let postcode = value["postcode"]?.stringValue else {
                return nil
            }
            return PupilRoll.Address(lines: lines, postcode: postcode)
        }
        let contacts = value["contacts"]?.arrayValue?.compactMap { contact -> PupilRoll.Contact? in
            guard let forename = contact["forename"]?.stringValue, let surname = contact["surname"]?.stringValue,
                let relationship = contact["relationship"]?.stringValue
            else { return nil }
            var responsibility = false, asPupil: Bool?
            if case .bool(let flag) = contact["parental_responsibility"] { responsibility = flag }
            if case .bool(let flag) = contact["address_as_pupil"] { asPupil = flag }
            return PupilRoll.Contact(
                order: contact["order"]?.numberValue.flatMap(IntegerFields.integer), title: contact["title"]?.stringValue, forename: forename, surname: surname,
                relationship: relationship, parentalResponsibility: responsibility, address: address(contact["address"]), addressAsPupil: asPupil)
        }
        self.init(
            upn: upn, forename: value["forename"]?.stringValue, surname: value["surname"]?.stringValue,
            dateOfBirth: value["date_of_birth"]?.stringValue, yearGroup: value["year_group"]?.stringValue, address: address(value["address"]),
            contacts: contacts,
            sen: value["sen"].flatMap { sen in
                sen["status"]?.stringValue.map { PupilRoll.SEN(status: $0, primaryNeed: sen["primary_need"]?.stringValue) }
            })
    }
}

/// The stored JSON of a pupil's codes and marks, read back with the hub's JSON reader.
enum StoredJSON {
    /// `{"I": 3, "/": 120}` as sessions per code (empty if unreadable).
    static func codes(_ text: String) -> [String: Int] {
        guard let members = (try? JSONValue.parse(Array(text.utf8)))?.objectValue else { return [:] }
        return members.compactMapValues { $0.numberValue.flatMap(IntegerFields.integer) }
    }

    /// `{"2025-09-03": {"am": "/", "pm": "\\"}}` as each day's marks (nil if unreadable).
    static func marks(_ text: String?) -> [String: AttendanceReturn.DayMarks]? {
        guard let text, let members = (try? JSONValue.parse(Array(text.utf8)))?.objectValue else { return nil }
        return members.compactMapValues { day in
            guard let am = day["am"]?.stringValue, let pm = day["pm"]?.stringValue else { return nil }
            return AttendanceReturn.DayMarks(am: am, pm: pm)
        }
    }
}

/// A parent the worker chose to prosecute on a case (Education Act 1996 s.576: anyone with parental
/// responsibility or care of the child), with who chose them and why. Each is a separate defendant, named
/// in the bundle by ``reference`` (D1, D2, ... in the order chosen), which the court's outcomes and the
/// penalty notices use too. What the person is (name, address, responsibility) comes from the school's
/// referral contact ``contact``; what the referral cannot say (date of birth, care, a newer address) the
/// worker records here.
public struct DeskDefendant: Sendable, Equatable {
    /// 1 to 9, in the order the worker chose them.
    public var number: Int
    /// The referral contact's `order` (its position, from 1, when the referral gives none).
    public var contact: Int
    public var dateOfBirth: String
    public var hasCare: Bool
    public var chosenBy: String
    public var reason: String
    /// The address for the summons when the referral's is missing or out of date: lines, then the postcode.
    public var address: [String]?

    public var reference: String { "D\(number)" }

    /// The referral's contact numbered `contact`: by its `order`, or its position from 1 when it has none.
    public static func contact(_ contact: Int, in contacts: [[String: Any]]) -> [String: Any]? {
        contacts.enumerated().first { index, entry in ((entry["order"] as? Int) ?? index + 1) == contact }?.element
    }

    /// The defendant number (D1, D2, ...) of a referral contact: the contacts with parental responsibility first, in
    /// the referral's order (as penalty notices and the other routes name parents, see ``CaseParent``), then those
    /// without it (a parent only through care of the child), in order. It depends on the referral alone, so a
    /// parent keeps one reference on every notice, file and outcome of the case.
    public static func number(ofContact contact: Int, contacts: [[String: Any]]) -> Int? {
        guard let position = contacts.indices.first(where: { ((contacts[$0]["order"] as? Int) ?? $0 + 1) == contact }) else { return nil }
        let responsible = { (index: Int) in contacts[index]["parental_responsibility"] as? Bool == true }
        let withResponsibility = contacts.indices.filter(responsible)
        if let index = withResponsibility.firstIndex(of: position) { return index + 1 }
        return contacts.indices.filter { !responsible($0) }.firstIndex(of: position).map { withResponsibility.count + $0 + 1 }
    }

    public init(
        number: Int, contact: Int, dateOfBirth: String, hasCare: Bool, chosenBy: String, reason: String, address: [String]? = nil
    ) {
        self.number = number
        self.contact = contact
        self.dateOfBirth = dateOfBirth
        self.hasCare = hasCare
        self.chosenBy = chosenBy
        self.reason = reason
        self.address = address
    }
}
