import Foundation
import StrictJSON

/// A message's envelope: CloudEvents 1.0 context attributes plus Liaison's extensions
/// (docs/protocol.md §4). The body travels in its own frame and is not part of the envelope.
public struct Envelope: Sendable, Equatable {
    public var id: String
    public var source: AgencyID
    public var type: MessageType
    public var time: String?
    public var subject: String?
    public var dataSchema: String?
    public var dataContentType: String?
    /// The `recipients` extension: the agencies the sender intends the message for.
    public var recipients: [AgencyID]
    /// The `correlationid` extension: the id of the message this one answers or continues.
    public var correlationID: String?
    /// The `purpose` extension: the purpose of the share, as the agreement names it.
    public var purpose: String?

    public init(
        id: String, source: AgencyID, type: MessageType, recipients: [AgencyID], time: String? = nil,
        subject: String? = nil, dataSchema: String? = nil, dataContentType: String? = "application/json",
        correlationID: String? = nil, purpose: String? = nil
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.recipients = recipients
        self.time = time
        self.subject = subject
        self.dataSchema = dataSchema
        self.dataContentType = dataContentType
        self.correlationID = correlationID
        self.purpose = purpose
    }

    static let knownAttributes: Set<String> = [
        "specversion", "id", "source", "type", "time", "subject", "dataschema", "datacontenttype",
        "recipients", "correlationid", "purpose",
    ]

