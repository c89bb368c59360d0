import Foundation
import Yams

/// The rules of the attendance awards (`config/awards.yaml`): who counts as having full attendance, and who as most
/// improved.
///
/// Loaded strictly: a key nobody reads, a missing key or a value out of range is a ``ReportError`` `config-invalid`
/// whose message names the file, the line and the key (`config/awards.yaml:12: 'most_improved.minimum_sessions_this_year':
/// Expected a whole number from 1 to 400.`), as the hub's and the legal rules' YAML files do.
///
/// ```swift
/// let rules = try AwardsRules.load(path: "config/awards.yaml")
/// rules.fullAttendance.minimumSessions   // 350
/// ```
public struct AwardsRules: Sendable, Equatable {
    public struct FullAttendance: Sendable, Equatable {
        /// Possible sessions at the school in the year, at least.
        public var minimumSessions: Int
        /// Whether approved educational activity counts as present (the DfE counts it as attendance); when false a
        /// pupil with any AEA session is not awarded.
        public var aeaCountsAsPresent: Bool

        public init(minimumSessions: Int, aeaCountsAsPresent: Bool) {
            self.minimumSessions = minimumSessions
            self.aeaCountsAsPresent = aeaCountsAsPresent
        }
    }

    public struct MostImproved: Sendable, Equatable {
        /// The least improvement in attendance that earns the award, in tenths of a percentage point (50 is 5.0
        /// points): whole numbers, so that an improvement exactly at the minimum is compared exactly.
        public var minimumImprovementTenths: Int
        /// Possible sessions at the school this year, at least.
        public var minimumSessionsThisYear: Int
        /// Possible sessions last year, at least (at any of the county's schools).
        public var minimumSessionsLastYear: Int
        /// The most pupils named per school (ties at the last place all named); nil for no limit.
        public var maximumPerSchool: Int?

        public init(minimumImprovementTenths: Int, minimumSessionsThisYear: Int, minimumSessionsLastYear: Int, maximumPerSchool: Int?) {
            self.minimumImprovementTenths = minimumImprovementTenths
            self.minimumSessionsThisYear = minimumSessionsThisYear
            self.minimumSessionsLastYear = minimumSessionsLastYear
            self.maximumPerSchool = maximumPerSchool
        }

        /// The minimum improvement in percentage points (5.0).
        public var minimumImprovementPoints: Double { Double(minimumImprovementTenths) / 10 }
    }

    public var fullAttendance: FullAttendance
    public var mostImproved: MostImproved

    public init(fullAttendance: FullAttendance, mostImproved: MostImproved) {
        self.fullAttendance = fullAttendance
        self.mostImproved = mostImproved
    }

    /// A pupil's possible sessions in a year are at most about 380; a return's schema allows 400.
    static let sessions = 1...400

