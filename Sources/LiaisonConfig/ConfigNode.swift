import Foundation
import Yams

/// A node of a YAML configuration file that remembers where it came from, so that every error can name
/// the file, the line and the key. Mappings are read strictly: a key nobody asked for is an error, because
/// a typo in a configuration must never be silently ignored.
package struct ConfigNode {
    package let node: Node
    package let file: String
    /// The dotted key path from the document's root.
    package let path: String

    package init(node: Node, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    /// Parses `text` (the contents of `file`) into its root node.
    package static func parse(_ text: String, file: String) throws(ConfigurationError) -> ConfigNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationError(.syntax, file: file, "The file is empty.")
            }
            return ConfigNode(node: node, file: file)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as YamlError {
            throw ConfigurationError(.syntax, file: file, line: error.line, "YAML syntax error: \(error.summary)")
        } catch {
            throw ConfigurationError(.syntax, file: file, "YAML syntax error: \(error)")
        }
    }

    /// Reads and parses the file at `path`.
    package static func load(path: String) throws(ConfigurationError) -> ConfigNode {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadable, file: path, "Cannot read the file: check that it exists and is UTF-8.")
        }
        return try parse(text, file: path)
    }

    package var line: Int? { node.mark?.line }

    package func error(_ code: ConfigurationError.Code, _ message: String) -> ConfigurationError {
        ConfigurationError(code, file: file, line: line, key: path.isEmpty ? nil : path, message)
    }

    func child(_ node: Node, key: String) -> ConfigNode {
        ConfigNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The scalar's text.
    package func string() throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw error(.invalidValue, "Expected a single value, not a list or a mapping.") }
        return scalar.string
    }

    package func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = Int(try string()), range.contains(value) else {
            throw error(.invalidValue, "Expected a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// A duration such as `500ms`, `30s`, `15m`, `12h` or `30d`, in milliseconds.
    package func durationMilliseconds() throws(ConfigurationError) -> Int64 {
        let text = try string().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let number = Int64(text.dropLast(suffix.count)), number > 0 { return number * factor }
        }
        throw error(.invalidValue, "Expected a duration such as 500ms, 30s, 15m, 12h or 30d.")
    }

    package func sequence() throws(ConfigurationError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error(.invalidValue, "Expected a list.") }
        return sequence.enumerated().map { child($0.element, key: "\($0.offset)") }
    }

    /// The mapping's entries in file order, rejecting duplicate keys.
    package func entries() throws(ConfigurationError) -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error(.invalidValue, "Expected a mapping of keys to values.") }
        var seen: Set<String> = []
        var result: [(String, ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            let value = child(valueNode, key: key)
            guard seen.insert(key).inserted else {
                throw ConfigurationError(.duplicateKey, file: file, line: keyNode.mark?.line, key: value.path, "The key appears twice.")
            }
            result.append((key, value))
        }
        return result
    }

    /// A strict reader over this mapping: see `MappingReader`.
    package func mapping() throws(ConfigurationError) -> MappingReader {
        try MappingReader(self)
    }
}

/// Reads the keys of one mapping and, at `finish()`, rejects any key that was not read.
package final class MappingReader {
    private let owner: ConfigNode
    private let entries: [(key: String, value: ConfigNode)]
    private var used: Set<String> = []

    init(_ owner: ConfigNode) throws(ConfigurationError) {
        self.owner = owner
        self.entries = try owner.entries()
    }

    package func optional(_ key: String) -> ConfigNode? {
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    package func required(_ key: String) throws(ConfigurationError) -> ConfigNode {
        guard let node = optional(key) else {
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw ConfigurationError(.missingKey, file: owner.file, line: owner.line, key: path, "This key is required.")
        }
        return node
    }

    /// Throws for the first key that nobody read, naming the keys that are allowed.
    package func finish() throws(ConfigurationError) {
        if let unknown = entries.first(where: { !used.contains($0.key) }) {
            throw unknown.value.error(
                .unknownKey, "Unknown key. Allowed here: \(used.sorted().joined(separator: ", ")).")
        }
    }
}

extension YamlError {
    /// The line libYAML pointed at, when it did.
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: nil
        }
    }

    /// The problem without libYAML's echo of the document.
    var summary: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        case .duplicatedKeysInMapping(let duplicates, _): "duplicate keys \(duplicates.joined(separator: ", "))"
        default: "\(self)"
        }
    }
}
