import AttendanceDomain
import Crypto
import Foundation
import Printing
import StrictJSON
import LiaisonMessages
import LiaisonProtocol

/// The bundle a court clerk receives for one prosecution file, written to `outbox/CASE/HEARING/`:
///
/// - `prosecution-file.html`: the printable file: a cover sheet, the bundle's documents, the information and
///   summons, the defendants by reference (D1...), the child, the offence, the attendance, the interventions and
///   penalty notices, the schedule of costs, the exhibits list and a copy of each letter and notice;
/// - `attendance-certificate.html`: the s.566 certificate of attendance with the register extract as its schedule;
/// - `witness-statement.html`: the officer's statement in s.9 Criminal Justice Act 1967 form;
/// - `prosecution-file.json`: the file exactly as the hub delivered it (its SHA-256 is the delivered body's);
/// - `register-extract.csv`: the register for the offence period, one row per school day;
/// - the three printable documents as PDF, printed by headless Chromium, or `pdf-missing.txt` saying why not;
/// - `manifest.json`: the SHA-256 of each document, whether the PDFs were made, and the hub's receipt.
///
/// A s.443 file (failing to comply with a school attendance order) rests on the order, not the register: its
/// bundle has no certificate of attendance and no register extract, and the prosecution file prints the order's
/// details (the notice served, the order made, the school it names, the breach) where the attendance would be.
///
/// Every printed page carries the case reference and its page number (CSS paged media). Rendering the HTML, JSON,
/// CSV and a missing PDF's note uses no clock, so the same file always gives the same bytes (golden-file tests
/// hold it to that); a PDF records when it was printed, so its bytes, and its digest in the manifest, differ
/// from one printing to the next.
public struct CourtBundle: Sendable {
    public struct Document: Sendable, Equatable {
        public var name: String
        public var bytes: [UInt8]
    }

    public var caseReference: String
    public var hearingDate: String
    public var documents: [Document]
    /// The defendants' references (D1...) and numbers, and the offence the information alleges: what the clerk's
    /// outcomes for this case are checked against.
    public var record: BundledCase

    /// Every printable document a bundle may have, in the bundle's order; each is also printed to `NAME.pdf`.
    public static let printable = ["prosecution-file", "attendance-certificate", "witness-statement"]
    /// The documents that rest on the register: a s.443 bundle has none of them.
    public static let registerDocuments = ["attendance-certificate.html", "register-extract.csv"]

    /// The printable documents of a file alleging `offence`: a s.443 file has no register, so no certificate.
    public static func printable(offence: String) -> [String] {
        offence == "443" ? printable.filter { $0 != "attendance-certificate" } : printable
    }
    /// The note a bundle without PDFs carries instead.
    public static let pdfMissing = "pdf-missing.txt"

    /// Renders a prosecution file (schemas/prosecution.file.schema.json) and prints its documents to PDF when
    /// `pdf` has a printer. A print that fails leaves all three PDFs out (a bundle has all or none) and says why;
    /// it never fails the bundle.
    ///
    /// - Parameters:
    ///   - body: the message body as received.
    ///   - messageID: the message's id; `source` who sent it; `auditEntry` the hub's audit entry for this delivery.
    /// - Throws: ``CourtsAdapterError`` when the body is not a prosecution file whose case reference and hearing
    ///   date can name a folder.
    public init(body: [UInt8], messageID: String, source: String, auditEntry: Int64?, pdf: PDFPrinting) async throws {
        let (file, reference, hearingDate) = try Self.read(body)
        caseReference = reference
        self.hearingDate = hearingDate
        record = BundledCase(file: file)
        let printable = Self.printable(offence: record.offence)
        let html = Self.render(file, printable: printable)
        documents = zip(printable, html).map { Document(name: "\($0).html", bytes: $1) }
        documents.append(Document(name: "prosecution-file.json", bytes: body))
        if printable.contains("attendance-certificate") {
            documents.append(Document(name: "register-extract.csv", bytes: Array(Self.registerCSV(file).utf8)))
        }
        var missing: String?
        switch pdf {
        case .unavailable(let reason):
            missing = reason
        case .printer(let printer):
            do {
                var printed: [Document] = []
                for (name, bytes) in zip(printable, html) {
                    printed.append(Document(name: "\(name).pdf", bytes: try await printer.print(html: bytes)))
                }
                documents += printed
            } catch {
                missing = "printing to PDF failed: \(error)"
            }
        }
        if let missing {
            documents.append(Document(name: Self.pdfMissing, bytes: Array(Self.missingNote(missing, printable: printable).utf8)))
        }
        documents.append(Document(name: "manifest.json", bytes: Self.manifest(
            reference: reference, documents: documents, pdfMissing: missing, messageID: messageID, source: source, auditEntry: auditEntry)))
    }

    /// The file's case reference and hearing date (`undated` without one), checked as ``init(body:messageID:source:auditEntry:pdf:)``
    /// needs them: both name the bundle's folder.
    static func read(_ body: [UInt8]) throws(CourtsAdapterError) -> (file: JSONValue, reference: String, hearingDate: String) {
        let file: JSONValue
        do { file = try JSONValue.parse(body) } catch { throw CourtsAdapterError("The prosecution file is not JSON: \(error)") }
        guard let reference = file["case_reference"]?.stringValue else {
            throw CourtsAdapterError("The prosecution file has no case_reference.")
        }
        // Both name the bundle's folder: only a case reference and a date of the schema's shapes may.
        guard isCaseReference(reference) else {
            throw CourtsAdapterError("The prosecution file's case_reference is not 3 to 40 capital letters, digits, '-' or '/' (and no UPN).")
        }
        guard let date = file["hearing"]?["date"] else { return (file, reference, "undated") }
        guard let text = date.stringValue, let parsed = SchoolDate(parsing: text), parsed.description == text else {
            throw CourtsAdapterError("The prosecution file's hearing date is not a date YYYY-MM-DD.")
        }
        return (file, reference, text)
    }

