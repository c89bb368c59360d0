import Foundation

/// The result of looking a register code up for a session date.
public enum CodeLookup: Hashable, Sendable {
    /// The code exists and may be used on the date.
    case valid(RegisterCode)
    /// No such code (the text is given back).
    case unknown(String)
    /// The code exists but not on this date (e.g. `H` after 18 August 2024, `J1` before 19 August 2024).
    case notValidOnDate(RegisterCode, SchoolDate)
}

/// The DfE register codes, loaded from attendance-codes.csv, with lookups by symbol, date and mark character.
///
/// ``standard`` is the table shipped as a resource of this module (a copy of the domain's attendance-codes.csv).
///
/// ```swift
/// let table = CodeTable.standard
/// table.lookup("J1", on: SchoolDate(parsing: "2025-10-01")!)   // .valid(J1)
/// table.lookup("H", on: SchoolDate(parsing: "2025-10-01")!)    // .notValidOnDate(H, 2025-10-01)
/// table.lookup("Q9", on: SchoolDate(parsing: "2025-10-01")!)   // .unknown("Q9")
/// ```
public struct CodeTable: Sendable {
    /// Every code, in the order of the CSV file.
    public let codes: [RegisterCode]
    private let indexBySymbol: [String: Int]
    /// The code index for each mark-string byte (see ``MarkStringMapping``), -1 if none.
    private let indexByMarkByte: [Int16]

    /// The table shipped with the module (`Resources/attendance-codes.csv`).
    public static let standard: CodeTable = {
        guard let url = Bundle.module.url(forResource: "attendance-codes", withExtension: "csv") else {
            fatalError("attendance-codes.csv is missing from the AttendanceDomain resources: rebuild the package")
        }
        do {
            return try CodeTable(contentsOf: url)
        } catch {
            fatalError("the shipped attendance-codes.csv is invalid: \(error)")
        }
    }()

    /// Loads a table from a CSV file with the columns of attendance-codes.csv.
    /// - Throws: ``AttendanceDomainError/Code/fileUnreadable`` or ``AttendanceDomainError/Code/codeTableInvalid``.
    public init(contentsOf url: URL) throws(AttendanceDomainError) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AttendanceDomainError(.fileUnreadable, "cannot read the code table: \(error.localizedDescription)", file: url.path)
        }
        try self.init(csv: text, source: url.path)
    }

    /// Parses a table from CSV text with the header
    /// `code,meaning,category,in_possible_sessions,valid_from,valid_to,notes`.
    /// - Throws: ``AttendanceDomainError/Code/codeTableInvalid`` naming the line and column at fault.
    public init(csv: String, source: String = "attendance-codes.csv") throws(AttendanceDomainError) {
        func invalid(_ message: String, line: Int?) -> AttendanceDomainError {
            AttendanceDomainError(.codeTableInvalid, message, file: source, line: line)
        }
        var reader = CSVRecordReader(text: csv)
        let expected = ["code", "meaning", "category", "in_possible_sessions", "valid_from", "valid_to", "notes"]
        var codes: [RegisterCode] = []
        var indexBySymbol: [String: Int] = [:]
        do {
            guard let header = try reader.next(), header.fields == expected else {
                throw invalid("the header must be \(expected.joined(separator: ","))", line: 1)
            }
            while let record = try reader.next() {
                let fields = record.fields
                guard fields.count == expected.count else {
                    throw invalid("expected \(expected.count) fields, found \(fields.count)", line: record.line)
                }
                let symbol = fields[0]
                guard !symbol.isEmpty, symbol.utf8.count <= 2 else {
                    throw invalid("code \"\(symbol)\" must be one or two characters", line: record.line)
                }
                guard indexBySymbol[symbol] == nil else { throw invalid("code \(symbol) is listed twice", line: record.line) }
                guard let category = AttendanceCategory(rawValue: fields[2]) else {
                    throw invalid(
                        "category \"\(fields[2])\" of code \(symbol) is not one of "
                            + AttendanceCategory.allCases.map(\.rawValue).joined(separator: ", "), line: record.line)
                }
                guard fields[3] == "yes" || fields[3] == "no" else {
                    throw invalid("in_possible_sessions of code \(symbol) must be yes or no", line: record.line)
                }
                func date(_ text: String, _ column: String) throws(AttendanceDomainError) -> SchoolDate? {
                    if text.isEmpty { return nil }
                    guard let date = SchoolDate(parsing: text) else {
                        throw invalid("\(column) of code \(symbol) must be YYYY-MM-DD, found \"\(text)\"", line: record.line)
                    }
                    return date
                }
                let code = RegisterCode(
                    symbol: symbol, meaning: fields[1], category: category, countsAsPossibleSession: fields[3] == "yes",
                    validFrom: try date(fields[4], "valid_from"), validTo: try date(fields[5], "valid_to"),
                    index: codes.count)
                guard code.countsAsPossibleSession == category.isPossibleSession else {
                    throw invalid("code \(symbol): in_possible_sessions disagrees with category \(category.rawValue)", line: record.line)
                }
                indexBySymbol[symbol] = codes.count
                codes.append(code)
            }
        } catch let malformed as CSVRecordReader.Malformed {
            throw invalid("not valid CSV: \(malformed.reason)", line: malformed.line)
        } catch let error as AttendanceDomainError {
            throw error
        } catch {
            throw invalid("\(error)", line: nil)
        }
        guard indexBySymbol["-"] != nil, indexBySymbol["#"] != nil else {
            throw invalid("the table must list '-' (missing mark) and '#' (closure)", line: nil)
        }
        var byByte = [Int16](repeating: -1, count: 256)
        for code in codes {
            guard let character = MarkStringMapping.character(for: code.symbol), let byte = character.asciiValue else { continue }
            byByte[Int(byte)] = Int16(code.index)
        }
        self.codes = codes
        self.indexBySymbol = indexBySymbol
        self.indexByMarkByte = byByte
    }

    /// The code with this symbol, whatever the date.
    public func code(_ symbol: String) -> RegisterCode? { indexBySymbol[symbol].map { codes[$0] } }

    /// Looks a code up for a session on `date`: valid, unknown, or not valid on that date.
    public func lookup(_ symbol: String, on date: SchoolDate) -> CodeLookup {
        guard let code = code(symbol) else { return .unknown(symbol) }
        return code.isValid(on: date) ? .valid(code) : .notValidOnDate(code, date)
    }

    /// The code a CTF mark-string byte stands for (see ``MarkStringMapping``), or nil.
    @inline(__always)
    public func code(markByte: UInt8) -> RegisterCode? {
        let index = indexByMarkByte[Int(markByte)]
        return index < 0 ? nil : codes[Int(index)]
    }

    /// The code index for a mark-string byte, or -1.
    @inline(__always)
    func index(markByte: UInt8) -> Int { Int(indexByMarkByte[Int(markByte)]) }

    /// The code index for a symbol, or nil.
    func index(symbol: String) -> Int? { indexBySymbol[symbol] }

    /// The codes valid on `date`, in table order.
    public func codes(validOn date: SchoolDate) -> [RegisterCode] { codes.filter { $0.isValid(on: date) } }

    /// The code for a missing mark (`-`).
    public var missing: RegisterCode { codes[indexBySymbol["-"]!] }

    /// The code for a closure or non-school day (`#`).
    public var closure: RegisterCode { codes[indexBySymbol["#"]!] }
}
