import Foundation
import StrictJSON

/// The whole numbers each message type carries, with the range its schema in `schemas/` allows, so that an
/// adapter can refuse a body it cannot use before it reads a single number from it.
///
/// A hub that runs without schemas, or a schema older than the adapter, passes bodies on unchecked: a count of
/// `1e300` is a JSON number, and `Int(1e300)` traps, so a consuming adapter would crash on it, be restarted, and be
/// handed the same message first again, until its time to live ran out. Adapters therefore check every integer
/// field of a body here first, and NACK it (`reject`, with the problem as the reason) if any is not a whole number
/// in its range; it then ends as a dead letter at the hub, whose reason names the field.
///
/// The table repeats the schemas' `type: integer` fields and their `minimum` and `maximum` (a path's `*` is every
/// item of an array or every member of an object). `PoisonBodyTests` derives the same fields from the schemas and
/// sends each consuming adapter `1e300` and `-1` in each of them, so a field added to a schema but not here fails
/// that test.
///
/// ```swift
/// if let problem = IntegerFields.problem(in: value, type: "attendance.return") { return .reject(problem) }
/// ```
public enum IntegerFields {
    /// A field pattern (`pupils/*/codes/*`) and the values the schema allows in it.
    public typealias Field = (path: String, range: ClosedRange<Int>)

    /// A pupil's sessions in a half term or a school year (a year has about 380).
    static let sessions = 0...400
    /// A pupil's sessions over a period that may span school years (a referral's, an offence's).
    static let sessionsOverYears = 0...4000
    static let academicYear = 2006...2099
    static let contactOrder = 1...20
    static let defendantNumber = 1...9
    /// Money in pence, at most GBP 100,000.
    static let pence = 0...10_000_000
    static let pupilCount = 0...1_000_000
    static let sessionTotal = 0...400_000_000
    /// A line in a partner's list.
    static let row = 1...1_000_000

    static let figures = ["sessions_possible", "present", "aea", "authorised", "unauthorised"]

    static func each(_ prefix: String, _ names: [String], _ range: ClosedRange<Int>) -> [Field] {
        names.map { (prefix + $0, range) }
    }

    static let outcomeFields: [Field] = [
        ("defendants/*/defendant_number", defendantNumber), ("defendants/*/costs_pence", pence),
        ("defendants/*/sentence/discharge/months", 1...36), ("defendants/*/sentence/fine/amount_pence", 1...250_000),
        ("defendants/*/sentence/parenting_order/months", 1...12), ("defendants/*/sentence/community_order/months", 1...36),
        ("defendants/*/sentence/custody/days", 1...90), ("defendants/*/sentence/victim_surcharge/amount_pence", 1...200_000),
    ]

    static let aggregate: [String] = ["pupils", "persistent_absence_count", "severe_absence_count"]

    /// Every integer field of every message type that has one.
    public static let byType: [String: [Field]] = [
        "attendance.return": [("period/academic_year", academicYear), ("period/half_term", 1...6), ("pupils/*/codes/*", sessions)]
            + each("pupils/*/", figures, sessions),
        "attendance.termly-feed": [("period/academic_year", academicYear), ("period/half_terms/*", 1...6), ("national/academic_year", academicYear)]
            + ["schools/*/", "county/overall/", "county/by_phase/*/"].flatMap { prefix in
                each(prefix, aggregate, pupilCount) + [(prefix + "sessions_possible", sessionTotal)]
            },
        "care.attendance-alert": [("consecutive_sessions_absent", 1...400)],
        "case.disposal": outcomeFields,
        "court.outcome": outcomeFields,
        "connexions.notification": each("attendance/figures/", figures, sessions) + [("parent_contact/order", contactOrder)],
        "prosecution.file": [
            ("defendants/*/defendant_number", defendantNumber), ("penalty_notices/*/defendant_number", defendantNumber),
            ("penalty_notices/*/amount_pence", pence), ("costs/*/pence", pence),
        ] + each("register_extract/totals/", figures, sessionsOverYears),
        "pupil.match-request": [("people/*/row", row)],
        "pupil.match-result": [("results/*/row", row)],
        "pupil.roll": [("pupils/*/contacts/*/order", contactOrder)],
        "referral": each("attendance/figures/", figures, sessionsOverYears) + [("contacts/*/order", contactOrder)],
        "yot.attendance-summary": each("attendance/", figures, sessions) + [("exclusions/*/sessions", 1...400)],
        "penalty.notice": [("sequence", 1...20), ("unauthorised_sessions", sessionsOverYears), ("payment/*/amount_pence", 1...10_000_000)],
        "awards.list": [
            ("period/academic_year", academicYear), ("period/first_half_term", 1...6), ("period/last_half_term", 1...6),
            ("rules/full_attendance/minimum_sessions", 1...400), ("rules/most_improved/minimum_sessions_this_year", 1...400),
            ("rules/most_improved/minimum_sessions_last_year", 1...400), ("rules/most_improved/maximum_per_school", 1...1000),
            ("full_attendance/*/sessions_possible", sessions), ("full_attendance/*/aea", sessions),
        ] + ["this_year", "last_year"].flatMap { each("most_improved/*/\($0)/", ["sessions_possible", "attended"], sessions) },
        "register-audit.findings": [
            ("period/academic_year", academicYear), ("period/first_half_term", 1...6), ("period/last_half_term", 1...6),
            ("pupils", pupilCount), ("sessions_possible", sessionTotal), ("county_schools", 0...100_000),
            ("unresolved_n/after_school_days", 1...60), ("unresolved_n/sessions", sessionTotal), ("unresolved_n/undated_sessions", sessionTotal),
            ("unresolved_n/pupils/*/sessions", 1...4000), ("unmarked/sessions", sessionTotal), ("unmarked/pupils", pupilCount),
            ("unmarked/undated_sessions", sessionTotal), ("unmarked/by_session/*/pupils", 1...1_000_000),
            ("weekdays/*/absent_sessions", sessionTotal), ("weekdays/*/possible_sessions", sessionTotal),
        ] + ["codes", "late_codes"].flatMap { each("\($0)/*/", ["sessions", "county_sessions"], sessionTotal) },
    ]

