import AttendanceDomain
import Foundation
import Printing

/// Writes a ``ReportDocument`` into a folder three ways: `NAME.html` (printable), `NAME.pdf` (that HTML printed by
/// headless Chromium, when a printer is given) and `NAME-TABLE.csv` for every table, each chart's data table included.
///
/// The folder is made 0700 if missing and every file is written 0600: a report is the service's until it is
/// released. File names are the report's ``ReportDocument/name`` and its tables' ids, which reports make from fixed
/// words, LAESTABs and years, never from what a sender wrote; a name with anything else is refused. Every CSV cell
/// goes through ``CSVRecordReader/escape(_:)``, which neutralises cells a spreadsheet would run as formulas.
public struct ReportWriter: Sendable {
    public var folder: String
    public var printing: PDFPrinting?

    public init(folder: String, printing: PDFPrinting?) {
        self.folder = folder
        self.printing = printing
    }

    /// Writes the document; returns the paths written, HTML first.
    ///
    /// - Throws: ``ReportError`` when the folder or a file cannot be written, a name is not a safe file name, or the
    ///   PDF cannot be printed (the HTML and CSVs are written first, so a failed print loses nothing).
    @discardableResult
    public func write(_ document: ReportDocument) async throws -> [String] {
        for name in [document.name] + document.tables.map(\.id) where !Self.isSafeName(name) {
            throw ReportError(.unsafeName, "The report would write a file named \(name.debugDescription): names are lower-case letters, digits and hyphens.")
        }
        try Self.makeFolder(folder)
        let html = Array(ReportHTML(document).html.utf8)
        var written = [try Self.writeFile(html, to: "\(folder)/\(document.name).html")]
        var seen = Set<String>()
        for table in document.tables where seen.insert(table.id).inserted {
            written.append(try Self.writeFile(Array(Self.csv(table).utf8), to: "\(folder)/\(document.name)-\(table.id).csv"))
        }
        switch printing {
        case .printer(let printer):
            do {
                let pdf = try await printer.print(html: html)
                written.insert(try Self.writeFile(pdf, to: "\(folder)/\(document.name).pdf"), at: 1)
            } catch let error as PrintError {
                throw ReportError(.printFailed, "The PDF of \(document.name) could not be printed: \(error). The HTML and CSVs are written; print the HTML from a browser, or install Debian's chromium and run the report again.")
            }
        case .unavailable, nil:
            break
        }
        return written
    }

    /// A table as CSV: its columns as the header, then its rows; suppressed cells are `c`, empty cells empty.
    public static func csv(_ table: ReportTable) -> String {
        var out = table.columns.map(CSVRecordReader.escape).joined(separator: ",") + "\r\n"
        for row in table.rows {
            out += row.map { cell in
                switch cell {
                case .percent(let value): ReportCell.oneDecimal(value)
                case .pence(let pence): ReportCell.oneDecimal(Double(pence) / 100).replacingOccurrences(of: ".0", with: ".00")
                default: CSVRecordReader.escape(cell.text)
                }
            }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 120 && name.first != "-"
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    static func makeFolder(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ReportError(.folderUnusable, "\(path) is a file, not a folder: give --out a folder.") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ReportError(.folderUnusable, "The report folder \(path) could not be made: \(error.localizedDescription).")
        }
    }

    /// Writes through a temporary file renamed into place, mode 0600, so that a reader never sees half a report.
    static func writeFile(_ bytes: [UInt8], to path: String) throws -> String {
        let temporary = path + ".part"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw ReportError(.folderUnusable, "\(path) could not be written: \(String(cString: strerror(errno))).")
        }
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw ReportError(.folderUnusable, "\(path) could not be written: \(reason).")
            }
            offset += count
        }
        fsync(descriptor)
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ReportError(.folderUnusable, "\(path) could not be written: \(reason).")
        }
        return path
    }
}
