import AttendanceDomain
import Foundation
import LiaisonTestSupport
import Testing

/// MIS files come from outside: a DOCTYPE, a compressed file, a link, an empty or oversized file or a CSV in a
/// legacy encoding must each be refused (or decoded and said so), never read in a way the sender did not mean.
@Suite("Untrusted MIS files")
struct UntrustedInputTests {
    let reader = MISReader(directory: TestSupport.fixtureDirectory)

    static var validCTF: String { try! String(contentsOfFile: TestSupport.fixture("ctf-valid-v25.xml"), encoding: .utf8) }
    static var validCSV: String { try! String(contentsOfFile: TestSupport.fixture("csv-valid.csv"), encoding: .utf8) }

    /// The folders this test makes, removed when it ends.
    let temporary = TemporaryFolders()

    /// A fresh temporary folder, removed when the test ends.
    func temporaryFolder(_ label: String) -> URL {
        try! temporary.make("liaison-domain-\(label)").url
    }

    /// Writes `bytes` to a fresh temporary file called `name`; returns its path.
    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = temporaryFolder("untrusted").appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    // MARK: CTF

    @Test("A CTF with an internal entity in a mark string is refused, not read with shifted marks")
    func entityInMarks() throws {
        // The entity's six characters stand for three days: expanded (or dropped), every later mark moves.
        let text = Self.validCTF
            .replacingOccurrences(of: "<CTfile>", with: "<!DOCTYPE CTfile [<!ENTITY e \"######\">]>\n<CTfile>")
            .replacingOccurrences(of: "<AttendanceMarks>/\\/\\/\\####", with: "<AttendanceMarks>&e;/\\/\\/\\####")
        for result in [reader.read(path: file("entity.xml", Array(text.utf8))), reader.readCTF(bytes: Array(text.utf8))] {
            #expect(result.codes == ["dtd-not-allowed"], "\(result.problems)")
            #expect(result.hasFatalProblem && result.pupils.isEmpty)
        }
    }

    @Test("Any DOCTYPE is refused: external, empty, or declaring entities", arguments: [
        "<!DOCTYPE CTfile>",
        "<!DOCTYPE CTfile SYSTEM \"file:///etc/passwd\">",
        "<!DOCTYPE CTfile [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
        "<!DOCTYPE CTfile PUBLIC \"-//x//y\" \"http://example.invalid/ctf.dtd\">",
    ])
    func doctype(declaration: String) {
        let text = Self.validCTF.replacingOccurrences(of: "<CTfile>", with: declaration + "\n<CTfile>")
        let result = reader.read(path: file("doctype.xml", Array(text.utf8)))
        #expect(result.codes == ["dtd-not-allowed"], "\(result.problems)")
        #expect(result.problems.first?.message.contains("DOCTYPE") == true)
    }

    @Test("An empty CTF says it is empty", arguments: ["", "   \n\t\r\n", "\u{FEFF}\n"])
    func emptyCTF(text: String) {
        for result in [reader.read(path: file("empty.xml", Array(text.utf8))), reader.readCTF(bytes: Array(text.utf8))] {
            #expect(result.codes == ["empty-file"], "\(result.problems)")
            #expect(result.problems.first?.message.contains("empty") == true)
        }
    }

    @Test("A gzip-compressed CTF is not decompressed behind the sender's back")
    func gzip() async throws {
        let path = temporaryFolder("gzip").appendingPathComponent("school.xml").path
        _ = try await TestSupport.python([
            "-c", "import gzip,sys; open(sys.argv[2],'wb').write(gzip.compress(open(sys.argv[1],'rb').read()))",
            TestSupport.fixture("ctf-valid-v25.xml"), path,
        ])
        let result = reader.read(path: path)
        #expect(result.hasFatalProblem && result.pupils.isEmpty)
        #expect(result.codes == ["malformed-xml"], "\(result.problems)")
        #expect(result.problems.first?.message.contains("gzip") == true)
    }

