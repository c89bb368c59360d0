import AttendanceDomain
import Foundation
import Yams

/// A node of `config/register-audits.yaml` that remembers where it came from, so that every error names the file,
/// the line and the key; mappings are read strictly (a key nobody reads is an error, so a typo is never ignored).
///
/// The same approach as LiaisonConfig's `ConfigNode` and LegalProcess's `LegalConfigNode`, kept to what the
/// register-audit programme needs.
struct RegisterAuditYAML {
    let node: Node
    let file: String
    /// The dotted key path from the document's root (`schools.2.last_audit`).
    let path: String

    static func parse(_ text: String, file: String) throws(ReportError) -> RegisterAuditYAML {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ReportError(.configInvalid, "\(file): the file is empty.") }
            return RegisterAuditYAML(node: node, file: file, path: "")
        } catch let error as ReportError {
            throw error
        } catch let error as YamlError {
            var line: Int?, problem = "\(error)"
            switch error {
            case .scanner(_, let text, let mark, _), .parser(_, let text, let mark, _), .composer(_, let text, let mark, _):
                (line, problem) = (mark.line, text)
            case .duplicatedKeysInMapping(let duplicates, let context):
                (line, problem) = (context.mark.line, "duplicate keys \(duplicates.joined(separator: ", "))")
            default: break
            }
            throw ReportError(.configInvalid, "\(file)\(line.map { ":\($0)" } ?? ""): YAML syntax error: \(problem)")
        } catch {
            throw ReportError(.configInvalid, "\(file): YAML syntax error: \(error)")
        }
    }

    static func load(path: String) throws(ReportError) -> RegisterAuditYAML {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReportError(.configInvalid, "\(path): cannot read the file: check that it exists and is UTF-8.")
        }
        return try parse(text, file: path)
    }

    var line: Int? { node.mark?.line }

    /// `file:line: 'key': message`.
    func error(_ message: String) -> ReportError {
        Self.error(message, file: file, line: line, key: path)
    }

    static func error(_ message: String, file: String, line: Int?, key: String) -> ReportError {
        ReportError(.configInvalid, "\(file)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "" : "'\(key)': ")\(message)")
    }

    func child(_ node: Node, key: String) -> RegisterAuditYAML {
        RegisterAuditYAML(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    func string() throws(ReportError) -> String {
        guard case .scalar(let scalar) = node else { throw error("Expected a single value, not a list or a mapping.") }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>) throws(ReportError) -> Int {
        guard let value = Int(try string()), range.contains(value) else {
            throw error("Expected a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    func double(in range: ClosedRange<Double>) throws(ReportError) -> Double {
        guard let value = Double(try string()), value.isFinite, range.contains(value) else {
            throw error("Expected a number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    func date() throws(ReportError) -> SchoolDate {
        guard let value = SchoolDate(parsing: try string()) else { throw error("Expected a date as YYYY-MM-DD.") }
        return value
    }

    func sequence() throws(ReportError) -> [RegisterAuditYAML] {
        guard case .sequence(let sequence) = node else { throw error("Expected a list.") }
        return sequence.enumerated().map { child($0.element, key: "\($0.offset)") }
    }

    func mapping() throws(ReportError) -> Mapping {
        guard case .mapping(let mapping) = node else { throw error("Expected a mapping of keys to values.") }
        var seen: Set<String> = []
        var entries: [(key: String, value: RegisterAuditYAML)] = []
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            let value = child(valueNode, key: key)
            guard seen.insert(key).inserted else {
                throw Self.error("The key appears twice.", file: file, line: keyNode.mark?.line, key: value.path)
            }
            entries.append((key, value))
        }
        return Mapping(owner: self, entries: entries)
    }

    /// The keys of one mapping; ``finish()`` rejects any key that was not read.
    final class Mapping {
        let owner: RegisterAuditYAML
        let entries: [(key: String, value: RegisterAuditYAML)]
        private var used: Set<String> = []

        init(owner: RegisterAuditYAML, entries: [(key: String, value: RegisterAuditYAML)]) {
            self.owner = owner
            self.entries = entries
        }

        func optional(_ key: String) -> RegisterAuditYAML? {
            used.insert(key)
            return entries.first { $0.key == key }?.value
        }

        func required(_ key: String) throws(ReportError) -> RegisterAuditYAML {
            guard let node = optional(key) else {
                let present = entries.map(\.key).joined(separator: ", ")
                throw RegisterAuditYAML.error(
                    "This key is required\(present.isEmpty ? "" : " (found: \(present))").", file: owner.file, line: owner.line,
                    key: owner.path.isEmpty ? key : "\(owner.path).\(key)")
            }
            return node
        }

        func finish() throws(ReportError) {
            if let unknown = entries.first(where: { !used.contains($0.key) }) {
                throw unknown.value.error("Unknown key. Allowed here: \(used.sorted().joined(separator: ", ")).")
            }
        }
    }
}
