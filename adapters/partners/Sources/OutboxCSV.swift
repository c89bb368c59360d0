import AttendanceDomain
import Foundation
import LiaisonAdapterKit

/// `outbox/TYPE.csv`: one line per message a partner receives, for people who open it in a spreadsheet.
///
/// The first message of a type makes the file and its header (`message_id`, then the body's flattened fields in
/// order); each later one is appended under that header, a field the header lacks left out. Every cell, the header's
/// too, goes through `CSVRecordReader.escape`: the field names and values are the sender's text, and a cell such as
/// `=HYPERLINK(...)` must reach the spreadsheet as text (`'=HYPERLINK(...)`), never as a formula.
struct OutboxCSV {
    let path: String

    /// Appends one message's line (making the file, header first, if it is not there), flushed to disk.
    ///
    /// - Parameters:
    ///   - fields: the body's flattened fields, name to value.
    ///   - messageID: the `message_id` column.
    func append(_ fields: [String: String], messageID: String) throws {
        func line(_ header: [String]) -> String {
            header.map { CSVRecordReader.escape($0 == "message_id" ? messageID : fields[$0] ?? "") }.joined(separator: ",") + "\n"
        }
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            let header = ["message_id"] + fields.keys.sorted()
            try DropFolder.writeAtomically(Data((Self.row(header) + line(header)).utf8), to: path)
            return
        }
        defer { try? handle.close() }
        // The header as written names each column by its escaped text (`'=x` for `=x`): it is matched back to the
        // field names through the same escaping, so a neutralised name still finds its values.
        let written = try Self.header(of: handle)
        let byCell = Dictionary(
            (["message_id"] + fields.keys.sorted()).map { (Self.asRead($0), $0) }, uniquingKeysWith: { first, _ in first })
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line(written.map { byCell[$0] ?? "" }).utf8))
        try handle.synchronize()
    }

    /// A row of cells, each escaped.
    static func row(_ cells: [String]) -> String {
        cells.map(CSVRecordReader.escape).joined(separator: ",") + "\n"
    }

    /// The text a spreadsheet (or `CSVRecordReader`) reads back from `name` written as an escaped cell.
    static func asRead(_ name: String) -> String {
        var reader = CSVRecordReader(text: CSVRecordReader.escape(name))
        return (try? reader.next())?.fields.first ?? name
    }

    /// The header's cells: the file's first record, read up to the first line break outside quotes, however long
    /// (a body's field names are the sender's, and may be long or hold commas, quotes or line breaks).
    static func header(of handle: FileHandle) throws -> [String] {
        var bytes: [UInt8] = []
        var quoted = false
        reading: while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            for byte in chunk {
                if byte == UInt8(ascii: "\"") { quoted.toggle() }
                if byte == 0x0A, !quoted { break reading }
                bytes.append(byte)
            }
        }
        var reader = CSVRecordReader(bytes: bytes)
        return try reader.next()?.fields ?? []
    }
}