    /// Reads and checks an envelope frame.
    ///
    /// The frame must be one strict JSON object (RFC 8259, no byte-order mark, no name given twice) whose values
    /// are strings. The recipient never sees these bytes: the hub stores and forwards an envelope rebuilt from
    /// what this function read (`encoded()`), so every reader downstream sees the attributes the hub checked.
    ///
    /// - Throws: `ProtocolError` with code 410 (not a JSON object: syntax, a byte-order mark, `null`, an array),
    ///   411 (an attribute given twice, missing, of the wrong form, or unknown) or 419 (a UPN-shaped token in
    ///   `id`, `correlationid` or `subject`), whose `reference` is the envelope's `id` when that much could be read.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Envelope {
        // The usual frame, a flat object of strings, is read without building a tree; anything else takes the full
        // reader, which names the fault.
        if let members = JSONValue.stringMembers(bytes) {
            var attributes = Attributes()
            for member in members {
                if let slot = Attributes.slot(member.name) { attributes.values[slot] = member.value } else { attributes.unknown.append(member.name) }
            }
            return try attributes.envelope()
        }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            if let key = error.duplicateKey {
                throw ProtocolError(
                    .invalidEnvelope, "The envelope names '\(key.prefix(64))' twice: give each attribute once.",
                    reference: readID(bytes) ?? "")
            }
            if error.byteOrderMark {
                throw ProtocolError(.invalidJSON, "The envelope starts with a byte-order mark: JSON frames carry none; remove it.")
            }
            throw ProtocolError(.invalidJSON, "The envelope is not valid JSON (\(error)): fix its syntax (\(bytes.count) bytes).")
        }
        guard case .object(let members) = value else {
            throw ProtocolError(.invalidJSON, "The envelope must be a JSON object, not \(value.typeName).")
        }
        var attributes = Attributes()
        let reference = members["id"]?.stringValue.map(Self.reference(forID:)) ?? ""
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            guard knownAttributes.contains(key) else {
                attributes.unknown.append(key)
                continue
            }
            guard let text = member.stringValue else {
                throw ProtocolError(.invalidEnvelope, "'\(key)' must be a string, not \(member.typeName).", reference: reference)
            }
            attributes.values[Attributes.slot(key)!] = text
        }
        return try attributes.envelope()
    }

    /// The envelope's attributes as JSON has them: every value a string, unknown names kept for the check.
    struct Attributes {
        /// Indexed by `slot(_:)`: a fixed array rather than a dictionary (this runs for every message, twice).
        var values: [String?] = Array(repeating: nil, count: 11)
        var unknown: [String] = []

        /// Where a known attribute's value is kept; nil for an unknown name.
        static func slot(_ key: String) -> Int? {
            switch key {
            case "specversion": 0
            case "id": 1
            case "source": 2
            case "type": 3
            case "time": 4
            case "subject": 5
            case "dataschema": 6
            case "datacontenttype": 7
            case "recipients": 8
            case "correlationid": 9
            case "purpose": 10
            default: nil
            }
        }

        subscript(key: String) -> String? { values[Attributes.slot(key)!] }

        func envelope() throws(ProtocolError) -> Envelope {
            let values = self
            let reference = values["id"].map(Envelope.reference(forID:)) ?? ""
            func fail(_ message: String) -> ProtocolError { ProtocolError(.invalidEnvelope, message, reference: reference) }
            if let unknown = unknown.sorted().first {
                throw fail(
                    "Unknown envelope attribute '\(unknown.prefix(64))': the envelope allows only "
                        + Envelope.knownAttributes.sorted().joined(separator: ", ") + " (the body goes in its own frame).")
            }
            func string(_ key: String, required: Bool, maxLength: Int = 1024) throws(ProtocolError) -> String? {
                guard let text = values[key] else {
                    if required { throw fail("The envelope has no '\(key)': it is required.") }
                    return nil
                }
                guard text.utf8.count <= maxLength else { throw fail("'\(key)' is longer than \(maxLength) bytes.") }
                return text
            }
            guard try string("specversion", required: true) == "1.0" else {
                throw fail("'specversion' must be \"1.0\" (CloudEvents 1.0).")
            }
            let id = try string("id", required: true, maxLength: 128)!
            guard !id.isEmpty, id.utf8.allSatisfy(\.isPrintableASCII) else {
                throw fail("'id' must be 1-128 printable ASCII characters with no spaces.")
            }
            let sourceText = try string("source", required: true, maxLength: 64)!
            guard let source = AgencyID(sourceText) else {
                throw fail("'source' must be an agency id (lower-case letters, digits and '-').")
            }
            let typeText = try string("type", required: true, maxLength: 128)!
            guard let type = MessageType(typeText) else {
                throw fail("'type' must be a message type such as \"attendance.return\" (lower-case, '.', '-').")
            }
            let recipientsText = try string("recipients", required: true, maxLength: 4096)!
            var recipients: [AgencyID] = []
            if !recipientsText.allSatisfy(\.isWhitespace) {
                for part in recipientsText.split(separator: ",", omittingEmptySubsequences: false) {
                    // Foundation's trim only when there is something to trim: it costs more than the rest of the read.
                    let trimmed = part.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x80 }) ? String(part) : part.trimmingCharacters(in: .whitespaces)
                    guard let agency = AgencyID(trimmed) else {
                        throw fail("'recipients' must be comma-separated agency ids; '\(trimmed.prefix(64))' is not one.")
                    }
                    if !recipients.contains(agency) { recipients.append(agency) }
                }
            }
            let time = try string("time", required: false, maxLength: 64)
            if let time, !Envelope.isRFC3339(time) {
                throw fail("'time' must be an RFC 3339 timestamp such as 2026-11-29T10:00:00Z.")
            }
            let envelope = Envelope(
                id: id, source: source, type: type, recipients: recipients, time: time,
                subject: try string("subject", required: false, maxLength: 256),
                dataSchema: try string("dataschema", required: false),
                dataContentType: try string("datacontenttype", required: false, maxLength: 128),
                correlationID: try string("correlationid", required: false, maxLength: 128),
                purpose: try string("purpose", required: false, maxLength: 256))
            // Ids and subjects are written to the audit log, which can never be erased: they must be opaque.
            for (name, text) in [("id", envelope.id), ("correlationid", envelope.correlationID), ("subject", envelope.subject)] {
                guard let text, UPNShapedToken.occurs(in: text) else { continue }
                throw ProtocolError(
                    .personalData,
                    "'\(name)' holds a token shaped like a UPN: ids, correlation ids and subjects are kept in the audit log for ever, "
                        + "so make them opaque (a random id, or a keyed digest) and put the child's details in the body.",
                    reference: name == "id" ? "" : reference)
            }
            return envelope
        }
    }

    /// What a rejection may quote of an id: at most 128 characters, and nothing if it holds a UPN-shaped token.
    static func reference(forID id: String) -> String {
        // The whole id is scanned before it is cut: a cut could leave part of a UPN, no longer UPN-shaped.
        guard !UPNShapedToken.occurs(in: id) else { return "" }
        return String(id.prefix(128))
    }

    /// The `id` of an envelope frame if it can be read, however wrong the rest is (a REJECTED's reference).
    ///
    /// Never an id the hub would refuse to name: one given twice (which of them?) or one holding a UPN-shaped
    /// token (the reference is audited).
    public static func readID(_ bytes: [UInt8]) -> String? {
        guard bytes.count <= 1 << 16, let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
            let id = object["id"] as? String
        else { return nil }
        guard !UPNShapedToken.occurs(in: id) else { return nil }
        let text = String(id.prefix(128))
        // Foundation keeps the last of two equal names: only trust an id the strict reader agrees on.
        if case .failure(let error) = Result(catching: { () throws(JSONParseError) in try JSONValue.parse(bytes) }),
            error.duplicateKey == "id"
        {
            return nil
        }
        return text
    }

    /// The envelope as a JSON frame, attributes in a fixed order so that equal envelopes encode equally.
    public func encoded() -> [UInt8] {
        var json = JSONText()
        json.string("specversion", "1.0")
        json.string("id", id)
        json.string("source", source.rawValue)
        json.string("type", type.rawValue)
        json.string("recipients", recipients.map(\.rawValue).joined(separator: ","))
        json.string("time", time)
        json.string("subject", subject)
        json.string("dataschema", dataSchema)
        json.string("datacontenttype", dataContentType)
        json.string("correlationid", correlationID)
        json.string("purpose", purpose)
        return json.finish()
    }

    /// A loose RFC 3339 check: date, 'T', time, and a zone ('Z' or ±hh:mm).
    static func isRFC3339(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return false }
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0].isDigit } }
        guard digits(0..<4), bytes[4] == UInt8(ascii: "-"), digits(5..<7), bytes[7] == UInt8(ascii: "-"),
            digits(8..<10), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            digits(11..<13), bytes[13] == UInt8(ascii: ":"), digits(14..<16), bytes[16] == UInt8(ascii: ":"),
            digits(17..<19)
        else { return false }
        let last = bytes[bytes.count - 1]
        return last == UInt8(ascii: "Z") || last == UInt8(ascii: "z")
            || (bytes.count >= 25 && (bytes[bytes.count - 6] == UInt8(ascii: "+") || bytes[bytes.count - 6] == UInt8(ascii: "-")))
    }

    /// Now (or `date`), as an RFC 3339 UTC timestamp such as `2026-11-29T10:00:00Z`.
    public static func timestamp(_ date: Date = Date()) -> String {
        date.ISO8601Format()
    }
}