    /// The printable documents' HTML, in the bundle's order (`printable` names them).
    static func render(_ file: JSONValue, printable: [String]) -> [[UInt8]] {
        printable.map { name -> [UInt8] in
            switch name {
            case "prosecution-file": Array(ProsecutionFileHTML(file).render().utf8)
            case "attendance-certificate": Array(AttendanceCertificateHTML(file).render().utf8)
            default: Array(WitnessStatementHTML(file).render().utf8)
            }
        }
    }

    /// How each printable document is named to a person (the console's links and frames).
    package static let titles = [
        "prosecution-file": "Prosecution file", "attendance-certificate": "Certificate of attendance (s.566)",
        "witness-statement": "Witness statement (s.9)",
    ]

    /// The bundle's printable documents as HTML (`prosecution-file.html`, ...), in the bundle's order, from a
    /// prosecution file's message body: the same bytes a delivered file's bundle holds, so that the console's
    /// prosecution check shows the clerk's documents before anything is sent, not a copy of them. The body is held
    /// to what ``handle(_:)`` and the bundle hold a delivered one to first (JSON; integers in the schema's ranges; a
    /// case reference and hearing date that can name a folder). Prints nothing and writes nothing.
    ///
    /// - Throws: ``CourtsAdapterError`` saying why the Courts' adapter would reject the file.
    package static func printableDocuments(body: [UInt8]) throws(CourtsAdapterError) -> [Document] {
        let (file, _, _) = try read(body)
        if let problem = IntegerFields.problem(in: file, type: "prosecution.file") {
            throw CourtsAdapterError("The prosecution file cannot be used: \(problem)")
        }
        let printable = printable(offence: BundledCase(file: file).offence)
        return zip(printable, render(file, printable: printable)).map { Document(name: "\($0).html", bytes: $1) }
    }

    /// What `pdf-missing.txt` says.
    static func missingNote(_ reason: String, printable: [String] = printable) -> String {
        "The PDF copies of this bundle's documents (\(printable.map { "\($0).pdf" }.joined(separator: ", "))) were not made: \(reason).\n"
            + "The HTML documents are complete and print the same from a browser (A4, the case reference and page numbers on every page).\n"
    }

    /// The bundle's folder: the case (its reference with `/` made `-`), then the hearing date, so a file for a
    /// later hearing never replaces an earlier one (a corrected file for the same hearing does). Both are checked
    /// in `init` (capital letters, digits and `-` only; a real date), so the folder is always inside the outbox.
    public var folderName: String { caseReference.replacingOccurrences(of: "/", with: "-") + "/" + hearingDate }

    /// `^[A-Z0-9][A-Z0-9/-]{2,39}$`, as the schema says, holding no UPN-shaped token (a folder name must not).
    static func isCaseReference(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func allowed(_ c: UInt8, first: Bool) -> Bool {
            (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (!first && (c == UInt8(ascii: "-") || c == UInt8(ascii: "/")))
        }
        return (3...40).contains(bytes.count) && bytes.enumerated().allSatisfy { allowed($0.element, first: $0.offset == 0) }
            && !UPNShapedToken.occurs(in: text)
    }

    /// The register extract as CSV: date, then each session's code and its meaning.
    ///
    /// A session with no mark (`-`) has an empty code cell and the meaning "No mark recorded": written as a code,
    /// `-` would have to be neutralised as a formula (`'-`), which a clerk would read as a code of its own.
    static func registerCSV(_ file: JSONValue) -> String {
        let extract = file["register_extract"]
        let meanings = extract?["meanings"]?.objectValue ?? [:]
        func session(_ code: String) -> [String] {
            code == noMark ? ["", noMarkMeaning] : [code, meanings[code]?.stringValue ?? ""]
        }
        var lines = ["date,am,am_meaning,pm,pm_meaning"]
        for (date, day) in (extract?["marks"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let cells = [date] + session(day["am"]?.stringValue ?? "") + session(day["pm"]?.stringValue ?? "")
            lines.append(cells.map(CSVRecordReader.escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The register's symbol for a session with no mark, and what the extract says instead.
    static let noMark = "-"
    static let noMarkMeaning = "No mark recorded"

    static func manifest(
        reference: String, documents: [Document], pdfMissing: String?, messageID: String, source: String, auditEntry: Int64?
    ) -> [UInt8] {
        var entries: [[String: Any]] = []
        for document in documents {
            entries.append([
                "name": document.name, "bytes": document.bytes.count,
                "sha256": SHA256.hash(data: document.bytes).map { String(format: "%02x", $0) }.joined(),
            ])
        }
        var receipt: [String: Any] = ["message_id": messageID, "from": source]
        if let auditEntry {
            receipt["audit_entry"] = auditEntry
            receipt["check"] = "liaison audit receipt --entry \(auditEntry)  (the entry, its inclusion proof and the hub's signed checkpoint)"
        }
        let pdf: [String: Any] = pdfMissing.map { ["made": false, "reason": $0] }
            ?? ["made": true, "by": "headless Chromium, from the HTML documents"]
        let manifest: [String: Any] = ["case_reference": reference, "documents": entries, "hub_receipt": receipt, "pdf": pdf]
        let data = (try? JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data) + [0x0A]
    }

}

/// A problem the Courts adapter reports.
public struct CourtsAdapterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
