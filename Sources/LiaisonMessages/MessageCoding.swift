import Foundation

/// JSON for message bodies: snake_case keys as the schemas name them (set per type by `CodingKeys`),
/// sorted keys so the same body always has the same bytes (and the same digest in the audit).
public enum MessageCoding {
    /// The value as JSON with its keys sorted and slashes not escaped; `pretty` indents it for people.
    ///
    /// A type that writes its own JSON (`SortedJSONWritable`: the returns and rolls) gives the same bytes without
    /// `JSONEncoder`.
    public static func encode(_ value: some Encodable, pretty: Bool = false) throws -> [UInt8] {
        if !pretty, let writable = value as? any SortedJSONWritable {
            var json = SortedJSONWriter()
            writable.write(to: &json)
            return json.bytes
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
