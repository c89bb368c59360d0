import AttendanceDomain
import Foundation

/// The court clerk's outcomes file (CSV, one row per defendant per hearing), read into `court.outcome`
/// bodies, one per case and hearing, and a reply listing every row that could not be used and why.
///
/// Columns (header required, in any order; `note` and unused columns may be empty):
/// `case_reference, court, hearing_date, defendant_number, offence, outcome, amount, months, costs,
/// adjourned_to, band, note`. `outcome` is one or more of `absolute_discharge`, `conditional_discharge`,
/// `fine`, `parenting_order`, `community_order`, `adjourned`, `withdrawn`, `dismissed`, joined with `+`
/// (e.g. `fine+parenting_order`). `amount` and `costs` are pounds (`250` or `250.00`); `months` is the
/// period of a conditional discharge, a parenting order or a community order.
public struct CourtOutcomes: Sendable {
    public static let columns = [
        "case_reference", "court", "hearing_date", "defendant_number", "offence", "outcome", "amount", "months", "costs",
        "adjourned_to", "band", "note",
    ]
    static let required = ["case_reference", "court", "hearing_date", "defendant_number", "offence", "outcome"]
    static let sentences: Set<String> = ["absolute_discharge", "conditional_discharge", "fine", "parenting_order", "community_order"]
    static let verdicts: Set<String> = ["adjourned", "withdrawn", "dismissed"]

    /// One `court.outcome` body (schemas/court.outcome.schema.json) and the rows it came from.
    public struct Message: Sendable {
        public var caseReference: String
        public var hearingDate: String
        /// The body as JSON.
        public var body: [UInt8]
        /// The file's lines it came from.
        public var lines: [Int]
    }

    /// A message being gathered from its rows.
    struct Group {
        var caseReference: String
        var hearingDate: String
        var court: String
        var defendants: [[String: Any]] = []
        var lines: [Int] = []
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
    public init(csv text: String) throws {
        try self.init(bytes: Array(text.utf8))
    }

