import Foundation

/// Reads one school's MIS export (a CTF XML file or a CSV register export) into a ``MISReadResult``.
///
/// Reading streams: a CTF goes through libxml2's pull parser and a CSV line by line, so memory is bounded by one
/// school's pupils and marks, not by the file. Problems never throw: each is reported in the result with a stable
/// code, a severity, its location (line, element path, UPN) and what to do. Formats and codes: docs/mis-formats.md.
///
/// Files are untrusted: a link, FIFO or other non-regular file is refused without being followed or opened, a file
/// over ``maximumFileSize`` is refused, nothing is decompressed, a CTF with a DOCTYPE is refused, and a CSV that is
/// not UTF-8 is read as Windows-1252 and says so, or refused.
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
    /// The largest file read, in bytes; a larger one is refused (`file-too-large`) unread.
    public var maximumFileSize: Int

    /// The default ``maximumFileSize``: 512 MiB, well above a whole year's CTF or CSV of the largest school, and
    /// small enough that a mistaken or hostile file cannot take the machine's memory or time.
    public static let defaultMaximumFileSize = 512 << 20

    public init(table: CodeTable = .standard, directory: SchoolDirectory? = nil, period: PeriodSelection = .infer,
                maximumFileSize: Int = MISReader.defaultMaximumFileSize) {
        self.table = table
        self.directory = directory
        self.period = period
        self.maximumFileSize = maximumFileSize
    }

    /// Reads a file, choosing the format by extension (`.xml` CTF, `.csv` CSV) or, failing that, by its first byte.
    public func read(path: String) -> MISReadResult {
        let input: InputFile
        do { input = try InputFile.open(path, limit: maximumFileSize) } catch {
            return refused(path, format: Self.format(ofName: path) ?? .csv, error)
        }
        switch Self.format(ofName: path) ?? Self.format(ofHead: input.peek()) {
        case .ctf: return readCTF(input, path: path)
        case .csv: return readCSV(input, path: path)
        }
    }

    /// The format of a file by extension, or by its first non-blank byte (`<` is XML).
    public func format(of path: String) -> MISReadResult.Format {
        if let format = Self.format(ofName: path) { return format }
        guard let input = try? InputFile.open(path, limit: maximumFileSize) else { return .csv }
        return Self.format(ofHead: input.peek())
    }

    static func format(ofName path: String) -> MISReadResult.Format? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".xml") || lowered.hasSuffix(".ctf") { return .ctf }
        if lowered.hasSuffix(".csv") { return .csv }
        return nil
    }

    static func format(ofHead head: [UInt8]) -> MISReadResult.Format {
        let first = head.first { !InputFile.blank($0) }
        return first == UInt8(ascii: "<") ? .ctf : .csv
    }

    /// Reads a CTF XML file.
    public func readCTF(path: String) -> MISReadResult {
        do { return readCTF(try InputFile.open(path, limit: maximumFileSize), path: path) } catch {
            return refused(path, format: .ctf, error)
        }
    }

    private func readCTF(_ input: InputFile, path: String) -> MISReadResult {
        var parser = CTFParser(file: path, reader: self)
        parser.parse(source: .file(input))
        return parser.assembler.finish()
    }

    /// The result for a file that was not opened: one fatal problem saying why.
    private func refused(_ path: String, format: MISReadResult.Format, _ refusal: InputFile.Refusal) -> MISReadResult {
        var assembler = ReturnAssembler(file: path, format: format, reader: self)
        let (code, message) = refusal.problem
        assembler.report(code, message)
        return assembler.finish()
    }

    /// Reads CTF XML held in memory; `name` stands for the file in problem locations.
    public func readCTF(bytes: [UInt8], name: String = "memory.xml") -> MISReadResult {
        var parser = CTFParser(file: name, reader: self)
        parser.parse(source: .memory(bytes))
        return parser.assembler.finish()
    }

    /// Reads a CSV register export.
    public func readCSV(path: String) -> MISReadResult {
        do { return readCSV(try InputFile.open(path, limit: maximumFileSize), path: path) } catch {
            return refused(path, format: .csv, error)
        }
    }

    private func readCSV(_ input: InputFile, path: String) -> MISReadResult {
        var parser = CSVRegisterParser(assembler: ReturnAssembler(file: path, format: .csv, reader: self), table: table)
        parser.parse(CSVRecordReader(input: input))
        return parser.assembler.finish()
    }

    /// Reads a CSV register export held in memory; `name` stands for the file in problem locations.
    public func readCSV(text: String, name: String = "memory.csv") -> MISReadResult {
        var parser = CSVRegisterParser(assembler: ReturnAssembler(file: name, format: .csv, reader: self), table: table)
        parser.parse(CSVRecordReader(text: text))
        return parser.assembler.finish()
    }
}
