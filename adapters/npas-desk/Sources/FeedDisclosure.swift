import AttendanceDomain
import LiaisonMessages

/// Disclosure control on the Advisory Service's feed: small counts, and what would let a reader work them out, are
/// withheld (`null` in the feed) before it leaves the desk.
///
/// The rule, over every aggregate in the feed (each school, each phase in `county.by_phase`, `county.overall`):
///
/// 1. **Primary**: a count of 1 to `threshold - 1` pupils (1 or 2 by default) is withheld with the rate made from
///    it: `persistent_absence_count` with `persistent_absence_rate`, `severe_absence_count` with
///    `severe_absence_rate`. A group of 1 to `threshold - 1` pupils has every figure withheld (its `pupils`, its
///    sessions, every count and rate): its session rates would describe one or two children. A count of 0 is
///    shown: it says nothing about any one pupil that the group's size does not.
/// 2. **Secondary**: the feed publishes totals (each phase is the sum of its schools, the county the sum of its
///    phases), so a single withheld figure in a sum could be worked out from the others. Wherever exactly one
///    member of a sum (the total or a part) is withheld, the smallest part still shown is withheld too (the total
///    when no part is left), and again until no sum has exactly one withheld member. For whole groups the size
///    compared is `pupils`.
///
/// Flags carry no figure; a school whose figures are all withheld is sent with no flags.
///
/// The algorithm is AttendanceDomain's ``SmallCountSuppression``, the one the reports' `DisclosureControl` uses too
/// (the same threshold, 0 shown, 1 to `threshold - 1` withheld); the feed keeps its own choice of complement
/// (``SmallCountSuppression/Complement/smallestPart``: a part before the total, even a zero one). Its exact check
/// adds nothing here: in sums of sums a withheld figure can be worked out only from a sum with no other withheld one.
public struct FeedDisclosure: Sendable {
    /// Counts below this (and above 0) are withheld: 3, the DfE's usual threshold, unless set otherwise.
    public var threshold: Int

    public init(threshold: Int = 3) {
        self.threshold = threshold
    }

    /// The shared rule with this threshold: 0 shown, and the smallest part as the complement.
    var rule: SmallCountSuppression { SmallCountSuppression(threshold: threshold, showZero: true, complement: .smallestPart) }

    /// Whether a count is withheld on its own (rule 1).
    public func withholds(_ count: Int?) -> Bool {
        count.map(rule.hides) ?? false
    }

    /// The feed with its small figures withheld.
    public func apply(to feed: TermlyFeed) -> TermlyFeed {
        // Members of the sums: "s<index>" a school, "p<phase>" a phase total, "c" the county.
        var groups: [String: TermlyFeed.Aggregate] = ["c": feed.county.overall]
        for (index, school) in feed.schools.enumerated() { groups["s\(index)"] = school.figures }
        for (phase, figures) in feed.county.byPhase ?? [:] { groups["p\(phase)"] = figures }
        var sums: [SmallCountSuppression.Line<String>] = []
        if let byPhase = feed.county.byPhase {
            sums.append(.init(parts: byPhase.keys.sorted().map { "p\($0)" }, total: "c"))
            for phase in byPhase.keys.sorted() {
                sums.append(.init(parts: feed.schools.indices.filter { feed.schools[$0].phase == phase }.map { "s\($0)" }, total: "p\(phase)"))
            }
        } else {
            sums.append(.init(parts: feed.schools.indices.map { "s\($0)" }, total: "c"))
        }
        sums.removeAll { $0.parts.isEmpty }  // a phase with no school in the feed is a sum of nothing

        // Whole groups first (compared by their pupils), then each count with every withheld group's counts forced.
        let rows = rule.suppress(values: groups.mapValues { $0.pupils ?? 0 }, lines: sums).hidden
        var values: [Figure: Int] = [:]
        for (key, figures) in groups {
            values[Figure(field: .persistent, group: key)] = figures.persistentAbsenceCount ?? 0
            values[Figure(field: .severe, group: key)] = figures.severeAbsenceCount ?? 0
        }
        let counts = rule.suppress(
            values: values, forced: Set(rows.flatMap { [Figure(field: .persistent, group: $0), Figure(field: .severe, group: $0)] }),
            lines: [Figure.Field.persistent, .severe].flatMap { field in
                sums.map { .init(parts: $0.parts.map { Figure(field: field, group: $0) }, total: Figure(field: field, group: $0.total)) }
            }
        ).hidden

        func withheld(_ key: String, _ figures: TermlyFeed.Aggregate) -> TermlyFeed.Aggregate {
            var figures = figures
            if rows.contains(key) {
                figures = TermlyFeed.Aggregate(
                    pupils: nil, sessionsPossible: nil, persistentAbsenceCount: nil, severeAbsenceCount: nil, attendanceRate: nil,
                    authorisedAbsenceRate: nil, unauthorisedAbsenceRate: nil, overallAbsenceRate: nil,
                    persistentAbsenceRate: nil, severeAbsenceRate: nil)
                return figures
            }
            if counts.contains(Figure(field: .persistent, group: key)) {
                figures.persistentAbsenceCount = nil
                figures.persistentAbsenceRate = nil
            }
            if counts.contains(Figure(field: .severe, group: key)) {
                figures.severeAbsenceCount = nil
                figures.severeAbsenceRate = nil
            }
            return figures
        }
        var result = feed
        for index in result.schools.indices {
            result.schools[index].figures = withheld("s\(index)", feed.schools[index].figures)
            if rows.contains("s\(index)") { result.schools[index].flags = [] }
        }
        result.county.overall = withheld("c", feed.county.overall)
        if let byPhase = feed.county.byPhase {
            result.county.byPhase = Dictionary(uniqueKeysWithValues: byPhase.map { ($0.key, withheld("p\($0.key)", $0.value)) })
        }
        return result
    }

    /// One count of one aggregate in the feed, a key for the shared rule: the counts' sums are the groups' sums, once
    /// for each field, and never meet.
    struct Figure: Hashable, Comparable, Sendable {
        enum Field: Int, Sendable { case persistent, severe }
        var field: Field
        /// The aggregate's member name ("s<index>", "p<phase>", "c").
        var group: String

        static func < (left: Figure, right: Figure) -> Bool {
            (left.field.rawValue, left.group) < (right.field.rawValue, right.group)
        }
    }
}
