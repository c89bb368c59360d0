import AttendanceDomain
import Foundation

/// Connexions' personal-adviser assignments as read from its CSV: each row a young person (by UPN, or by
/// forename, surname and date of birth for the attendance service to match) and their adviser.
///
/// Columns (header row, any order, case-insensitive): `upn` or `forename`, `surname`, `date_of_birth`;
/// `adviser_name` (required), `adviser_team`, `adviser_email`, `adviser_phone`; `assigned_on` (required,
/// `YYYY-MM-DD`) and `ended_on` (when the assignment has ended).
public struct AdviserAssignments: Sendable {
    /// Whether a list's header makes it an assignments list rather than an opt-out list.
    public static func isAssignments(header: [String]) -> Bool { header.contains("adviser_name") }

    /// The assignments, as `connexions.assignment` items, each with its line.
    public var assignments: [(line: Int, item: [String: any Sendable])] = []
    public var problems: [(line: Int, problem: String)] = []
    /// What the reply says of the file's encoding, or nil when it was UTF-8.
    public var encodingNote: String?

    public init(csv text: String) throws {
        try self.init(bytes: Array(text.utf8))
    }

    /// Reads assignments as Connexions saved them, UTF-8 or Windows-1252.
    public init(bytes: [UInt8]) throws {
        let csv = try PartnerCSV(bytes)
        encodingNote = PartnerCSV.encodingNote(csv.encoding, line: csv.windows1252Line)
        guard Self.isAssignments(header: csv.header), csv.header.contains("assigned_on"), PartnerCSV.namesAChild(csv.header) else {
            throw PartnerListError(
                "An assignments list needs a header with adviser_name, assigned_on, and upn or forename, surname and date_of_birth.")
        }
        problems = csv.problems
        for (line, row) in csv.rows {
            switch Self.item(row) {
            case .success(let item): assignments.append((line, item))
            case .failure(let problem): problems.append((line, problem.description))
            }
        }
    }

    /// One row as a `connexions.assignment` item, or what is wrong with it.
    static func item(_ row: [String: String]) -> Result<[String: any Sendable], PartnerListError> {
        var person: [String: any Sendable] = [:]
        if let upn = row["upn"]?.uppercased() {
            if case .invalid(let reason) = UPN.check(upn) { return .failure(PartnerListError("UPN \(upn): \(reason)")) }
            person["upn"] = upn
        } else {
            guard let forename = row["forename"], let surname = row["surname"], let birth = row["date_of_birth"] else {
                return .failure(PartnerListError("no UPN, and not the forename, surname and date of birth to find it by"))
            }
            guard let date = SchoolDate(parsing: birth) else { return .failure(PartnerListError("date_of_birth \(birth) is not a date YYYY-MM-DD")) }
            person["forename"] = forename
            person["surname"] = surname
            person["date_of_birth"] = date.description
        }
        guard let name = row["adviser_name"] else { return .failure(PartnerListError("no adviser_name")) }
        var adviser: [String: any Sendable] = ["name": name]
        if let team = row["adviser_team"] { adviser["team"] = team }
        if let email = row["adviser_email"] {
            guard Self.isEmail(email) else { return .failure(PartnerListError("adviser_email \(email) is not an email address")) }
            adviser["email"] = email
        }
        if let phone = row["adviser_phone"] {
            guard Self.isPhone(phone) else { return .failure(PartnerListError("adviser_phone \(phone) is not a telephone number (digits and spaces, optionally a leading +)")) }
            adviser["phone"] = phone
        }
        guard let assigned = row["assigned_on"].flatMap({ SchoolDate(parsing: $0) }) else {
            return .failure(PartnerListError("assigned_on \(row["assigned_on"] ?? "(empty)") is not a date YYYY-MM-DD"))
        }
        var item: [String: any Sendable] = ["young_person": person, "adviser": adviser, "assigned_on": assigned.description]
        if let text = row["ended_on"] {
            guard let ended = SchoolDate(parsing: text) else { return .failure(PartnerListError("ended_on \(text) is not a date YYYY-MM-DD")) }
            item["ended_on"] = ended.description
        }
        return .success(item)
    }

    /// `local@domain.tld`: one `@`, no spaces, a dot in the domain (the hub checks the full format).
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !text.contains(where: \.isWhitespace) && text.count <= 254
    }

    /// `^\+?[0-9][0-9 ]{5,18}[0-9]$`, as the schema says.
    static func isPhone(_ text: String) -> Bool {
        let body = text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard (7...20).contains(body.count), let first = body.first, let last = body.last, first.isASCII, first.isNumber, last.isASCII, last.isNumber
        else { return false }
        return body.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == " " }
    }
}
