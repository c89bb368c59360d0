import Foundation
import JSONSchema

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
        // The fast path: the hand-written JSON reader. Anything but an object of strings falls through to
        // Foundation's decoder, which says precisely what is wrong.
        if case .object(let members)? = try? JSONValue.parse(bytes), members.values.allSatisfy({ $0.stringValue != nil }) {
            var attributes = Attributes()
            for (key, value) in members {
                if knownAttributes.contains(key) { attributes.values[key] = value.stringValue } else { attributes.unknown.append(key) }
            }
            return try attributes.envelope()
        }
        let attributes: Attributes
        do {
            attributes = try JSONDecoder().decode(Attributes.self, from: Data(bytes))
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context) where context.codingPath.isEmpty:
                throw ProtocolError(.invalidJSON, "The envelope is not valid JSON: fix its syntax (\(bytes.count) bytes).")
            case .typeMismatch(_, let context) where context.codingPath.isEmpty:
                throw ProtocolError(.invalidJSON, "The envelope must be a JSON object.")
            case .typeMismatch(_, let context), .dataCorrupted(let context), .valueNotFound(_, let context),
                .keyNotFound(_, let context):
                let key = context.codingPath.first?.stringValue ?? "?"
                throw ProtocolError(.invalidEnvelope, "'\(key.prefix(64))' must be a string.", reference: readID(bytes) ?? "")
            @unknown default:
                throw ProtocolError(.invalidEnvelope, "The envelope could not be read.", reference: readID(bytes) ?? "")
            }
        } catch {
            throw ProtocolError(.invalidJSON, "The envelope is not valid JSON: fix its syntax (\(bytes.count) bytes).")
        }
        return try attributes.envelope()
    }

    /// The envelope's attributes as JSON has them: every value a string, unknown names kept for the check.
    struct Attributes: Decodable {
        var values: [String: String] = [:]
        var unknown: [String] = []

        init() {}

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                if Envelope.knownAttributes.contains(key.stringValue) {
                    values[key.stringValue] = try container.decode(String.self, forKey: key)
                } else {
                    unknown.append(key.stringValue)
                }
            }
        }

        func envelope() throws(ProtocolError) -> Envelope {
            let reference = values["id"].map { String($0.prefix(128)) } ?? ""
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
                    let trimmed = part.trimmingCharacters(in: .whitespaces)
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
            return Envelope(
                id: id, source: source, type: type, recipients: recipients, time: time,
                subject: try string("subject", required: false, maxLength: 256),
                dataSchema: try string("dataschema", required: false),
                dataContentType: try string("datacontenttype", required: false, maxLength: 128),
                correlationID: try string("correlationid", required: false, maxLength: 128),
                purpose: try string("purpose", required: false, maxLength: 256))
        }
    }

    /// The `id` of an envelope frame if it can be read, however wrong the rest is.
    public static func readID(_ bytes: [UInt8]) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
            let id = object["id"] as? String
        else { return nil }
        return String(id.prefix(128))
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