    /// Reads a whole outcomes file as the clerk saved it, UTF-8 or Windows-1252 (never turned silently into
    /// U+FFFD: bytes that are neither are an error naming the line). A file that is not CSV at all, or lacks a
    /// required column, throws.
    public init(bytes: [UInt8]) throws {
        var reader = CSVRecordReader(bytes: bytes)  // skips a spreadsheet's byte-order mark
        func next() throws -> CSVRecordReader.Record? { try reader.next() }
        guard let header = try next()?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw CourtsAdapterError("The file is empty: an outcomes file starts with a header row (\(Self.columns.joined(separator: ","))).")
        }
        let missing = Self.required.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw CourtsAdapterError("The header lacks \(missing.joined(separator: ", ")): the columns are \(Self.columns.joined(separator: ",")).")
        }
        var groups: [String: Group] = [:]
        var order: [String] = []
        while let record = try next() {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.fields.count == header.count else {
                problems.append(RowProblem(line: record.line, problem: "has \(record.fields.count) fields; the header has \(header.count)"))
                continue
            }
            var row: [String: String] = [:]
            for (name, value) in zip(header, record.fields) { row[name] = value.trimmingCharacters(in: .whitespaces) }
            switch Self.defendant(row) {
            case .failure(let problem):
                problems.append(RowProblem(line: record.line, problem: problem.description))
            case .success(let defendant):
                let key = "\(row["case_reference"]!)|\(row["hearing_date"]!)"
                if groups[key] == nil {
                    order.append(key)
                    groups[key] = Group(caseReference: row["case_reference"]!, hearingDate: row["hearing_date"]!, court: row["court"]!)
                }
                if groups[key]!.defendants.contains(where: { $0["defendant_number"] as? Int == defendant["defendant_number"] as? Int }) {
                    problems.append(RowProblem(line: record.line, problem: "defendant \(defendant["defendant_number"]!) already has an outcome for this case and hearing"))
                    continue
                }
                groups[key]!.defendants.append(defendant)
                groups[key]!.lines.append(record.line)
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
                body: Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])), lines: group.lines)
        }
    }

    /// One row as a defendant's outcome, or why it cannot be one.
    static func defendant(_ row: [String: String]) -> Result<[String: Any], CourtsAdapterError> {
        func fail(_ text: String) -> Result<[String: Any], CourtsAdapterError> { .failure(CourtsAdapterError(text)) }
        let reference = row["case_reference"] ?? ""
        guard reference.range(of: "^[A-Z0-9][A-Z0-9/-]{2,39}$", options: .regularExpression) != nil else {
            return fail("case_reference '\(reference)' is not a case reference (capital letters, digits, '-' and '/')")
        }
        guard !(row["court"] ?? "").isEmpty else { return fail("court is empty") }
        guard let hearing = row["hearing_date"], SchoolDate(parsing: hearing) != nil else {
            return fail("hearing_date '\(row["hearing_date"] ?? "")' is not a date (YYYY-MM-DD)")
        }
        guard let number = Int(row["defendant_number"] ?? ""), (1...9).contains(number) else {
            return fail("defendant_number '\(row["defendant_number"] ?? "")' is not 1 to 9")
        }
        let offence = row["offence"] ?? ""
        guard offence == "444(1)" || offence == "444(1A)" else { return fail("offence '\(offence)' is not 444(1) or 444(1A)") }
        let parts = (row["outcome"] ?? "").lowercased().split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { return fail("outcome is empty") }
        if let unknown = parts.first(where: { !sentences.contains($0) && !verdicts.contains($0) }) {
            return fail("outcome '\(unknown)' is not one of \((sentences.sorted() + verdicts.sorted()).joined(separator: ", "))")
        }
        var defendant: [String: Any] = ["defendant_number": number, "offence": offence]
        let months = row["months"].flatMap { Int($0) }
        if let verdict = parts.first(where: verdicts.contains) {
            guard parts.count == 1 else { return fail("'\(verdict)' cannot be combined with another outcome") }
            defendant["outcome"] = verdict
            if verdict == "adjourned" {
                guard let date = row["adjourned_to"], SchoolDate(parsing: date) != nil else { return fail("an adjournment needs adjourned_to (YYYY-MM-DD)") }
                defendant["adjourned_to"] = date
            }
        } else {
            defendant["outcome"] = "sentenced"
            var sentence: [String: Any] = [:]
            let discharges = parts.filter { $0.hasSuffix("_discharge") }
            if discharges.count > 1 || (!discharges.isEmpty && parts.contains(where: { $0 == "fine" || $0 == "community_order" })) {
                return fail("a discharge cannot be combined with a fine, a community order or another discharge")
            }
            if parts.contains("absolute_discharge") { sentence["discharge"] = ["kind": "absolute"] }
            if parts.contains("conditional_discharge") {
                guard let months, (1...36).contains(months) else { return fail("a conditional discharge needs months (1 to 36)") }
                sentence["discharge"] = ["kind": "conditional", "months": months]
            }
            if parts.contains("fine") {
                guard let pence = pence(row["amount"]), pence > 0 else { return fail("a fine needs its amount in pounds") }
                let maximum = offence == "444(1)" ? 100_000 : 250_000
                guard pence <= maximum else { return fail("a fine for s\(offence) is at most £\(maximum / 100)") }
                var fine: [String: Any] = ["amount_pence": pence]
                if let band = row["band"], !band.isEmpty {
                    guard ["A", "B", "C"].contains(band.uppercased()) else { return fail("band '\(band)' is not A, B or C") }
                    fine["band"] = band.uppercased()
                }
                sentence["fine"] = fine
            }
            if parts.contains("parenting_order") {
                guard let months, (1...12).contains(months) else { return fail("a parenting order needs months (1 to 12)") }
                sentence["parenting_order"] = ["months": months]
            }
            if parts.contains("community_order") {
                guard offence == "444(1A)" else { return fail("a community order is available only for s444(1A)") }
                guard let months, (1...36).contains(months) else { return fail("a community order needs months (1 to 36)") }
                sentence["community_order"] = ["months": months]
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
