import AttendanceDomain
import Testing

/// The line `CSVRecordReader.windows1252Line` names is the line the clerk or school will look at to check the
/// accents: it must be the line the first Windows-1252 text is on, wherever in its record that text stands.
@Suite("The line of the first Windows-1252 text")
struct CSVWindows1252LineTests {
    /// Latin-1 bytes of `text` (each scalar below 256 one byte), as a spreadsheet's "CSV" on Windows saves it.
    static func windows1252(_ text: String) -> [UInt8] { text.unicodeScalars.map { UInt8($0.value) } }

    /// Reads every record of `text` (saved as Windows-1252) and answers the reader's line.
    static func line(_ text: String) throws -> Int? {
        var reader = CSVRecordReader(bytes: windows1252(text))
        while try reader.next() != nil {}
        #expect(reader.encoding == .windows1252)
        return reader.windows1252Line
    }

    @Test("A record's last field: its own line, not the next", arguments: [
        ("a,b\n1,Caf\u{E9}\n", 2),
        ("a,b\r\n1,Caf\u{E9}\r\n2,x\r\n", 2),  // CRLF, as Windows saves it
        ("a,b\n1,x\n\n2,Caf\u{E9}\n", 4),  // after a blank line
        ("a,b\n1,Caf\u{E9}", 2),  // no line break at the end
        ("Caf\u{E9}\n", 1),  // a record of one field
    ])
    func lastField(text: String, expected: Int) throws {
        #expect(try Self.line(text) == expected, "\(text.debugDescription)")
    }

    @Test("A first or middle field, as before")
    func otherFields() throws {
        #expect(try Self.line("a,b,c\nCaf\u{E9},x,y\n") == 2)
        #expect(try Self.line("a,b,c\nx,Caf\u{E9},y\n") == 2)
    }

    @Test("A quoted field over several lines: the line of its first such byte")
    func quotedOverLines() throws {
        #expect(try Self.line("a,b\n1,\"first line\nCaf\u{E9}\nthird\"\n") == 3)
        #expect(try Self.line("a,b\n1,\"Caf\u{E9}\nsecond\"\n") == 2)
    }

    @Test("A byte no encoding explains, in a record's last field, is reported on its own line")
    func faultInLastField() throws {
        var reader = CSVRecordReader(bytes: Array("a,b\n1,x".utf8) + [0x81] + Array("\n2,y\n".utf8))
        #expect(try reader.next()?.fields == ["a", "b"])
        do {
            _ = try reader.next()
            Issue.record("0x81 was read")
        } catch {
            #expect(error.kind == .encoding && error.line == 2, "\(error)")
        }
    }
}
