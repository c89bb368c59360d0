import Foundation
import Yams

/// A node of a `config/targets/` file that remembers where it came from, so that every error names the file, the
/// line and the key and says what to do; mappings are read strictly (a key nobody reads is an error, so a typo is
/// never ignored).
///
/// The same approach as LiaisonConfig's `ConfigNode` (the agreements) and ``RegisterAuditYAML``, kept to what the
/// targets need; errors are ``ReportError`` `config-invalid` with the message `file:line: 'key': what is wrong`.
struct TargetsYAML {
    let node: Node
    let file: String
    /// The dotted key path from the document's root (`schools.9262001.2025.attendance`).
    let path: String

    static func load(path: String) throws(ReportError) -> TargetsYAML {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReportError(.configInvalid, "\(path): cannot read the file: check that it exists and is UTF-8.")
        }
        return try parse(text, file: path)
    }

    static func parse(_ text: String, file: String) throws(ReportError) -> TargetsYAML {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ReportError(.configInvalid, "\(file): the file is empty.") }
            return TargetsYAML(node: node, file: file, path: "")
        } catch let error as ReportError {
            throw error
        } catch let error as YamlError {
            var line: Int?, problem = "YAML syntax error: \(error)"
            switch error {
            case .scanner(_, let text, let mark, _), .parser(_, let text, let mark, _), .composer(_, let text, let mark, _):
                (line, problem) = (mark.line, "YAML syntax error: \(text)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                // libYAML points at the mapping, not at the second key.
                (line, problem) = (
                    context.mark.line,
                    "\(duplicates.joined(separator: ", ")) written twice in the mapping that starts on this line: keep one of them.")
            default: break
            }
            throw ReportError(.configInvalid, "\(file)\(line.map { ":\($0)" } ?? ""): \(problem)")
        } catch {
            throw ReportError(.configInvalid, "\(file): YAML syntax error: \(error)")
        }
    }

    var line: Int? { node.mark?.line }

    func error(_ message: String) -> ReportError {
        Self.error(message, file: file, line: line, key: path)
    }

    static func error(_ message: String, file: String, line: Int?, key: String) -> ReportError {
        ReportError(.configInvalid, "\(file)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "" : "'\(key)': ")\(message)")
    }

    func string() throws(ReportError) -> String {
        guard case .scalar(let scalar) = node else { throw error("Expected a single value, not a list or a mapping.") }
        return scalar.string
    }

    /// A rate in per cent, such as `94.5`.
    func percent() throws(ReportError) -> Double {
        let text = try string()
        guard let value = Double(text), value.isFinite else {
            throw error("'\(text)' is not a number: write a rate in per cent, such as 94.5 (no % sign).")
        }
        guard (0...100).contains(value) else { throw error("\(text) is not a rate: write a percentage from 0 to 100.") }
        return value
    }

    /// The mapping's entries in file order; a key written twice is an error at its second line.
    func mapping() throws(ReportError) -> Mapping {
        guard case .mapping(let mapping) = node else { throw error("Expected a mapping of keys to values.") }
        var seen: Set<String> = []
        var entries: [(key: String, keyLine: Int?, value: TargetsYAML)] = []
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            let value = TargetsYAML(node: valueNode, file: file, path: path.isEmpty ? key : "\(path).\(key)")
            guard seen.insert(key).inserted else {
                throw Self.error("Written twice (once quoted, once not?): keep one of them.", file: file, line: keyNode.mark?.line, key: value.path)
            }
            entries.append((key, keyNode.mark?.line, value))
        }
        return Mapping(owner: self, entries: entries)
    }

    /// The keys of one mapping; ``finish()`` rejects any key that was not read.
    final class Mapping {
        let owner: TargetsYAML
        let entries: [(key: String, keyLine: Int?, value: TargetsYAML)]
        private var used: Set<String> = []

        init(owner: TargetsYAML, entries: [(key: String, keyLine: Int?, value: TargetsYAML)]) {
            self.owner = owner
            self.entries = entries
        }

        func optional(_ key: String) -> TargetsYAML? {
            used.insert(key)
            return entries.first { $0.key == key }?.value
        }

        func required(_ key: String) throws(ReportError) -> TargetsYAML {
            guard let node = optional(key) else {
                throw TargetsYAML.error(
                    "This key is required: add '\(key):'.", file: owner.file, line: owner.line,
                    key: owner.path.isEmpty ? key : "\(owner.path).\(key)")
            }
            return node
        }

        func finish() throws(ReportError) {
            if let unknown = entries.first(where: { !used.contains($0.key) }) {
                throw TargetsYAML.error(
                    "Unknown key. Allowed here: \(used.sorted().joined(separator: ", ")).", file: owner.file,
                    line: unknown.keyLine, key: unknown.value.path)
            }
        }
    }
}
