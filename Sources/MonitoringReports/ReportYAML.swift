import AttendanceDomain
import Foundation
import Yams

/// A node of one of the reports' YAML files (`config/targets/`, `config/register-audits.yaml`, `config/awards.yaml`)
/// that remembers where it came from, so that every error names the file, the line and the key and says what to
/// write; mappings are read strictly (a key nobody reads is an error, so a typo is never ignored).
///
/// Every error is a ``ReportError`` `config-invalid` with the message `file:line: 'key': what is wrong and what to
/// write`. A problem with a value points at the value's line; a problem with a whole mapping (a key missing from it,
/// not a mapping at all) or with a key itself points at the line of the key that names it, which is where a reader
/// looks (`most_improved:`, not the first line under it).
///
/// The same approach as LiaisonConfig's `ConfigNode` and LegalProcess's `LegalConfigNode`, kept to what the reports
/// need and throwing ``ReportError``; neither is used because MonitoringReports does not link LiaisonConfig, and
/// `LegalConfigNode` is internal to LegalProcess and throws its own error type.
///
/// ```swift
/// let top = try ReportYAML.load(path: "config/awards.yaml").mapping()
/// let full = try top.required("full_attendance").mapping()
/// let sessions = try full.required("minimum_sessions").int(in: 1...400)
/// try full.finish()   // a key nobody read is an error
/// ```
struct ReportYAML {
    let node: Node
    /// The file's path as given, named in every error.
    let file: String
    /// The dotted key path from the document's root (`schools.9262001.2025.attendance`; list items by index,
    /// `schools.2.last_audit`); empty for the root.
    let path: String
    /// The key it sits under in its mapping (its index in a list); empty for the root.
    let key: String
    /// The line of that key, when it is a mapping's value; nil for the root and for list items.
    let keyLine: Int?

