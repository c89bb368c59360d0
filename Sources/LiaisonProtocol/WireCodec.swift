import Foundation
import StrictJSON

/// Encodes and decodes LHP/1 frames (docs/protocol.md §2). Pure functions, no I/O.
public enum WireCodec {
    /// Frame 0 of every message.
    public static let signature: [UInt8] = Array("LHP01".utf8)

    enum Octet {
        static let hello: UInt8 = 0x01
        static let welcome: UInt8 = 0x02
        static let send: UInt8 = 0x03
        static let accepted: UInt8 = 0x04
        static let rejected: UInt8 = 0x05
        static let deliver: UInt8 = 0x06
        static let ack: UInt8 = 0x07
        static let nack: UInt8 = 0x08
        static let heartbeat: UInt8 = 0x09
        static let goodbye: UInt8 = 0x0A
    }

    // MARK: Adapter to broker

    /// Encodes a command for the wire (without any routing id).
    public static func encode(_ command: AdapterCommand) -> [[UInt8]] {
        switch command {
        case .hello(let hello): [signature, [Octet.hello], json(hello)]
        case .send(let envelope, let body): [signature, [Octet.send], envelope, body]
        case .ack(let tag): [signature, [Octet.ack], Array(String(tag).utf8)]
        case .nack(let tag, let disposition, let reason):
            [signature, [Octet.nack], Array(String(tag).utf8), Array(disposition.rawValue.utf8), Array(reason.utf8)]
        case .heartbeat: [signature, [Octet.heartbeat]]
        case .goodbye: [signature, [Octet.goodbye]]
        }
    }

    /// Decodes the frames of a message an adapter sent (after the broker's routing id).
    ///
    /// - Throws: `ProtocolError` 400 (signature), 401 (command), or 402 (frame count or content).
    public static func decodeAdapterCommand(_ frames: ArraySlice<[UInt8]>) throws(ProtocolError) -> AdapterCommand {
        let frames = Array(frames)
        guard let first = frames.first, first == signature else {
            throw ProtocolError(.badSignature, "Frame 0 must be the signature \"LHP01\" (docs/protocol.md §2).")
        }
        guard frames.count >= 2, frames[1].count == 1 else {
            throw ProtocolError(.unknownCommand, "Frame 1 must be one octet naming a command.")
        }
        func expect(_ count: Int, _ name: String) throws(ProtocolError) {
            guard frames.count == count else {
                throw ProtocolError(
                    .malformedCommand, "\(name) takes \(count) frames including signature and command; got \(frames.count).")
            }
        }
        switch frames[1][0] {
        case Octet.hello:
            try expect(3, "HELLO")
            return .hello(try decodeHello(frames[2]))
        case Octet.send:
            try expect(4, "SEND")
            return .send(envelope: frames[2], body: frames[3])
        case Octet.ack:
            try expect(3, "ACK")
            return .ack(tag: try decodeTag(frames[2]))
        case Octet.nack:
            try expect(5, "NACK")
            let tag = try decodeTag(frames[2])
            guard let disposition = NackDisposition(rawValue: String(decoding: frames[3], as: UTF8.self)) else {
                throw ProtocolError(.malformedCommand, "NACK disposition must be \"retry\" or \"reject\".", reference: String(tag))
            }
            return .nack(tag: tag, disposition: disposition, reason: String(decoding: Self.cut(frames[4], at: 1024), as: UTF8.self))
        case Octet.heartbeat:
            try expect(2, "HEARTBEAT")
            return .heartbeat
        case Octet.goodbye:
            try expect(2, "GOODBYE")
            return .goodbye
        default:
            throw ProtocolError(
                .unknownCommand, "Command octet 0x\(String(frames[1][0], radix: 16)) is not one an adapter may send.")
        }
    }

