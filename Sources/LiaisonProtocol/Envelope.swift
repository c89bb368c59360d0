import Foundation

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
    /// - Throws: `ProtocolError` with code 410 (not a JSON object) or 411 (an attribute missing, of the
    ///   wrong form, or unknown), whose `reference` is the envelope's `id` when that much could be read.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Envelope {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw ProtocolError(.invalidJSON, "The envelope must be a JSON object.")
            }
            object = parsed
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw ProtocolError(.invalidJSON, "The envelope is not valid JSON: fix its syntax (\(bytes.count) bytes).")
        }
        let reference = (object["id"] as? String).map { String($0.prefix(128)) } ?? ""
        func fail(_ message: String) -> ProtocolError { ProtocolError(.invalidEnvelope, message, reference: reference) }

        if let unknown = object.keys.filter({ !knownAttributes.contains($0) }).sorted().first {
            throw fail(
                "Unknown envelope attribute '\(unknown.prefix(64))': the envelope allows only "
                    + knownAttributes.sorted().joined(separator: ", ") + " (the body goes in its own frame)."
            )
        }
        func string(_ key: String, required: Bool, maxLength: Int = 1024) throws(ProtocolError) -> String? {
            guard let value = object[key] else {
                if required { throw fail("The envelope has no '\(key)': it is required.") }
                return nil
            }
            guard let text = value as? String else { throw fail("'\(key)' must be a string.") }
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
        for part in recipientsText.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty && recipientsText.trimmingCharacters(in: .whitespaces).isEmpty { break }
            guard let agency = AgencyID(trimmed) else {
                throw fail("'recipients' must be comma-separated agency ids; '\(trimmed.prefix(64))' is not one.")
            }
            if !recipients.contains(agency) { recipients.append(agency) }
        }
        let time = try string("time", required: false, maxLength: 64)
        if let time, !Envelope.isRFC3339(time) {
            throw fail("'time' must be an RFC 3339 timestamp such as 2026-11-29T10:00:00Z.")
        }
        let correlationID = try string("correlationid", required: false, maxLength: 128)
        return Envelope(
            id: id, source: source, type: type, recipients: recipients, time: time,
            subject: try string("subject", required: false, maxLength: 256),
            dataSchema: try string("dataschema", required: false),
            dataContentType: try string("datacontenttype", required: false, maxLength: 128),
            correlationID: correlationID,
            purpose: try string("purpose", required: false, maxLength: 256)
        )
    }

    /// The envelope as a JSON frame, with sorted keys so that equal envelopes encode equally.
    public func encoded() -> [UInt8] {
        var object: [String: String] = [
            "specversion": "1.0", "id": id, "source": source.rawValue, "type": type.rawValue,
            "recipients": recipients.map(\.rawValue).joined(separator: ","),
        ]
        object["time"] = time
        object["subject"] = subject
        object["dataschema"] = dataSchema
        object["datacontenttype"] = dataContentType
        object["correlationid"] = correlationID
        object["purpose"] = purpose
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data)
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
