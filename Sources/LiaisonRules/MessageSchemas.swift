import Foundation
import JSONSchema
import StrictJSON
import LiaisonProtocol

/// The JSON Schema of each message type, loaded from `schemas/TYPE.schema.json`.
///
/// The broker checks every body against its type's schema before accepting the message. When a hub is
/// configured with schemas, a type without one is refused (deny by default).
public struct MessageSchemas: Sendable {
    public struct Entry: Sendable {
        public let type: MessageType
        /// The schema's `$id`, e.g. `urn:liaison:schema:attendance.return:1`.
        public let id: String
        public let validator: SchemaValidator
    }

    public let entries: [MessageType: Entry]
    public let directory: String

    public var types: [MessageType] { entries.keys.sorted() }

    public func schema(for type: MessageType) -> Entry? { entries[type] }

    /// Loads every `*.schema.json` in `directory`.
    ///
    /// - Throws: `SchemaLoadError` naming the file and what is wrong with it.
    public static func load(directory: String) throws(SchemaLoadError) -> MessageSchemas {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw SchemaLoadError(file: directory, message: "Cannot read the schemas folder: check schemas_dir in the hub configuration.")
        }
        var entries: [MessageType: Entry] = [:]
        for name in names.sorted() where name.hasSuffix(".schema.json") {
            let path = "\(directory)/\(name)"
            let typeName = String(name.dropLast(".schema.json".count))
            guard let type = MessageType(typeName) else {
                throw SchemaLoadError(file: path, message: "'\(typeName)' is not a message type name (lower-case letters, digits, '.', '-').")
            }
            guard let data = FileManager.default.contents(atPath: path), let schema = try? JSONValue.parse(Array(data)) else {
                throw SchemaLoadError(file: path, message: "Not valid JSON.")
            }
            guard let id = schema["$id"]?.stringValue, id.contains(typeName) else {
                throw SchemaLoadError(file: path, message: "The schema needs an \"$id\" naming its type and version, e.g. urn:liaison:schema:\(typeName):1.")
            }
            do {
                entries[type] = Entry(type: type, id: id, validator: try SchemaValidator(schema: schema))
            } catch {
                throw SchemaLoadError(file: path, message: error.description)
            }
        }
        return MessageSchemas(entries: entries, directory: directory)
    }

    /// Checks a body against its type's schema.
    ///
    /// - Throws: `ProtocolError` 416 (no schema for the type), 417 (not JSON) or 422 (a schema violation,
    ///   naming the JSON Pointer, keyword and expectation of the first problems).
    public func check(body: [UInt8], type: MessageType, reference: String) throws(ProtocolError) -> JSONValue {
        guard let entry = entries[type] else {
            throw ProtocolError(
                .unknownType, "No schema for '\(type)': this hub accepts \(types.map(\.rawValue).joined(separator: ", ")).",
                reference: reference)
        }
        let value: JSONValue
        do { value = try JSONValue.parse(body) } catch {
            throw ProtocolError(.bodyNotJSON, "The body of a '\(type)' must be JSON (\(body.count) bytes could not be parsed).", reference: reference)
        }
        let errors = entry.validator.validate(value)
        guard errors.isEmpty else {
            let shown = errors.prefix(5).map(\.description).joined(separator: "; ")
            let more = errors.count > 5 ? " (and \(errors.count - 5) more)" : ""
            throw ProtocolError(.schemaViolation, "The body does not match \(entry.id): \(shown)\(more).", reference: reference)
        }
        return value
    }
}

/// A schema file that cannot be used.
public struct SchemaLoadError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
