/// A fast path for the hub's most frequent frame: one JSON object whose values are all strings (an envelope).
///
/// Reads the members into an array of pairs with the strict reader's own string rules, and builds no
/// dictionary and no `JSONValue`. Written by hand: no available library reads JSON without building a tree,
/// and the profile of `make bench` put the envelope's parse at a sixth of the broker's thread and more than
/// half of a receiving adapter's.
/// One member of a flat JSON object of strings (a struct rather than a tuple: an array of tuples looks up its type's
/// metadata at run time on every allocation, which showed in the profile).
public struct JSONStringMember: Sendable, Equatable {
    public var name: String
    public var value: String
}

extension JSONValue {
    /// The members of `bytes` in the order written, if `bytes` is exactly one strict JSON object (RFC 8259, no
    /// byte-order mark, no name given twice) of at most `maxMembers` members whose values are all strings.
    ///
    /// Returns nil for anything else, valid or not, so that the caller can fall back to `parse(_:)`, which names
    /// the fault. Every text it accepts, `parse(_:)` reads as the same object (`StrictJSONTests` check this).
    public static func stringMembers(_ bytes: [UInt8], maxMembers: Int = 32) -> [JSONStringMember]? {
        bytes.withUnsafeBufferPointer { buffer -> [JSONStringMember]? in
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { return nil }
            var reader = JSONReader(bytes: buffer)
            var members: [JSONStringMember] = []
            reader.skipWhitespace()
            guard reader.index < buffer.count, buffer[reader.index] == UInt8(ascii: "{") else { return nil }
            reader.index += 1
            reader.skipWhitespace()
            if reader.index < buffer.count, buffer[reader.index] == UInt8(ascii: "}") {
                reader.index += 1
            } else {
                while true {
                    reader.skipWhitespace()
                    guard reader.index < buffer.count, buffer[reader.index] == UInt8(ascii: "\""),
                        let name = try? reader.string()
                    else { return nil }
                    reader.skipWhitespace()
                    guard reader.index < buffer.count, buffer[reader.index] == UInt8(ascii: ":") else { return nil }
                    reader.index += 1
                    reader.skipWhitespace()
                    guard reader.index < buffer.count, buffer[reader.index] == UInt8(ascii: "\""),
                        let value = try? reader.string()
                    else { return nil }
                    // Names given twice: the full reader says which (a linear scan: envelopes have a dozen members).
                    guard members.count < maxMembers, !members.contains(where: { $0.name == name }) else { return nil }
                    members.append(JSONStringMember(name: name, value: value))
                    reader.skipWhitespace()
                    guard reader.index < buffer.count else { return nil }
                    if buffer[reader.index] == UInt8(ascii: ",") {
                        reader.index += 1
                        continue
                    }
                    guard buffer[reader.index] == UInt8(ascii: "}") else { return nil }
                    reader.index += 1
                    break
                }
            }
            reader.skipWhitespace()
            return reader.index == buffer.count ? members : nil
        }
    }
}
