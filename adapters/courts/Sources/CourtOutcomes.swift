import AttendanceDomain
import Foundation

/// The court clerk's outcomes file (CSV, one row per defendant per hearing), read into `court.outcome`
/// bodies (schemas/court.outcome.schema.json, version 2), one per case and hearing, and a reply listing every
/// row that could not be used and why.
///
/// A defendant is named by the reference the bundle gave them (`defendant`, `D1`); `defendant_number` (1) is
/// still read from older files. `outcome` is `adjourned`, `withdrawn` or `dismissed`, or a sentence joined with
/// `+` from `absolute_discharge`, `conditional_discharge`, `fine`, `parenting_order`, `community_order` and
/// `custody`; `eso_direction` (a direction to apply for an education supervision order, Education Act 1996 s.447)
/// may be added to any. Costs and the victim surcharge are amounts in their own columns. When the adapter wrote
/// the case's bundle it knows its defendants and offence, and a row naming a defendant the bundle does not have,
/// or an offence the information did not allege, is refused.
public struct CourtOutcomes: Sendable {
    /// The columns, in the order the README lists them.
    public static let columns = [
        "case_reference", "court", "hearing_date", "defendant", "offence", "outcome", "amount", "costs", "victim_surcharge",
        "discharge_months", "parenting_months", "programme", "community_months", "custody_days", "suspended", "adjourned_to",
        "band", "note",
    ]
    static let required = ["case_reference", "court", "hearing_date", "offence", "outcome"]
    static let sentences: Set<String> = ["absolute_discharge", "conditional_discharge", "fine", "parenting_order", "community_order", "custody"]
    static let verdicts: Set<String> = ["adjourned", "withdrawn", "dismissed"]
    /// Added to any outcome: the court directs the authority to apply for an education supervision order (s.447).
    static let esoDirection = "eso_direction"
    /// The victim surcharge's most, in pence (the schema's).
    static let maximumSurcharge = 200_000

    /// One `court.outcome` body and the rows it came from.
    public struct Message: Sendable {
        public var caseReference: String
        public var hearingDate: String
        /// The body as JSON.
        public var body: [UInt8]
        /// The file's lines it came from.
        public var lines: [Int]
        /// The defendant of each of those lines (`D1`).
        public var defendants: [String]
    }

    /// A message being gathered from its rows.
    struct Group {
        var caseReference: String
        var hearingDate: String
        var court: String
        var defendants: [[String: Any]] = []
        var lines: [Int] = []
        var references: [String] = []
    }

    /// A row that could not be used.
    public struct RowProblem: Sendable, Equatable {
        public var line: Int
        public var problem: String
    }

    public var messages: [Message] = []
    public var problems: [RowProblem] = []
    /// How the file was decoded: UTF-8, or Windows-1252 (as spreadsheets on Windows still save "CSV"), which the
    /// reply says, so that a clerk checks the names with accents.
    public var encoding: CSVRecordReader.Encoding = .utf8
    /// The first line read as Windows-1252, when it was.
    public var windows1252Line: Int?

    /// Reads a whole outcomes file held as text.
    public init(csv text: String, bundled: (String) -> BundledCase? = { _ in nil }) throws {
        try self.init(bytes: Array(text.utf8), bundled: bundled)
    }