    static func decodeTag(_ frame: [UInt8]) throws(ProtocolError) -> Int64 {
        guard !frame.isEmpty, frame.count <= 18, frame.allSatisfy(\.isDigit),
            let tag = Int64(String(decoding: frame, as: UTF8.self))
        else {
            throw ProtocolError(.malformedCommand, "A delivery tag is ASCII decimal digits, as DELIVER gave it.")
        }
        return tag
    }

    static func decodeHello(_ frame: [UInt8]) throws(ProtocolError) -> Hello {
        func malformed(_ message: String) -> ProtocolError { ProtocolError(.malformedCommand, message) }
        let value: JSONValue
        do { value = try JSONValue.parse(frame) } catch {
            if let key = error.duplicateKey { throw malformed("HELLO names '\(key.prefix(64))' twice: give each key once.") }
            if error.byteOrderMark { throw malformed("HELLO's frame 2 starts with a byte-order mark: JSON frames carry none.") }
            throw malformed("HELLO's frame 2 is not valid JSON (\(error)).")
        }
        guard case .object(let object) = value else { throw malformed("HELLO's frame 2 must be a JSON object, not \(value.typeName).") }
        let allowed: Set<String> = ["adapter", "version", "consumes", "credit"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw malformed("HELLO has an unknown key '\(unknown.prefix(64))'; it takes adapter, version, consumes and credit.")
        }
        // Each key is checked on its own, so that the reason names the key at fault. Lengths are UTF-8 octets.
        func text(_ key: String, _ range: ClosedRange<Int>) throws(ProtocolError) -> String {
            guard let member = object[key] else { throw malformed("HELLO needs '\(key)': a string of \(range.lowerBound)-\(range.upperBound) bytes.") }
            guard let text = member.stringValue else { throw malformed("HELLO's '\(key)' must be a string, not \(member.typeName).") }
            guard range.contains(text.utf8.count) else {
                throw malformed("HELLO's '\(key)' is \(text.utf8.count) bytes; it must be \(range.lowerBound)-\(range.upperBound) (UTF-8).")
            }
            return text
        }
        let adapter = try text("adapter", 1...64)
        let version = try text("version", 1...32)
        // Both are written to the audit log (adapter-connected): no personal data.
        if UPNShapedToken.occurs(in: adapter) || UPNShapedToken.occurs(in: version) {
            throw malformed("HELLO's 'adapter' and 'version' are written to the audit log: they must hold no UPN-shaped token.")
        }
        guard let consumesValue = object["consumes"] else { throw malformed("HELLO needs 'consumes': an array of message types, or [\"*\"].") }
        guard case .array(let items) = consumesValue else { throw malformed("HELLO's 'consumes' must be an array, not \(consumesValue.typeName).") }
        var consumes: [String] = []
        for (index, item) in items.enumerated() {
            guard let type = item.stringValue, type == "*" || MessageType(type) != nil else {
                throw malformed("HELLO's 'consumes'[\(index)] is not a message type (lower-case letters, digits, '.', '-') or \"*\".")
            }
            consumes.append(type)
        }
        guard let creditValue = object["credit"] else { throw malformed("HELLO needs 'credit': an integer from 1 to 10000.") }
        guard case .number(let number) = creditValue, let credit = Int(exactly: number), (1...10_000).contains(credit) else {
            throw malformed("HELLO's 'credit' must be an integer from 1 to 10000.")
        }
        return Hello(adapter: adapter, version: version, consumes: consumes, credit: credit)
    }

    // MARK: Broker to adapter

    public static func encode(_ command: HubCommand) -> [[UInt8]] {
        switch command {
        case .welcome(let welcome): [signature, [Octet.welcome], json(welcome)]
        case .accepted(let id, let receipt): [signature, [Octet.accepted], Array(id.utf8), receipt.encoded()]
        case .rejected(let reference, let code, let reason):
            [signature, [Octet.rejected], Array(reference.utf8), Array(String(code.number).utf8), Array(reason.utf8)]
        case .deliver(let tag, let envelope, let body, let auditEntry):
            [signature, [Octet.deliver], Array(String(tag).utf8), envelope, body, auditEntry.map { Array(String($0).utf8) } ?? []]
        case .heartbeat: [signature, [Octet.heartbeat]]
        case .goodbye: [signature, [Octet.goodbye]]
        }
    }

