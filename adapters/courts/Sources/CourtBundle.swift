import AttendanceDomain
import Crypto
import Foundation
import JSONSchema
import LiaisonProtocol

/// The bundle a court clerk receives for one prosecution file, written to `outbox/CASE/`:
///
/// - `prosecution-file.html`: the printable file: a cover sheet, the parties, the offence, the attendance
///   officer's statement, the register extract as a table, the interventions and penalty notices;
/// - `prosecution-file.json`: the file exactly as the hub delivered it (its SHA-256 is the delivered body's);
/// - `register-extract.csv`: the register for the offence period, one row per school day;
/// - `manifest.json`: the SHA-256 of each document, and the hub's receipt for the exchange (its audit entry).
///
/// Rendering is deterministic (no clock, keys in a fixed order), so the same file always gives the same
/// bytes: golden-file tests hold it to that.
public struct CourtBundle: Sendable {
    public struct Document: Sendable, Equatable {
        public var name: String
        public var bytes: [UInt8]
    }

    public var caseReference: String
    public var hearingDate: String
    public var documents: [Document]

    /// Renders a prosecution file (schemas/prosecution.file.schema.json).
    ///
    /// - Parameters:
    ///   - body: the message body as received.
    ///   - messageID: the message's id; `source` who sent it; `auditEntry` the hub's audit entry for this delivery.
    public init(body: [UInt8], messageID: String, source: String, auditEntry: Int64?) throws {
        let file = try JSONValue.parse(body)
        guard let reference = file["case_reference"]?.stringValue else {
            throw CourtsAdapterError("The prosecution file has no case_reference.")
        }
        // Both name the bundle's folder: only a case reference and a date of the schema's shapes may.
        guard Self.isCaseReference(reference) else {
            throw CourtsAdapterError("The prosecution file's case_reference is not 3 to 40 capital letters, digits, '-' or '/' (and no UPN).")
        }
        caseReference = reference
        if let date = file["hearing"]?["date"] {
            guard let text = date.stringValue, let parsed = SchoolDate(parsing: text), parsed.description == text else {
                throw CourtsAdapterError("The prosecution file's hearing date is not a date YYYY-MM-DD.")
            }
            hearingDate = text
        } else {
            hearingDate = "undated"
        }
        documents = [
            Document(name: "prosecution-file.html", bytes: Array(ProsecutionFileHTML(file).render().utf8)),
            Document(name: "prosecution-file.json", bytes: body),
            Document(name: "register-extract.csv", bytes: Array(Self.registerCSV(file).utf8)),
        ]
        documents.append(Document(name: "manifest.json", bytes: Self.manifest(
            reference: reference, documents: documents, messageID: messageID, source: source, auditEntry: auditEntry)))
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

    static func manifest(reference: String, documents: [Document], messageID: String, source: String, auditEntry: Int64?) -> [UInt8] {
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
        let manifest: [String: Any] = ["case_reference": reference, "documents": entries, "hub_receipt": receipt]
        let data = (try? JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data) + [0x0A]
    }

}

/// A problem the Courts adapter reports.
public struct CourtsAdapterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
