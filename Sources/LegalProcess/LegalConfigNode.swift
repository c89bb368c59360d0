import AttendanceDomain
import Foundation
import Yams

/// A node of a legal configuration file that remembers where it came from, so that every error names the
/// file, the line and the key; mappings are read strictly (a key nobody reads is an error).
///
/// This mirrors LiaisonConfig's `ConfigNode` on purpose rather than depending on it: LiaisonConfig links the
/// ZeroMQ wrapper and the wire protocol, which a library of legal rules has no business pulling in.
struct LegalConfigNode {
    let node: Node
    let file: String
    /// The dotted key path from the document's root.
    let path: String

    /// Parses `text` (the contents of `file`) into its root node.
    static func parse(_ text: String, file: String) throws(LegalProcessError) -> LegalConfigNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw LegalProcessError(.syntax, "The file is empty.", file: file)
            }
            return LegalConfigNode(node: node, file: file, path: "")
        } catch let error as LegalProcessError {
            throw error
        } catch let error as YamlError {
            throw LegalProcessError(.syntax, "YAML syntax error: \(error.legalSummary)", file: file, line: error.legalLine)
        } catch {
            throw LegalProcessError(.syntax, "YAML syntax error: \(error)", file: file)
        }
    }

    /// Reads and parses the file at `path`.
    static func load(path: String) throws(LegalProcessError) -> LegalConfigNode {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw LegalProcessError(.unreadable, "Cannot read the file: check that it exists and is UTF-8.", file: path)
        }
        return try parse(text, file: path)
    }

    var line: Int? { node.mark?.line }

    func error(_ code: LegalProcessError.Code, _ message: String) -> LegalProcessError {
        LegalProcessError(code, message, file: file, line: line, key: path.isEmpty ? nil : path)
    }

    func child(_ node: Node, key: String) -> LegalConfigNode {
        LegalConfigNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    func string() throws(LegalProcessError) -> String {
        guard case .scalar(let scalar) = node else { throw error(.invalidValue, "Expected a single value, not a list or a mapping.") }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>) throws(LegalProcessError) -> Int {
        guard let value = Int(try string()), range.contains(value) else {
            throw error(.invalidValue, "Expected a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    func date() throws(LegalProcessError) -> SchoolDate {
        guard let value = SchoolDate(parsing: try string()) else { throw error(.invalidValue, "Expected a date as YYYY-MM-DD.") }
        return value
    }

    func sequence() throws(LegalProcessError) -> [LegalConfigNode] {
        guard case .sequence(let sequence) = node else { throw error(.invalidValue, "Expected a list.") }
        return sequence.enumerated().map { child($0.element, key: "\($0.offset)") }
    }

    /// The mapping's entries in file order, rejecting duplicate keys.
    func entries() throws(LegalProcessError) -> [(key: String, value: LegalConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error(.invalidValue, "Expected a mapping of keys to values.") }
        var seen: Set<String> = []
        var result: [(String, LegalConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            let value = child(valueNode, key: key)
            guard seen.insert(key).inserted else {
                throw LegalProcessError(.duplicateKey, "The key appears twice.", file: file, line: keyNode.mark?.line, key: value.path)
            }
            result.append((key, value))
        }
        return result
    }

    func mapping() throws(LegalProcessError) -> LegalMappingReader { try LegalMappingReader(self) }
}

/// Reads the keys of one mapping and, at `finish()`, rejects any key that was not read.
final class LegalMappingReader {
    private let owner: LegalConfigNode
    private let entries: [(key: String, value: LegalConfigNode)]
    private var used: Set<String> = []

    init(_ owner: LegalConfigNode) throws(LegalProcessError) {
        self.owner = owner
        self.entries = try owner.entries()
    }

    func optional(_ key: String) -> LegalConfigNode? {
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    func required(_ key: String) throws(LegalProcessError) -> LegalConfigNode {
        guard let node = optional(key) else {
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            // Name the keys that are there: a missing key is most often a misspelt one.
            let present = entries.map(\.key).joined(separator: ", ")
            throw LegalProcessError(
                .missingKey, "This key is required\(present.isEmpty ? "" : " (found: \(present))").", file: owner.file, line: owner.line,
                key: path)
        }
        return node
    }

    /// Throws for the first key that nobody read, naming the keys that are allowed.
    func finish() throws(LegalProcessError) {
        if let unknown = entries.first(where: { !used.contains($0.key) }) {
            throw unknown.value.error(.unknownKey, "Unknown key. Allowed here: \(used.sorted().joined(separator: ", ")).")
        }
    }
}

extension YamlError {
    /// The line libYAML pointed at, when it did.
    var legalLine: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: nil
        }
    }

    /// The problem without libYAML's echo of the document.
    var legalSummary: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        case .duplicatedKeysInMapping(let duplicates, _): "duplicate keys \(duplicates.joined(separator: ", "))"
        default: "\(self)"
        }
    }
}
