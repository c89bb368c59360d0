import Foundation

/// Rotates an agency's CURVE key in two steps, without a moment when the agency cannot connect.
///
/// 1. `begin`: a new pair `ID.next.key` / `ID.next.pub` beside the agency's current public key file, and
///    `next_public_key_file` (with `next_from` if given) added under the agency in `agencies.yaml`. After a
///    reload the hub accepts both keys; the agency moves its adapters to the new secret key when it likes.
/// 2. `finish`: the next pair becomes `ID.key` / `ID.pub` (the old pair is kept as `ID.retired-DATE.*`) and the
///    `next_…` and `current_until` lines are removed. After a reload, sessions still on the old key end at once.
///
/// `agencies.yaml` is edited as text, line by line, so that its comments and layout survive; the agency's
/// key must be given as `public_key_file` (an inline `public_key` cannot be rotated by file).
package enum KeyRotation {
    package struct Begun: Sendable {
        package let secretKeyPath: String
        package let publicKeyPath: String
        package let publicKeyZ85: String
    }

    /// Starts a rotation for `agency` (see the type's description).
    package static func begin(agency: String, agenciesFile: String, validFrom: String? = nil) throws(ConfigurationError) -> Begun {
        var lines = try readLines(agenciesFile)
        let block = try agencyBlock(agency, in: lines, file: agenciesFile)
        if block.lines.contains(where: { isKey(lines[$0], "next_public_key_file") || isKey(lines[$0], "next_public_key") }) {
            throw ConfigurationError(
                .invalidValue, file: agenciesFile, key: "agencies.\(agency)",
                "A rotation is already under way for '\(agency)': finish it first (`liaison keys rotate --agency \(agency) --finish`).")
        }
        let current = try currentKeyLine(agency, block: block, lines: lines, file: agenciesFile)
        let folder = (current.resolved as NSString).deletingLastPathComponent
        let pair = try KeyFiles.generate(name: "\(agency).next", directory: folder)
        let relative = ((current.value as NSString).deletingLastPathComponent as NSString).appendingPathComponent("\(agency).next.pub")
        var inserted = ["\(block.indent)next_public_key_file: \(relative)"]
        if let validFrom { inserted.append("\(block.indent)next_from: \(validFrom)") }
        lines.insert(contentsOf: inserted, at: current.line + 1)
        try writeLines(lines, to: agenciesFile)
        return Begun(
            secretKeyPath: "\(folder)/\(agency).next.key", publicKeyPath: "\(folder)/\(agency).next.pub", publicKeyZ85: pair.publicKeyZ85)
    }

    /// Ends a rotation for `agency`: the next key becomes the current one; returns where the old pair went.
    package static func finish(agency: String, agenciesFile: String, date: String) throws(ConfigurationError) -> [String] {
        var lines = try readLines(agenciesFile)
        let block = try agencyBlock(agency, in: lines, file: agenciesFile)
        guard block.lines.contains(where: { isKey(lines[$0], "next_public_key_file") }) else {
            throw ConfigurationError(
                .invalidValue, file: agenciesFile, key: "agencies.\(agency)",
                "No rotation is under way for '\(agency)' (no next_public_key_file): start one with `liaison keys rotate --agency \(agency)`.")
        }
        let current = try currentKeyLine(agency, block: block, lines: lines, file: agenciesFile)
        let folder = (current.resolved as NSString).deletingLastPathComponent
        let manager = FileManager.default
        var moved: [String] = []
        for suffix in ["pub", "key"] {
            let old = "\(folder)/\(agency).\(suffix)"
            let next = "\(folder)/\(agency).next.\(suffix)"
            let retired = "\(folder)/\(agency).retired-\(date).\(suffix)"
            guard manager.fileExists(atPath: next) else {
                if suffix == "pub" {
                    throw ConfigurationError(.unreadable, file: next, "The next public key is missing: restore it, or start the rotation again.")
                }
                continue  // the agency's secret may live only on the agency's machine
            }
            do {
                if manager.fileExists(atPath: old) {
                    try manager.moveItem(atPath: old, toPath: retired)
                    moved.append(retired)
                }
                try manager.moveItem(atPath: next, toPath: old)
            } catch {
                throw ConfigurationError(.unreadable, file: old, "Cannot move the key files (\(error)): check the keys folder.")
            }
        }
        let removed = Set(block.lines.filter { index in
            ["next_public_key_file", "next_public_key", "next_from", "current_until"].contains { isKey(lines[index], $0) }
        })
        lines = lines.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        try writeLines(lines, to: agenciesFile)
        return moved
    }

    // MARK: Editing agencies.yaml as text

    struct Block {
        /// The indices of the agency's own lines (after its `ID:` line).
        var lines: [Int]
        /// The indentation of its keys.
        var indent: String
    }

    static func readLines(_ path: String) throws(ConfigurationError) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(.unreadable, file: path, "Cannot read the agencies file.")
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func writeLines(_ lines: [String], to path: String) throws(ConfigurationError) {
        do { try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw ConfigurationError(.unreadable, file: path, "Cannot write the agencies file: \(error).")
        }
    }

    static func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    static func isKey(_ line: String, _ key: String) -> Bool {
        line.drop { $0 == " " }.hasPrefix("\(key):")
    }

    static func agencyBlock(_ agency: String, in lines: [String], file: String) throws(ConfigurationError) -> Block {
        guard let start = lines.firstIndex(where: { $0.hasPrefix(" ") && $0.trimmingCharacters(in: .whitespaces) == "\(agency):" }) else {
            throw ConfigurationError(.missingKey, file: file, key: "agencies.\(agency)", "No agency '\(agency)' in the agencies file.")
        }
        let own = indentation(lines[start])
        var indices: [Int] = []
        var index = start + 1
        while index < lines.count {
            let line = lines[index]
            if !line.trimmingCharacters(in: .whitespaces).isEmpty, !line.trimmingCharacters(in: .whitespaces).hasPrefix("#"),
                indentation(line) <= own
            {
                break
            }
            indices.append(index)
            index += 1
        }
        let keyLine = indices.first { !lines[$0].trimmingCharacters(in: .whitespaces).isEmpty } ?? start
        return Block(lines: indices, indent: String(repeating: " ", count: max(indentation(lines[keyLine]), own + 2)))
    }

    static func currentKeyLine(
        _ agency: String, block: Block, lines: [String], file: String
    ) throws(ConfigurationError) -> (line: Int, value: String, resolved: String) {
        guard let line = block.lines.first(where: { isKey(lines[$0], "public_key_file") }) else {
            throw ConfigurationError(
                .invalidValue, file: file, key: "agencies.\(agency)",
                "'\(agency)' has no public_key_file: key rotation works with key files (an inline public_key cannot be rotated).")
        }
        let text = lines[line].drop { $0 == " " }.dropFirst("public_key_file:".count)
        let value = String(text.split(separator: "#", maxSplits: 1).first ?? "").trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
        let folder = (file as NSString).deletingLastPathComponent
        return (line, value, value.hasPrefix("/") ? value : "\(folder)/\(value)")
    }
}
