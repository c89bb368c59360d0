import StrictJSON

/// A message that writes its own JSON text: the bytes `MessageCoding.encode` would have `JSONEncoder` make (keys
/// sorted, slashes not escaped, absent optionals left out), several times faster.
///
/// Written by hand for the messages that are large and many: a county's half-term returns and rolls (2 to 3 MB each,
/// with every pupil's marks) spent half of the schools' import's CPU in `JSONEncoder`. `MessageWritingTests` holds
/// each conformance to `JSONEncoder`'s output byte for byte, and counts each type's stored properties, so a field
/// added to a type and not to its writer fails there.
package protocol SortedJSONWritable: Encodable {
    /// Appends this value as JSON, members in the order `JSONEncoder`'s `.sortedKeys` gives.
    func write(to json: inout SortedJSONWriter)
}

/// Appends JSON text; the caller gives each object's members in sorted order (`member(_:)` writes the separator).
package struct SortedJSONWriter {
    package private(set) var bytes: [UInt8] = []
    private var needsComma = false

    package init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// `{`, the members `body` writes, `}`.
    package mutating func object(_ body: (inout SortedJSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `[`, the elements `body` writes (each through `element`), `]`.
    package mutating func array<Element>(_ elements: [Element], _ element: (inout SortedJSONWriter, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// An object whose members are a dictionary's, in sorted key order (as `JSONEncoder` sorts them: by UTF-8).
    package mutating func object<Value>(sorting dictionary: [String: Value], _ value: (inout SortedJSONWriter, Value) -> Void) {
        object { json in
            let members = Array(dictionary)
            for position in JSONWriter.codePointOrder(of: members.map(\.key)) {
                json.member(members[position].key)
                value(&json, members[position].value)
            }
        }
    }

    /// A member's name and colon (and the comma before it, unless it is the first).
    package mutating func member(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        JSONWriter.string(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    package mutating func string(_ value: String) {
        JSONWriter.string(value, into: &bytes)
        needsComma = true
    }

    package mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    package mutating func boolean(_ value: Bool) {
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    /// Members whose value is absent are left out, as `JSONEncoder` leaves out a nil optional.
    package mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        member(name)
        string(value)
    }

    package mutating func member(_ name: String, _ value: Int?) {
        guard let value else { return }
        member(name)
        integer(value)
    }

    package mutating func member(_ name: String, _ value: Bool?) {
        guard let value else { return }
        member(name)
        boolean(value)
    }

    package mutating func member(_ name: String, _ value: (some SortedJSONWritable)?) {
        guard let value else { return }
        member(name)
        value.write(to: &self)
    }
}