    /// Reads and parses the file at `path`.
    static func load(path: String) throws(ReportError) -> ReportYAML {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReportError(.configInvalid, "\(path): cannot read the file: check that it exists and is UTF-8.")
        }
        return try parse(text, file: path)
    }

    /// Parses `text`, the contents of `file` (named in errors), into its root node.
    static func parse(_ text: String, file: String) throws(ReportError) -> ReportYAML {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ReportError(.configInvalid, "\(file): the file is empty.")
            }
            return ReportYAML(node: node, file: file, path: "", key: "", keyLine: nil)
        } catch let error as ReportError {
            throw error
        } catch let error as YamlError {
            var line: Int?, problem = "YAML syntax error: \(error)"
            switch error {
            case .scanner(_, let text, let mark, _), .parser(_, let text, let mark, _), .composer(_, let text, let mark, _):
                // The problem without libYAML's echo of the document.
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

    /// The line the value starts on.
    var line: Int? { node.mark?.line }

    /// `file:line: 'key': message` at the value's line.
    func error(_ message: String) -> ReportError {
        Self.error(message, file: file, line: line, key: path)
    }

    /// `file:line: 'key': message` at the line of the key that names this node (the value's line when none does).
    func keyError(_ message: String) -> ReportError {
        Self.error(message, file: file, line: keyLine ?? line, key: path)
    }

    static func error(_ message: String, file: String, line: Int?, key: String) -> ReportError {
        ReportError(.configInvalid, "\(file)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "" : "'\(key)': ")\(message)")
    }

    func child(_ node: Node, key: String, keyLine: Int?) -> ReportYAML {
        ReportYAML(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)", key: key, keyLine: keyLine)
    }

    // MARK: Values

    /// The scalar's text.
    func string() throws(ReportError) -> String {
        guard case .scalar(let scalar) = node else { throw error("Expected a single value, not a list or a mapping.") }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>) throws(ReportError) -> Int {
        let text = try string()
        guard let value = Int(text), range.contains(value) else {
            throw error("Expected a whole number from \(range.lowerBound) to \(range.upperBound), not \(text).")
        }
        return value
    }

    func double(in range: ClosedRange<Double>) throws(ReportError) -> Double {
        let text = try string()
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw error("Expected a number from \(range.lowerBound) to \(range.upperBound), not \(text).")
        }
        return value
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

    /// A number of percentage points with at most one decimal place (`5`, `5.0`, `7.5`), in tenths: whole numbers,
    /// so that a figure exactly at a threshold compares exactly.
    func tenths(in range: ClosedRange<Int>) throws(ReportError) -> Int {
        let text = try string()
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let expected = error(
            "Expected percentage points from \(Double(range.lowerBound) / 10) to \(Double(range.upperBound) / 10) with at most one decimal place, not \(text).")
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            parts.count == 1 || parts[1].count == 1, let whole = Int(parts[0]), whole <= 1_000_000
        else { throw expected }
        let value = whole * 10 + (parts.count == 2 ? Int(parts[1])! : 0)
        guard range.contains(value) else { throw expected }
        return value
    }

    /// `true` or `false`, nothing else (YAML 1.1's `yes`, `on` and the like are refused as unclear).
    func bool() throws(ReportError) -> Bool {
        switch try string() {
        case "true": return true
        case "false": return false
        case let text: throw error("Expected true or false, not \(text).")
        }
    }

    func date() throws(ReportError) -> SchoolDate {
        let text = try string()
        guard let value = SchoolDate(parsing: text) else { throw error("Expected a date as YYYY-MM-DD, such as 2025-09-03, not \(text).") }
        return value
    }

    /// What to write for a LAESTAB; `text` is what was written.
    static func laestabAdvice(_ text: String) -> String {
        "Expected a LAESTAB, not '\(text)': write the school's 7 digits, the LA number then the establishment number, such as 9262001 (not the 6-digit URN)."
    }

    /// The value as a LAESTAB (7 digits).
    func laestab() throws(ReportError) -> String {
        let text = try string()
        guard (try? LAESTAB(text)) != nil else { throw error(Self.laestabAdvice(text)) }
        return text
    }

    /// The key this node sits under, as a LAESTAB (a mapping by school); errors point at the key's line.
    func keyAsLAESTAB() throws(ReportError) -> String {
        guard (try? LAESTAB(key)) != nil else { throw keyError(Self.laestabAdvice(key)) }
        return key
    }

    // MARK: Collections

    func sequence() throws(ReportError) -> [ReportYAML] {
        guard case .sequence(let sequence) = node else { throw keyError("Expected a list.") }
        return sequence.enumerated().map { child($0.element, key: "\($0.offset)", keyLine: nil) }
    }

    /// A strict reader over the mapping's entries, in file order; a key written twice (once quoted, once not: the
    /// YAML parser catches the rest) is an error at its second line.
    func mapping() throws(ReportError) -> Mapping {
        guard case .mapping(let mapping) = node else { throw keyError("Expected a mapping of keys to values.") }
        var seen: Set<String> = []
        var entries: [(key: String, value: ReportYAML)] = []
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            let value = child(valueNode, key: key, keyLine: keyNode.mark?.line)
            guard seen.insert(key).inserted else { throw value.keyError("Written twice (once quoted, once not?): keep one of them.") }
            entries.append((key, value))
        }
        return Mapping(owner: self, entries: entries)
    }

    /// The keys of one mapping, read one by one; ``finish()`` rejects any key that was not read.
    final class Mapping {
        let owner: ReportYAML
        /// Every entry in file order (reading them this way does not mark them read).
        let entries: [(key: String, value: ReportYAML)]
        private var used: Set<String> = []

        init(owner: ReportYAML, entries: [(key: String, value: ReportYAML)]) {
            self.owner = owner
            self.entries = entries
        }

        /// The value under `key`, or nil when it is not there; either way `key` is allowed here.
        func optional(_ key: String) -> ReportYAML? {
            used.insert(key)
            return entries.first { $0.key == key }?.value
        }

        /// The value under `key`; its absence is an error at the mapping's line, naming the keys that are there
        /// (a missing key is most often a misspelt one).
        func required(_ key: String) throws(ReportError) -> ReportYAML {
            guard let node = optional(key) else {
                let present = entries.map(\.key).joined(separator: ", ")
                throw ReportYAML.error(
                    "This key is required\(present.isEmpty ? ": add" : " (found: \(present)). Add") '\(key):'.", file: owner.file,
                    line: owner.keyLine ?? owner.line, key: owner.path.isEmpty ? key : "\(owner.path).\(key)")
            }
            return node
        }

        /// Throws for the first key that nobody read, at its line, naming the keys allowed.
        func finish() throws(ReportError) {
            if let unknown = entries.first(where: { !used.contains($0.key) }) {
                throw unknown.value.keyError("Unknown key. Allowed here: \(used.sorted().joined(separator: ", ")).")
            }
        }
    }
}