    /// Decodes a message the broker sent (used by the adapter kit).
    public static func decodeHubCommand(_ frames: [[UInt8]]) throws(ProtocolError) -> HubCommand {
        guard frames.count >= 2, frames[0] == signature, frames[1].count == 1 else {
            throw ProtocolError(.badSignature, "The hub sent a message without the LHP01 signature.")
        }
        func expect(_ count: Int) throws(ProtocolError) {
            guard frames.count == count else {
                throw ProtocolError(.malformedCommand, "The hub sent command 0x\(String(frames[1][0], radix: 16)) with \(frames.count) frames.")
            }
        }
        func decodeJSON<T: Decodable>(_ type: T.Type, _ frame: [UInt8]) throws(ProtocolError) -> T {
            do { return try JSONDecoder().decode(T.self, from: Data(frame)) } catch {
                throw ProtocolError(.malformedCommand, "The hub sent unreadable JSON: \(error)")
            }
        }
        switch frames[1][0] {
        case Octet.welcome:
            try expect(3)
            return .welcome(try decodeJSON(Welcome.self, frames[2]))
        case Octet.accepted:
            try expect(4)
            return .accepted(messageID: String(decoding: frames[2], as: UTF8.self), receipt: try decodeReceipt(frames[3]))
        case Octet.rejected:
            try expect(5)
            let number = Int(String(decoding: frames[3], as: UTF8.self)) ?? 0
            return .rejected(
                reference: String(decoding: frames[2], as: UTF8.self), code: ProtocolError.Code(number: number),
                reason: String(decoding: frames[4], as: UTF8.self))
        case Octet.deliver:
            try expect(6)
            let entry = frames[5].isEmpty ? nil : Int64(String(decoding: frames[5], as: UTF8.self))
            return .deliver(tag: try decodeTag(frames[2]), envelope: frames[3], body: frames[4], auditEntry: entry)
        case Octet.heartbeat: return .heartbeat
        case Octet.goodbye: return .goodbye
        default:
            throw ProtocolError(.unknownCommand, "The hub sent an unknown command 0x\(String(frames[1][0], radix: 16)).")
        }
    }

    /// Reads a receipt with the hand-written JSON reader (one arrives for every message sent); unknown keys
    /// are ignored, as the protocol asks of adapters.
    static func decodeReceipt(_ frame: [UInt8]) throws(ProtocolError) -> Receipt {
        guard case .object(let members)? = try? JSONValue.parse(frame), let sequence = members["sequence"]?.numberValue,
            let recipients = members["recipients"]?.arrayValue?.compactMap(\.stringValue), case .bool(let duplicate)? = members["duplicate"]
        else {
            throw ProtocolError(.malformedCommand, "The hub sent an unreadable receipt.")
        }
        return Receipt(
            sequence: Int64(sequence), recipients: recipients, duplicate: duplicate,
            auditEntry: members["audit_entry"]?.numberValue.map { Int64($0) })
    }

    static func json<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try! encoder.encode(value))
    }

    /// The first `limit` bytes of a free-text frame (a NACK's reason). A cut inside a run of letters and digits drops the
    /// run: the first twelve characters of a UPN cut in two would no longer look like a UPN, and would escape the
    /// masking the hub applies to what it keeps.
    static func cut(_ frame: [UInt8], at limit: Int) -> ArraySlice<UInt8> {
        guard frame.count > limit else { return frame[...] }
        var kept = frame[..<limit]
        if UPNShapedToken.isAlphanumeric(frame[limit]) {
            while let last = kept.last, UPNShapedToken.isAlphanumeric(last) { kept = kept.dropLast() }
        }
        return kept
    }
}
