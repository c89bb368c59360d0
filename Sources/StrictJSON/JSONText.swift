import Foundation

/// A minimal JSON writer for the protocol's hot path (envelopes and receipts on every message).
///
/// Written by hand because Foundation's `JSONSerialization` with sorted keys cost a quarter of the
/// sender's CPU in `make bench` (it sorts keys with locale-aware string comparison). Output is RFC 8259
/// JSON with keys in the order the caller appends them.
package struct JSONText {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
    }

    package mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        appendString(value)
    }

    package mutating func integer(_ name: String, _ value: Int64) {
        key(name)
        JSONWriter.integer(value, into: &bytes)
    }

    package mutating func boolean(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    package mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    package mutating func integers(_ name: String, _ values: [Int64]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.integer(value, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    package mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func appendString(_ text: String) {
        JSONWriter.string(text, into: &bytes)
    }
}
