import Foundation
import Testing

/// Checks on a rendered console page, for every page's tests: exactly one `<h1>`, and every form field (an `<input>`
/// other than hidden, submit or button, a `<select>`, a `<textarea>`) has an `id` named by a `<label for="...">`.
///
/// ```swift
/// #expect(HTMLChecks.problems(in: html).isEmpty, "\(HTMLChecks.problems(in: html))")
/// HTMLChecks.expectAccessible(html)   // the same, as an expectation that lists the problems
/// ```
enum HTMLChecks {
    /// What is wrong with `html`; empty when it passes.
    static func problems(in html: String) -> [String] {
        var problems: [String] = []
        let h1s = matches(#"<h1[\s>]"#, in: html).count
        if h1s != 1 { problems.append("expected one <h1>, found \(h1s)") }
        let labelled = Set(matches(#"<label[^>]*\bfor="([^"]+)""#, in: html).compactMap { $0.first })
        for field in matches(#"<(input|select|textarea)\b([^>]*)>"#, in: html) {
            let attributes = field.count > 1 ? field[1] : ""
            let type = attribute("type", in: attributes)?.lowercased() ?? "text"
            if field[0] == "input" && ["hidden", "submit", "button", "reset", "image"].contains(type) { continue }
            guard let id = attribute("id", in: attributes) else {
                problems.append("a <\(field[0])> without an id (so no label): \(attributes.trimmingCharacters(in: .whitespaces))")
                continue
            }
            if !labelled.contains(id) { problems.append("no <label for=\"\(id)\"> for the <\(field[0])> \(id)") }
        }
        let ids = matches(#"\bid="([^"]+)""#, in: html).compactMap(\.first)
        for id in Set(ids) where ids.filter({ $0 == id }).count > 1 { problems.append("the id \(id) is used twice") }
        return problems
    }

    /// Expects `html` to pass ``problems(in:)``, listing what does not.
    static func expectAccessible(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = problems(in: html)
        #expect(found.isEmpty, "\(found.joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    /// The capture groups of every match of `pattern` (case-insensitive).
    static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).map { match in
            (1..<max(match.numberOfRanges, 1)).map { index in
                Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
        }
    }

    static func attribute(_ name: String, in attributes: String) -> String? {
        matches(#"\b\#(name)="([^"]*)""#, in: attributes).first?.first
    }
}
