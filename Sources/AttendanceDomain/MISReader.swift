import Foundation

/// Reads one school's MIS export (a CTF XML file or a CSV register export) into a ``MISReadResult``.
///
/// Reading streams: a CTF goes through libxml2's pull parser and a CSV line by line, so memory is bounded by one
/// school's pupils and marks, not by the file. Problems never throw: each is reported in the result with a stable
/// code, a severity, its location (line, element path, UPN) and what to do. Formats and codes: docs/mis-formats.md.
///
/// ```swift
/// let directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: "synth/schools.csv"))
/// let result = MISReader(directory: directory).read(path: "synth/ctf/9262001-2025-ht1.xml")
/// for problem in result.problems { print(problem) }
/// print(result.schoolFigures.attendanceRate ?? 0)
/// ```
public struct MISReader: Sendable {
    /// Which part of the academic year the file is taken to cover.
    public enum PeriodSelection: Hashable, Sendable {
        /// The half term holding most of the file's marks (marks in other half terms are reported).
        case infer
        /// Half term 1-6 (marks outside it are reported).
        case halfTerm(Int)
        /// The whole academic year (for a CTF carrying the year to date).
        case wholeYear
    }

    /// The register codes to check marks against.
    public var table: CodeTable
    /// The known schools; when given, a school not in it is a fatal problem.
    public var directory: SchoolDirectory?
    /// The period the file covers.
    public var period: PeriodSelection

    public init(table: CodeTable = .standard, directory: SchoolDirectory? = nil, period: PeriodSelection = .infer) {
        self.table = table
        self.directory = directory
        self.period = period
    }

    /// Reads a file, choosing the format by extension (`.xml` CTF, `.csv` CSV) or, failing that, by its first byte.
    public func read(path: String) -> MISReadResult {
        switch format(of: path) {
        case .ctf: return readCTF(path: path)
        case .csv: return readCSV(path: path)
        }
    }

    /// The format of a file by extension, or by its first non-blank byte (`<` is XML).
    public func format(of path: String) -> MISReadResult.Format {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".xml") || lowered.hasSuffix(".ctf") { return .ctf }
        if lowered.hasSuffix(".csv") { return .csv }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .csv }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 256)) ?? Data()
        let first = head.first { ![9, 10, 13, 32, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "<") ? .ctf : .csv
    }

    /// Reads a CTF XML file.
    public func readCTF(path: String) -> MISReadResult {
        var parser = CTFParser(file: path, reader: self)
        parser.parse(source: .file(path))
        return parser.assembler.finish()
    }

    /// Reads CTF XML held in memory; `name` stands for the file in problem locations.
    public func readCTF(bytes: [UInt8], name: String = "memory.xml") -> MISReadResult {
        var parser = CTFParser(file: name, reader: self)
        parser.parse(source: .memory(bytes))
        return parser.assembler.finish()
    }

    /// Reads a CSV register export.
    public func readCSV(path: String) -> MISReadResult {
        var assembler = ReturnAssembler(file: path, format: .csv, reader: self)
        let records: CSVRecordReader
        do { records = try CSVRecordReader(path: path) } catch {
            assembler.report(.fileUnreadable, "cannot open the file: check the path and permissions")
            return assembler.finish()
        }
        var parser = CSVRegisterParser(assembler: assembler, table: table)
        parser.parse(records)
        return parser.assembler.finish()
    }

    /// Reads a CSV register export held in memory; `name` stands for the file in problem locations.
    public func readCSV(text: String, name: String = "memory.csv") -> MISReadResult {
        var parser = CSVRegisterParser(assembler: ReturnAssembler(file: name, format: .csv, reader: self), table: table)
        parser.parse(CSVRecordReader(text: text))
        return parser.assembler.finish()
    }
}
