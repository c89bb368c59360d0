import AttendanceDomain

/// A partner agency's list as read from its CSV: the children it names by UPN, those it can name only by
/// forename, surname and date of birth (to be matched by the attendance service), and the rows it cannot use.
///
/// Columns (header row, any order, case-insensitive): `upn`, `forename`, `surname`, `date_of_birth`, and for the
/// YOT `case_reference`. A row needs a UPN or all of forename, surname and date of birth.
public struct PartnerList: Sendable {
    public struct Member: Sendable, Equatable {
        public var upn: String
        public var caseReference: String?
    }

    /// A child named without a UPN: the row's line, and what names them.
    public struct Unidentified: Sendable, Equatable {
        public var line: Int
        public var forename: String
        public var surname: String
        public var dateOfBirth: String
        public var caseReference: String?
    }

    public var members: [Member] = []
    public var unidentified: [Unidentified] = []
    public var problems: [(line: Int, problem: String)] = []
    /// What the reply says of the file's encoding, or nil when it was UTF-8.
    public var encodingNote: String?

    /// Reads a list held as text.
    public init(csv text: String, needsCaseReference: Bool = false) throws {
        try self.init(bytes: Array(text.utf8), needsCaseReference: needsCaseReference)
    }

    /// Reads a list as the agency saved it, UTF-8 or Windows-1252; `needsCaseReference` makes a row without
    /// `case_reference` a problem (the YOT's lists).
    public init(bytes: [UInt8], needsCaseReference: Bool = false) throws {
        let csv = try PartnerCSV(bytes)
        encodingNote = PartnerCSV.encodingNote(csv.encoding, line: csv.windows1252Line)
        let header = csv.header
        guard PartnerCSV.namesAChild(header) else {
            throw PartnerListError(
                "A list needs a header row with a upn column, or forename, surname and date_of_birth columns"
                    + (needsCaseReference ? ", and a case_reference column." : "."))
        }
        if needsCaseReference, !header.contains("case_reference") {
            throw PartnerListError("A YOT caseload list needs a case_reference column (the YOT's case reference for each child).")
        }
        problems = csv.problems
        var seen: Set<String> = []
        for (line, row) in csv.rows {
            var caseReference = row["case_reference"]?.uppercased()
            if let reference = caseReference, !Self.isCaseReference(reference) {
                problems.append((line, "case_reference \(reference) is not 3 to 40 capital letters, digits, '-' or '/'"))
                continue
            }
            if needsCaseReference, caseReference == nil {
                problems.append((line, "no case_reference: the attendance service needs the YOT's case reference"))
                continue
            }
            if !needsCaseReference { caseReference = nil }
            let upn = row["upn"]?.uppercased() ?? ""
            if upn.isEmpty {
                let birth = row["date_of_birth"].flatMap { SchoolDate(parsing: $0) }
                guard let forename = row["forename"], let surname = row["surname"], let birth else {
                    problems.append((line, row["date_of_birth"] != nil && birth == nil
                        ? "no UPN, and date_of_birth \(row["date_of_birth"]!) is not a date YYYY-MM-DD"
                        : "no UPN, and not the forename, surname and date of birth to find it by"))
                    continue
                }
                unidentified.append(Unidentified(
                    line: line, forename: forename, surname: surname, dateOfBirth: birth.description, caseReference: caseReference))
                continue
            }
            switch UPN.check(upn) {
            case .invalid(let reason):
                problems.append((line, "UPN \(upn): \(reason)"))
            case .valid:
                guard seen.insert(upn).inserted else {
                    problems.append((line, "UPN \(upn) is already listed"))
                    continue
                }
                members.append(Member(upn: upn, caseReference: caseReference))
            }
        }
    }

    /// Adds a child the attendance service found by name and date of birth; false if the UPN is already listed.
    mutating func add(_ child: Unidentified, upn: String) -> Bool {
        guard !members.contains(where: { $0.upn == upn }) else { return false }
        members.append(Member(upn: upn, caseReference: child.caseReference))
        return true
    }

    /// `^[A-Z0-9][A-Z0-9/-]{2,39}$`, as the yot.case-update schema says.
    static func isCaseReference(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func allowed(_ c: UInt8, first: Bool) -> Bool {
            (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (!first && (c == UInt8(ascii: "-") || c == UInt8(ascii: "/")))
        }
        return (3...40).contains(bytes.count) && bytes.enumerated().allSatisfy { allowed($0.element, first: $0.offset == 0) }
    }
}

/// A list that cannot be read.
public struct PartnerListError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