    /// The fields whose schema allows `null` as well (a figure withheld by disclosure control).
    public static let nullable: [String: Set<String>] = [
        "attendance.termly-feed": Set(["schools/*/", "county/overall/", "county/by_phase/*/"].flatMap { prefix in
            (aggregate + ["sessions_possible"]).map { prefix + $0 }
        })
    ]

    /// The first integer field of `body` (a message of `type`) that is not a whole number in the range its schema
    /// allows (or `null` where the schema allows that), said as its JSON Pointer, its value and the range; nil when
    /// every one is (or the type has none). A field that is absent is not checked here: whether it is required is
    /// the reader's business.
    public static func problem(in body: JSONValue, type: String) -> String? {
        for field in byType[type] ?? [] {
            let allowsNull = Self.nullable[type]?.contains(field.path) ?? false
            var pointer: [String] = []
            if let problem = problem(
                in: body, path: field.path.split(separator: "/").map(String.init)[...], at: &pointer, range: field.range, nullable: allowsNull)
            {
                return problem
            }
        }
        return nil
    }

    /// ``problem(in:type:)`` for a body not yet parsed; a body that is not JSON is a problem too.
    public static func problem(inBody bytes: [UInt8], type: String) -> String? {
        do { return problem(in: try JSONValue.parse(bytes), type: type) } catch {
            return "The body is not JSON: \(error)"
        }
    }

    /// The first problem under `value`, which is at `pointer` (its tokens, escaped only when a problem is said: a return
    /// has tens of thousands of numbers, and making each one's pointer was most of the time this took).
    static func problem(
        in value: JSONValue, path: ArraySlice<String>, at pointer: inout [String], range: ClosedRange<Int>, nullable: Bool = false
    ) -> String? {
        guard let step = path.first else {
            if nullable && value == .null { return nil }
            return check(value, range: range) ? nil : describe(value, at: pointer, range: range)
        }
        let rest = path.dropFirst()
        switch (step, value) {
        case ("*", .array(let items)):
            for (index, item) in items.enumerated() {
                pointer.append(String(index))
                defer { pointer.removeLast() }
                if let problem = problem(in: item, path: rest, at: &pointer, range: range, nullable: nullable) { return problem }
            }
        case ("*", .object(let members)):
            // The members in the dictionary's order to look, and in name order to say the first problem.
            var found = false
            for (name, member) in members {
                pointer.append(name)
                defer { pointer.removeLast() }
                if problem(in: member, path: rest, at: &pointer, range: range, nullable: nullable) != nil {
                    found = true
                    break
                }
            }
            guard found else { return nil }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                pointer.append(name)
                defer { pointer.removeLast() }
                if let problem = problem(in: member, path: rest, at: &pointer, range: range, nullable: nullable) { return problem }
            }
        case (_, .object(let members)):
            if let member = members[step] {
                pointer.append(step)
                defer { pointer.removeLast() }
                return problem(in: member, path: rest, at: &pointer, range: range, nullable: nullable)
            }
        default:
            break  // not the shape the schema gives: the reader refuses it
        }
        return nil
    }

    /// Whether `value` is a whole number in `range`.
    static func check(_ value: JSONValue, range: ClosedRange<Int>) -> Bool {
        guard case .number(let number) = value, let whole = integer(number) else { return false }
        return range.contains(whole)
    }

    /// Why `value`, at `pointer`, is not a whole number in `range`.
    static func describe(_ value: JSONValue, at pointer: [String], range: ClosedRange<Int>) -> String {
        let at = pointer.map { "/" + escape($0) }.joined()
        let expected = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard case .number(let number) = value else { return "\(at) is \(value.typeName), not \(expected)." }
        guard let whole = integer(number) else { return "\(at) is \(number), not \(expected)." }
        return "\(at) is \(whole), not \(expected)."
    }

    /// A JSON number as an `Int` only when it is one exactly: `1e300`, `2.5`, infinities and NaN give nil, where
    /// `Int(_:)` would trap or round.
    public static func integer(_ number: Double) -> Int? { Int(exactly: number) }

    /// A member name as a JSON Pointer token (RFC 6901).
    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
