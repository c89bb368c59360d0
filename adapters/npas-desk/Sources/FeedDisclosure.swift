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
/// The reports' rule is MonitoringReports' `DisclosureControl`, which this follows (the same threshold, 0 shown, 1 to
/// `threshold - 1` withheld, a rate with its count or its pupils, the smallest non-zero part as the complement). The
/// feed's figures are not a table but sums of sums (schools in phases, phases in the county), so the complement step
/// is done here over those sums. TODO: this target (NPASDesk) cannot import MonitoringReports, which depends on it;
/// moving DisclosureControl's core into AttendanceDomain would let both share one implementation.
public struct FeedDisclosure: Sendable {
    /// Counts below this (and above 0) are withheld: 3, the DfE's usual threshold, unless set otherwise.
    public var threshold: Int

    public init(threshold: Int = 3) {
        self.threshold = threshold
    }

    /// Whether a count is withheld on its own (rule 1).
    public func withholds(_ count: Int?) -> Bool {
        guard let count else { return false }
        return count > 0 && count < threshold
    }

    /// The feed with its small figures withheld.
    public func apply(to feed: TermlyFeed) -> TermlyFeed {
        // Members of the sums: "s<index>" a school, "p<phase>" a phase total, "c" the county.
        var groups: [String: TermlyFeed.Aggregate] = ["c": feed.county.overall]
        for (index, school) in feed.schools.enumerated() { groups["s\(index)"] = school.figures }
        for (phase, figures) in feed.county.byPhase ?? [:] { groups["p\(phase)"] = figures }
        var sums: [(total: String, parts: [String])] = []
        if let byPhase = feed.county.byPhase {
            sums.append(("c", byPhase.keys.sorted().map { "p\($0)" }))
            for phase in byPhase.keys.sorted() {
                sums.append(("p\(phase)", feed.schools.indices.filter { feed.schools[$0].phase == phase }.map { "s\($0)" }))
            }
        } else {
            sums.append(("c", feed.schools.indices.map { "s\($0)" }))
        }

        let rows = Self.complete(sums, values: groups.mapValues { $0.pupils ?? 0 }, withheld: Set(groups.filter { withholds($0.value.pupils) }.keys))
        let persistent = Self.complete(
            sums, values: groups.mapValues { $0.persistentAbsenceCount ?? 0 },
            withheld: rows.union(groups.filter { withholds($0.value.persistentAbsenceCount) }.keys))
        let severe = Self.complete(
            sums, values: groups.mapValues { $0.severeAbsenceCount ?? 0 },
            withheld: rows.union(groups.filter { withholds($0.value.severeAbsenceCount) }.keys))

        func withheld(_ key: String, _ figures: TermlyFeed.Aggregate) -> TermlyFeed.Aggregate {
            var figures = figures
            if rows.contains(key) {
                figures = TermlyFeed.Aggregate(
                    pupils: nil, sessionsPossible: nil, persistentAbsenceCount: nil, severeAbsenceCount: nil, attendanceRate: nil,
                    authorisedAbsenceRate: nil, unauthorisedAbsenceRate: nil, overallAbsenceRate: nil,
                    persistentAbsenceRate: nil, severeAbsenceRate: nil)
                return figures
            }
            if persistent.contains(key) {
                figures.persistentAbsenceCount = nil
                figures.persistentAbsenceRate = nil
            }
            if severe.contains(key) {
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

    /// Rule 2: adds to `withheld` until no sum has exactly one withheld member. The part added is the smallest shown
    /// non-zero one (by `values`, then by key, so the same feed always gives the same result), a zero when only
    /// zeros are left, and the total when every part is withheld (as DisclosureControl chooses in the reports).
    static func complete(_ sums: [(total: String, parts: [String])], values: [String: Int], withheld start: Set<String>) -> Set<String> {
        var withheld = start
        var changed = true
        while changed {
            changed = false
            for sum in sums {
                let members = [sum.total] + sum.parts
                guard members.filter(withheld.contains).count == 1 else { continue }
                let shown = sum.parts.filter { !withheld.contains($0) }
                    .sorted { (values[$0] == 0 ? 1 : 0, values[$0] ?? 0, $0) < (values[$1] == 0 ? 1 : 0, values[$1] ?? 0, $1) }
                withheld.insert(shown.first ?? sum.total)
                changed = true
            }
        }
        return withheld
    }
}