    /// Reads a whole outcomes file as the clerk saved it, UTF-8 or Windows-1252 (never turned silently into
    /// U+FFFD: bytes that are neither are an error naming the line). A file that is not CSV at all, or lacks a
    /// required column, throws.
    ///
    /// - Parameter bundled: the case as the adapter bundled it (its defendants and offence), nil when it has not.
    public init(bytes: [UInt8], bundled: (String) -> BundledCase? = { _ in nil }) throws {
        var reader = CSVRecordReader(bytes: bytes)  // skips a spreadsheet's byte-order mark
        func next() throws -> CSVRecordReader.Record? { try reader.next() }
        guard let header = try next()?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw CourtsAdapterError("The file is empty: an outcomes file starts with a header row (\(Self.columns.joined(separator: ","))).")
        }
        var missing = Self.required.filter { !header.contains($0) }
        if !header.contains("defendant") && !header.contains("defendant_number") { missing.insert("defendant", at: 3) }
        guard missing.isEmpty else {
            throw CourtsAdapterError("The header lacks \(missing.joined(separator: ", ")): the columns are \(Self.columns.joined(separator: ",")) (see adapters/courts/README.md).")
        }
        var groups: [String: Group] = [:]
        var order: [String] = []
        var cases: [String: BundledCase?] = [:]
        while let record = try next() {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.fields.count == header.count else {
                problems.append(RowProblem(line: record.line, problem: "has \(record.fields.count) fields; the header has \(header.count)"))
                continue
            }
            var row: [String: String] = [:]
            for (name, value) in zip(header, record.fields) { row[name] = value.trimmingCharacters(in: .whitespaces) }
            let reference = row["case_reference"] ?? ""
            if cases[reference] == nil { cases[reference] = .some(bundled(reference)) }
            switch Self.defendant(row, bundled: cases[reference] ?? nil) {
            case .failure(let problem):
                problems.append(RowProblem(line: record.line, problem: problem.description))
            case .success(let defendant):
                let key = "\(reference)|\(row["hearing_date"]!)"
                if groups[key] == nil {
                    order.append(key)
                    groups[key] = Group(caseReference: reference, hearingDate: row["hearing_date"]!, court: row["court"]!)
                }
                let name = defendant["defendant_reference"] as? String ?? ""
                if groups[key]!.references.contains(name) {
                    problems.append(RowProblem(line: record.line, problem: "defendant \(name) already has an outcome for this case and hearing"))
                    continue
                }
                groups[key]!.defendants.append(defendant)
                groups[key]!.lines.append(record.line)
                groups[key]!.references.append(name)
            }
        }
        encoding = reader.encoding
        windows1252Line = reader.windows1252Line
        messages = try order.map { key in
            let group = groups[key]!
            let body: [String: Any] = [
                "case_reference": group.caseReference, "court": ["name": group.court], "hearing_date": group.hearingDate,
                "defendants": group.defendants,
            ]
            return Message(
                caseReference: group.caseReference, hearingDate: group.hearingDate,
                body: Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])), lines: group.lines,
                defendants: group.references)
        }
    }

    /// One row as a defendant's outcome, or why it cannot be one.
    static func defendant(_ row: [String: String], bundled: BundledCase?) -> Result<[String: Any], CourtsAdapterError> {
        func fail(_ text: String) -> Result<[String: Any], CourtsAdapterError> { .failure(CourtsAdapterError(text)) }
        let reference = row["case_reference"] ?? ""
        guard reference.range(of: "^[A-Z0-9][A-Z0-9/-]{2,39}$", options: .regularExpression) != nil else {
            return fail("case_reference '\(reference)' is not a case reference (capital letters, digits, '-' and '/')")
        }
        guard !(row["court"] ?? "").isEmpty else { return fail("court is empty") }
        guard let hearing = row["hearing_date"], SchoolDate(parsing: hearing) != nil else {
            return fail("hearing_date '\(row["hearing_date"] ?? "")' is not a date (YYYY-MM-DD)")
        }
        let name: String, number: Int
        switch Self.defendantReference(row, bundled: bundled, caseReference: reference) {
        case .failure(let problem): return .failure(problem)
        case .success(let found): (name, number) = found
        }
        let offence = row["offence"] ?? ""
        guard ["444(1)", "444(1A)", "443"].contains(offence) else { return fail("offence '\(offence)' is not 444(1), 444(1A) or 443") }
        if let bundled, bundled.offence == "444(1)", offence == "444(1A)" {
            return fail("offence 444(1A): the information in case \(reference) alleges s444(1) only, so there is no conviction under s444(1A) to record")
        }
        // A s.443 information (breach of a school attendance order) and a s.444 one allege different offences: the
        // court cannot convict of one on the other, so an outcome naming the other is the clerk's slip.
        if let bundled, !bundled.offence.isEmpty, (bundled.offence == "443") != (offence == "443") {
            return fail("offence \(offence): the information in case \(reference) alleges s\(bundled.offence), so there is no conviction under s\(offence) to record")
        }
        let parts = (row["outcome"] ?? "").lowercased().split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else { return fail("outcome is empty") }
        if let unknown = parts.first(where: { !sentences.contains($0) && !verdicts.contains($0) && $0 != esoDirection }) {
            return fail("outcome '\(unknown)' is not one of \((sentences.sorted() + verdicts.sorted() + [esoDirection]).joined(separator: ", "))")
        }
        if Set(parts).count != parts.count { return fail("outcome '\(row["outcome"] ?? "")' names an outcome twice") }
        var defendant: [String: Any] = ["defendant_reference": name, "defendant_number": number, "offence": offence]
        if parts.contains(esoDirection) { defendant["eso_direction"] = true }
        let disposals = parts.filter { $0 != esoDirection }
        guard !disposals.isEmpty else { return fail("eso_direction goes with an outcome (e.g. dismissed+eso_direction or fine+eso_direction)") }
        /// A whole number of months or days from its own column, or from `months` (older files) when that is empty.
        func whole(_ column: String, legacy: Bool = true) -> Int? {
            let own = row[column] ?? ""
            return Int(own.isEmpty && legacy ? row["months"] ?? "" : own)
        }
        if let verdict = disposals.first(where: verdicts.contains) {
            guard disposals.count == 1 else { return fail("'\(verdict)' cannot be combined with a sentence") }
            defendant["outcome"] = verdict
            if verdict == "adjourned" {
                guard let date = row["adjourned_to"], SchoolDate(parsing: date) != nil else { return fail("an adjournment needs adjourned_to (YYYY-MM-DD)") }
                defendant["adjourned_to"] = date
            }
            if !(row["victim_surcharge"] ?? "").isEmpty {
                return fail("a victim surcharge is ordered on conviction, not with '\(verdict)'")
            }
        } else {
            defendant["outcome"] = "sentenced"
            var sentence: [String: Any] = [:]
            let discharges = disposals.filter { $0.hasSuffix("_discharge") }
            if discharges.count > 1 || (!discharges.isEmpty && disposals.contains(where: { ["fine", "community_order", "custody"].contains($0) })) {
                return fail("a discharge cannot be combined with a fine, a community order, custody or another discharge")
            }
            if disposals.contains("community_order") && disposals.contains("custody") {
                return fail("a community order cannot be combined with custody")
            }
            if disposals.contains("absolute_discharge") { sentence["discharge"] = ["kind": "absolute"] }
            if disposals.contains("conditional_discharge") {
                guard let months = whole("discharge_months"), (1...36).contains(months) else {
                    return fail("a conditional discharge needs discharge_months (1 to 36)")
                }
                sentence["discharge"] = ["kind": "conditional", "months": months]
            }
            if disposals.contains("fine") {
                guard let pence = pence(row["amount"]), pence > 0 else { return fail("a fine needs its amount in pounds") }
                // Level 3 (£1,000) for s444(1) and s443; level 4 (£2,500) for s444(1A).
                let maximum = offence == "444(1A)" ? 250_000 : 100_000
                guard pence <= maximum else { return fail("a fine for s\(offence) is at most £\(maximum / 100)") }
                var fine: [String: Any] = ["amount_pence": pence]
                if let band = row["band"], !band.isEmpty {
                    guard ["A", "B", "C"].contains(band.uppercased()) else { return fail("band '\(band)' is not A, B or C") }
                    fine["band"] = band.uppercased()
                }
                sentence["fine"] = fine
            }
            if disposals.contains("parenting_order") {
                guard let months = whole("parenting_months"), (1...12).contains(months) else {
                    return fail("a parenting order needs parenting_months (1 to 12)")
                }
                var order: [String: Any] = ["months": months]
                switch yesNo(row["programme"]) {
                case .failure: return fail("programme '\(row["programme"] ?? "")' is not yes or no")
                case .success(let programme): if let programme { order["programme"] = programme }
                }
                sentence["parenting_order"] = order
            } else if !(row["programme"] ?? "").isEmpty {
                return fail("programme is given without a parenting_order")
            }
            if offence == "443", let barred = disposals.first(where: { $0 == "community_order" || $0 == "custody" }) {
                return fail("\(barred == "custody" ? "custody" : "a community order") is not available for s443 (failing to comply with a school attendance order): "
                    + "the court may fine up to level 3 (£1,000), discharge, or make a parenting order")
            }
            if disposals.contains("community_order") {
                guard offence == "444(1A)" else { return fail("a community order is available only for s444(1A)") }
                guard let months = whole("community_months"), (1...36).contains(months) else {
                    return fail("a community order needs community_months (1 to 36)")
                }
                sentence["community_order"] = ["months": months]
            }
            if disposals.contains("custody") {
                guard offence == "444(1A)" else { return fail("custody is available only for s444(1A)") }
                guard let days = whole("custody_days", legacy: false), (1...90).contains(days) else {
                    return fail("custody needs custody_days (1 to 90: at most three months)")
                }
                guard case .success(let suspended?) = yesNo(row["suspended"]) else {
                    return fail("custody needs suspended (yes or no)")
                }
                sentence["custody"] = ["days": days, "suspended": suspended]
            }
            if let surcharge = row["victim_surcharge"], !surcharge.isEmpty {
                guard let pence = pence(surcharge), pence > 0, pence <= maximumSurcharge else {
                    return fail("victim_surcharge '\(surcharge)' is not an amount in pounds up to £\(maximumSurcharge / 100)")
                }
                sentence["victim_surcharge"] = ["amount_pence": pence]
            }
            defendant["sentence"] = sentence
        }
        if let costs = row["costs"], !costs.isEmpty {
            guard let pence = pence(costs) else { return fail("costs '\(costs)' is not an amount in pounds") }
            defendant["costs_pence"] = pence
        }
        if let note = row["note"], !note.isEmpty { defendant["note"] = note }
        return .success(defendant)
    }

    /// The row's defendant as the bundle's reference and number: from `defendant` (`D1`), or `defendant_number`
    /// (`1`) in older files, agreeing when both are given, and one the case's bundle has when the adapter wrote it.
    static func defendantReference(
        _ row: [String: String], bundled: BundledCase?, caseReference: String
    ) -> Result<(String, Int), CourtsAdapterError> {
        func fail(_ text: String) -> Result<(String, Int), CourtsAdapterError> { .failure(CourtsAdapterError(text)) }
        let given = (row["defendant"] ?? "").uppercased(), numberText = row["defendant_number"] ?? ""
        var name: String?, number: Int?
        if !given.isEmpty {
            guard given.wholeMatch(of: /D[1-9]/) != nil else {
                return fail("defendant '\(row["defendant"] ?? "")' is not a defendant's reference as the bundle gives it (D1 to D9)")
            }
            name = given
            number = bundled?.defendants[given] ?? Int(given.dropFirst())
        }
        if !numberText.isEmpty {
            guard let parsed = Int(numberText), (1...9).contains(parsed) else { return fail("defendant_number '\(numberText)' is not 1 to 9") }
            if let number, number != parsed {
                return fail("defendant \(name ?? "") is defendant number \(number) in the bundle, not \(parsed)")
            }
            number = parsed
            name = name ?? bundled?.defendants.first { $0.value == parsed }?.key ?? "D\(parsed)"
        }
        guard let name, let number else { return fail("defendant is empty: name the defendant by the bundle's reference (D1, D2, ...)") }
        if let bundled, bundled.defendants[name] != number {
            return fail("defendant \(name) is not in the bundle for case \(caseReference), whose defendants are \(bundled.references)")
        }
        return .success((name, number))
    }

    /// `yes`/`no` (also `y`/`n`, `true`/`false`, `1`/`0`); nil when empty.
    static func yesNo(_ text: String?) -> Result<Bool?, CourtsAdapterError> {
        switch (text ?? "").lowercased() {
        case "": .success(nil)
        case "yes", "y", "true", "1": .success(true)
        case "no", "n", "false", "0": .success(false)
        default: .failure(CourtsAdapterError("not yes or no"))
        }
    }

    /// "250", "250.5" or "250.00" pounds (a leading £ allowed) as pence; nil for anything else, or over GBP 100,000
    /// (the schemas' most: a larger figure is a typing error, and `* 100` must never overflow).
    static func pence(_ text: String?) -> Int? {
        guard var text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.hasPrefix("£") { text.removeFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        func digits(_ part: Substring) -> Bool { !part.isEmpty && part.utf8.allSatisfy { (48...57).contains($0) } }
        guard parts.count <= 2, parts[0].count <= 6, digits(parts[0]), let pounds = Int(parts[0]), pounds <= 100_000 else { return nil }
        guard parts.count == 2 else { return pounds * 100 }
        guard (1...2).contains(parts[1].count), digits(parts[1]), let fraction = Int(parts[1]) else { return nil }
        return pounds * 100 + (parts[1].count == 1 ? fraction * 10 : fraction)
    }
}