    @Test("A symbolic link is refused, not followed")
    func symlink() throws {
        let folder = temporaryFolder("link")
        let link = folder.appendingPathComponent("school.xml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: TestSupport.fixture("ctf-valid-v25.xml"))
        let result = reader.read(path: link)
        #expect(result.codes == ["not-regular-file"], "\(result.problems)")
        #expect(result.pupils.isEmpty)
        let csvLink = folder.appendingPathComponent("school.csv").path
        try FileManager.default.createSymbolicLink(atPath: csvLink, withDestinationPath: TestSupport.fixture("csv-valid.csv"))
        #expect(reader.read(path: csvLink).codes == ["not-regular-file"])
    }

    @Test("A FIFO is refused at once, never opened for a blocking read", .timeLimit(.minutes(1)))
    func fifo() {
        let path = temporaryFolder("fifo").appendingPathComponent("school.xml").path
        #expect(mkfifo(path, 0o600) == 0)
        #expect(reader.read(path: path).codes == ["not-regular-file"])
    }

    @Test("A file over the size cap is refused before it is parsed")
    func sizeCap() {
        var small = reader
        small.maximumFileSize = 1024
        let ctf = small.read(path: TestSupport.fixture("ctf-valid-v25.xml"))
        #expect(ctf.codes == ["file-too-large"], "\(ctf.problems)")
        #expect(ctf.problems.first?.message.contains("1024") == true)
        #expect(small.read(path: TestSupport.fixture("csv-valid.csv")).codes == ["file-too-large"])
        #expect(MISReader.defaultMaximumFileSize == 512 << 20)
        #expect(reader.read(path: TestSupport.fixture("ctf-valid-v25.xml")).problems.isEmpty)
    }

    // MARK: CSV

    /// The valid CSV with its first pupil's surname replaced by `surname` (bytes, in whatever encoding).
    static func csv(surname: [UInt8], bom: Bool = false) -> [UInt8] {
        let parts = validCSV.components(separatedBy: "Fixtureby")
        var bytes: [UInt8] = bom ? [0xEF, 0xBB, 0xBF] : []
        for (index, part) in parts.enumerated() {
            if index > 0 { bytes += surname }
            bytes += Array(part.utf8)
        }
        return bytes
    }

    @Test("A Windows-1252 CSV is decoded, and the report says so")
    func windows1252() {
        // "Zoë O’Brien-Müller" in Windows-1252: ë EB, ’ 92 (a 1252-only curly quote), ü FC.
        let bytes = Self.csv(surname: [0x5A, 0x6F, 0xEB, 0x20, 0x4F, 0x92, 0x42, 0x72, 0x69, 0x65, 0x6E, 0x2D, 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72])
        let result = reader.read(path: file("latin.csv", bytes))
        #expect(!result.hasFatalProblem, "\(result.problems)")
        #expect(result.codes == ["decoded-windows-1252"], "\(result.problems)")
        #expect(result.problems.first?.severity == .recoverable)
        #expect(result.pupils.first?.surname == "Zoë O\u{2019}Brien-Müller")
        #expect(!result.pupils.contains { ($0.surname ?? "").contains("\u{FFFD}") })
    }

    @Test("UTF-8, with or without a byte-order mark, is read as it is, with no warning")
    func utf8() {
        for bom in [false, true] {
            let result = reader.read(path: file("utf8.csv", Self.csv(surname: Array("Zoë O’Brien".utf8), bom: bom)))
            #expect(result.problems.isEmpty, "\(result.problems)")
            #expect(result.pupils.first?.surname == "Zoë O’Brien")
        }
    }

    @Test("Bytes no known encoding explains are refused, not turned into U+FFFD", arguments: [
        ("undefined in Windows-1252", Self.csv(surname: [0x46, 0x81, 0x78])),
        ("UTF-8 then Latin-1", Array("laestab,school_name,upn,date,session,code\n9262001,Zoë,R926200121001,2025-09-03,AM,/\n9262001,Zo\u{00EB}".utf8) + [0xEB] + Array(",R926200121001,2025-09-03,PM,\\\n".utf8)),
        ("a byte-order mark, then not UTF-8", Self.csv(surname: [0x5A, 0x6F, 0xEB], bom: true)),
    ])
    func unknownEncoding(label: String, bytes: [UInt8]) {
        let result = reader.read(path: file("bad.csv", bytes))
        #expect(result.codes == ["unknown-encoding"], "\(label): \(result.problems)")
        #expect(result.hasFatalProblem)
        #expect(result.problems.first?.location.line != nil)
    }

    @Test("The record reader says which encoding it decoded")
    func recordReaderEncoding() throws {
        var latin = CSVRecordReader(bytes: [0x61, 0x2C, 0xE9, 0x0A])
        #expect(try latin.next()?.fields == ["a", "é"])
        #expect(latin.encoding == .windows1252)
        var plain = CSVRecordReader(text: "a,é\n")
        #expect(try plain.next()?.fields == ["a", "é"])
        #expect(plain.encoding == .utf8)
        var undefined = CSVRecordReader(bytes: [0x61, 0x2C, 0x8D, 0x0A])
        #expect(throws: CSVRecordReader.Malformed.self) { try undefined.next() }
    }

    @Test("An empty CSV says it is empty", arguments: ["", "\n\n", "\u{FEFF}"])
    func emptyCSV(text: String) {
        let result = reader.read(path: file("empty.csv", Array(text.utf8)))
        #expect(result.codes == ["empty-file"], "\(result.problems)")
    }

    // MARK: Writing CSV

    @Test("Cells a spreadsheet would run as a formula are neutralised (OWASP)", arguments: [
        ("=1+2", "\"'=1+2\""), ("+44 1632 960000", "\"'+44 1632 960000\""), ("-2+3", "\"'-2+3\""),
        ("@SUM(A1:A2)", "\"'@SUM(A1:A2)\""), ("\tcmd", "\"'\tcmd\""), ("\rcmd", "\"'\rcmd\""),
        ("=HYPERLINK(\"http://x.invalid\",\"y\")", "\"'=HYPERLINK(\"\"http://x.invalid\"\",\"\"y\"\")\""), ("-", "\"'-\""),
        // Plain numbers are read by a spreadsheet as numbers, never as formulas: left alone.
        ("-3", "-3"), ("-0.25", "-0.25"), ("+5", "+5"), ("12.5", "12.5"),
        ("O'Brien", "O'Brien"), ("a=b", "a=b"), ("Fixture, School", "\"Fixture, School\""), ("", ""),
    ])
    func escape(cell: String, written: String) throws {
        #expect(CSVRecordReader.escape(cell) == written)
        // What is written reads back as one cell (a blank line is no record at all).
        var reader = CSVRecordReader(text: written + "\n")
        #expect(try reader.next()?.fields.count == (cell.isEmpty ? nil : 1))
    }

    @Test("mis check --format csv neutralises a formula the school's file holds")
    func checkReportCSV() {
        let text = Self.validCSV.replacingOccurrences(of: "R926200121001", with: "=2+5+cmd|' /C calc'!A0")
        let result = reader.read(path: file("formula.csv", Array(text.utf8)))
        #expect(!result.hasFatalProblem && result.codes.contains("upn-malformed"), "\(result.problems)")
        let csv = MISCheckReport([result]).render(.csv)
        #expect(csv.contains(",\"'=2+5+cmd|' /C calc'!A0\","), "\(csv)")
        for line in csv.split(separator: "\n") {
            #expect(!line.contains(",=") && !line.hasPrefix("="), "\(line)")
        }
    }

    @Test("Synthesised CSV registers still read back the same as their CTFs")
    func synthRoundTrip() throws {
        // The synthesiser writes a blank code for "no mark", never a cell the neutraliser would change.
        let folder = temporaryFolder("synth-roundtrip")
        let county = try CountySynthesizer(.init(schools: 2, pupils: 60, seed: 7)).write(to: folder)
        let directory = SchoolDirectory(county.schools)
        let csvReader = MISReader(directory: directory)
        for (ctf, csv) in zip(county.ctfFiles.sorted(), county.csvFiles.sorted()) {
            let fromCTF = csvReader.read(path: folder.appendingPathComponent(ctf).path)
            let fromCSV = csvReader.read(path: folder.appendingPathComponent(csv).path)
            #expect(!fromCSV.codes.contains("code-unknown"), "\(fromCSV.problems)")
            #expect(fromCSV.pupils.map(\.figures) == fromCTF.pupils.map(\.figures))
        }
    }
}