    /// Reads and checks the rules in `path`.
    public static func load(path: String) throws(ReportError) -> AwardsRules {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReportError(.configInvalid, "\(path): cannot read the awards rules: check that the file exists and is UTF-8 (see config/awards.yaml).")
        }
        return try parse(text, file: path)
    }

    /// Checks the rules in `text`, the contents of `file` (named in errors).
    public static func parse(_ text: String, file: String) throws(ReportError) -> AwardsRules {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ReportError(.configInvalid, "\(file): the file is empty.") }
            root = node
        } catch let error as ReportError {
            throw error
        } catch let error as YamlError {
            throw ReportError(.configInvalid, "\(file)\(Self.line(of: error).map { ":\($0)" } ?? ""): YAML syntax error: \(error)")
        } catch {
            throw ReportError(.configInvalid, "\(file): YAML syntax error: \(error)")
        }
        let top = try Mapping(root, file: file, path: "")
        let full = try top.mapping("full_attendance")
        let improved = try top.mapping("most_improved")
        let rules = AwardsRules(
            fullAttendance: FullAttendance(
                minimumSessions: try full.int("minimum_sessions", in: sessions),
                aeaCountsAsPresent: try full.bool("aea_counts_as_present")),
            mostImproved: MostImproved(
                minimumImprovementTenths: try improved.tenths("minimum_improvement_points", in: 1...1000),
                minimumSessionsThisYear: try improved.int("minimum_sessions_this_year", in: sessions),
                minimumSessionsLastYear: try improved.int("minimum_sessions_last_year", in: sessions),
                maximumPerSchool: try improved.optionalInt("maximum_per_school", in: 1...1000)))
        try full.finish()
        try improved.finish()
        try top.finish()
        return rules
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: nil
        }
    }

    /// One mapping of the file, read key by key; at ``finish()`` a key nobody read is an error.
    final class Mapping {
        let file: String
        let path: String
        let line: Int?
        let entries: [(key: String, value: Node, line: Int?)]
        var used: Set<String> = []

        /// - Parameter line: where to say the mapping is (its key's line), if not where its node starts.
        init(_ node: Node, file: String, path: String, line: Int? = nil) throws(ReportError) {
            self.file = file
            self.path = path
            self.line = line ?? node.mark?.line
            guard case .mapping(let mapping) = node else {
                throw ReportError(.configInvalid, "\(file)\(self.line.map { ":\($0)" } ?? ""): '\(path.isEmpty ? "(top)" : path)': Expected a mapping of keys to values.")
            }
            var entries: [(String, Node, Int?)] = []
            for (key, value) in mapping {
                let name = key.string ?? ""
                if entries.contains(where: { $0.0 == name }) {
                    throw ReportError(.configInvalid, "\(file)\(key.mark.map { ":\($0.line)" } ?? ""): '\(Self.join(path, name))': The key appears twice.")
                }
                entries.append((name, value, key.mark?.line))
            }
            self.entries = entries
        }

        static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        func error(_ key: String, at line: Int?, _ message: String) -> ReportError {
            ReportError(.configInvalid, "\(file)\(line.map { ":\($0)" } ?? ""): '\(Self.join(path, key))': \(message)")
        }

        func optional(_ key: String) -> (node: Node, line: Int?)? {
            used.insert(key)
            return entries.first { $0.key == key }.map { ($0.value, $0.value.mark?.line ?? $0.line) }
        }

        func required(_ key: String) throws(ReportError) -> Node {
            guard let found = optional(key) else {
                throw error(key, at: line, "This key is required (found: \(entries.map(\.key).joined(separator: ", "))); see config/awards.yaml.")
            }
            return found.node
        }

        /// The mapping under `key`, which must be there; its errors give the key's line.
        func mapping(_ key: String) throws(ReportError) -> Mapping {
            let node = try required(key)
            return try Mapping(node, file: file, path: Self.join(path, key), line: entries.first { $0.key == key }?.line)
        }

        func scalar(_ key: String) throws(ReportError) -> (text: String, line: Int?)? {
            guard let found = optional(key) else { return nil }
            guard case .scalar(let scalar) = found.node else { throw error(key, at: found.line, "Expected a single value, not a list or a mapping.") }
            return (scalar.string, found.line)
        }

        func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(ReportError) -> Int? {
            guard let (text, line) = try scalar(key) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw error(key, at: line, "Expected a whole number from \(range.lowerBound) to \(range.upperBound), not \(text).")
            }
            return value
        }

        func int(_ key: String, in range: ClosedRange<Int>) throws(ReportError) -> Int {
            _ = try required(key)
            return try optionalInt(key, in: range)!
        }

        func bool(_ key: String) throws(ReportError) -> Bool {
            _ = try required(key)
            let (text, line) = try scalar(key)!
            switch text {
            case "true": return true
            case "false": return false
            default: throw error(key, at: line, "Expected true or false, not \(text).")
            }
        }

        /// A number of percentage points with at most one decimal place (`5`, `5.0`, `7.5`), in tenths.
        func tenths(_ key: String, in range: ClosedRange<Int>) throws(ReportError) -> Int {
            _ = try required(key)
            let (text, line) = try scalar(key)!
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let expected = "Expected percentage points from \(Double(range.lowerBound) / 10) to \(Double(range.upperBound) / 10) with at most one decimal place, not \(text)."
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                parts.count == 1 || parts[1].count == 1, let whole = Int(parts[0]), whole <= 1000
            else { throw error(key, at: line, expected) }
            let value = whole * 10 + (parts.count == 2 ? Int(parts[1])! : 0)
            guard range.contains(value) else { throw error(key, at: line, expected) }
            return value
        }

        /// Throws for the first key that nobody read, naming the keys allowed.
        func finish() throws(ReportError) {
            if let unknown = entries.first(where: { !used.contains($0.key) }) {
                throw error(unknown.key, at: unknown.line, "Unknown key. Allowed here: \(used.sorted().joined(separator: ", ")).")
            }
        }
    }
}
