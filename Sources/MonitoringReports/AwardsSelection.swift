import AttendanceDomain

/// Who earns an attendance award at each school, by ``AwardsRules``: pure, from each pupil's figures (no store, no
/// names), so the rules can be worked by hand in tests.
///
/// - **Full attendance**: at the school this year, at least the minimum possible sessions, none authorised or
///   unauthorised absent, no missing mark (`-`) and no unknown code; approved educational activity counts as
///   present unless the rules say otherwise. A pupil on two schools' rolls this year is judged at each on the
///   sessions there, so a move mid-year seldom leaves enough at either.
/// - **Most improved**: attendance this year at the school less attendance last year (wherever in the county the
///   pupil was) at least the minimum, with at least the minimum sessions in each year; compared exactly in whole
///   numbers, so an improvement exactly at the minimum earns it. Greatest improvement first; with a cap, pupils
///   tied at the last place are all named. A pupil with no figures last year cannot be most improved.
///
/// ```swift
/// let schools = AwardsSelection.select(thisYear: ["9262001": ["A926...": figures]], lastYear: [:], rules: rules)
/// schools[0].fullAttendance.map(\.upn)
/// ```
public enum AwardsSelection {
    /// One school's awards.
    public struct School: Sendable, Equatable {
        public var laestab: String
        /// Pupils with figures at the school this year.
        public var pupilsConsidered: Int
        /// By UPN.
        public var fullAttendance: [FullAttendance]
        /// Greatest improvement first, then by UPN.
        public var mostImproved: [MostImproved]
    }

    public struct FullAttendance: Sendable, Equatable {
        public var upn: String
        /// This year at the school.
        public var figures: PupilFigures
    }

    public struct MostImproved: Sendable, Equatable {
        public var upn: String
        /// This year at the school.
        public var thisYear: PupilFigures
        /// Last year, at every school of the county together.
        public var lastYear: PupilFigures

        /// The improvement in percentage points as the fraction `numerator / denominator`, exact: 100 x (attended
        /// this year x possible last year - attended last year x possible this year) over (possible last year x
        /// possible this year).
        var improvement: (numerator: Int, denominator: Int) {
            (100 * (thisYear.attended * lastYear.possible - lastYear.attended * thisYear.possible), thisYear.possible * lastYear.possible)
        }

        /// The improvement in percentage points (for printing; the selection compares ``improvement`` exactly).
        public var improvementPoints: Double {
            let (numerator, denominator) = improvement
            return Double(numerator) / Double(denominator)
        }

        /// Whether this pupil improved more than `other` (exactly).
        func improvedMore(than other: MostImproved) -> Bool {
            let (a, b) = improvement, (c, d) = other.improvement
            return a * d > c * b
        }

        func improvedAsMuch(as other: MostImproved) -> Bool {
            let (a, b) = improvement, (c, d) = other.improvement
            return a * d == c * b
        }
    }

    /// The awards at each school that has figures this year, by LAESTAB.
    ///
    /// - Parameters:
    ///   - thisYear: LAESTAB, then UPN, to the pupil's figures at that school this year.
    ///   - lastYear: UPN to the pupil's figures last year, every school together.
    public static func select(thisYear: [String: [String: PupilFigures]], lastYear: [String: PupilFigures], rules: AwardsRules) -> [School] {
        thisYear.keys.sorted().map { laestab in
            let pupils = thisYear[laestab]!
            let full = pupils.keys.sorted().compactMap { upn in
                hasFullAttendance(pupils[upn]!, rules: rules.fullAttendance) ? FullAttendance(upn: upn, figures: pupils[upn]!) : nil
            }
            let improved = pupils.keys.sorted().compactMap { upn -> MostImproved? in
                guard let last = lastYear[upn] else { return nil }
                let candidate = MostImproved(upn: upn, thisYear: pupils[upn]!, lastYear: last)
                return qualifies(candidate, rules: rules.mostImproved) ? candidate : nil
            }
            return School(
                laestab: laestab, pupilsConsidered: pupils.count, fullAttendance: full,
                mostImproved: capped(improved, at: rules.mostImproved.maximumPerSchool))
        }
    }

    /// 100% attendance over at least the minimum sessions, with a complete register.
    public static func hasFullAttendance(_ figures: PupilFigures, rules: AwardsRules.FullAttendance) -> Bool {
        figures.possible >= rules.minimumSessions && figures.authorised == 0 && figures.unauthorised == 0 && figures.missing == 0
            && figures.invalid == 0 && (rules.aeaCountsAsPresent || figures.aea == 0)
    }

    /// Enough sessions in both years, and an improvement of at least the minimum: 1000 x (a1 p0 - a0 p1) >= m p0 p1,
    /// with m in tenths of a point.
    static func qualifies(_ candidate: MostImproved, rules: AwardsRules.MostImproved) -> Bool {
        let this = candidate.thisYear, last = candidate.lastYear
        guard this.possible >= rules.minimumSessionsThisYear, last.possible >= rules.minimumSessionsLastYear, this.possible > 0, last.possible > 0
        else { return false }
        return 1000 * (this.attended * last.possible - last.attended * this.possible) >= rules.minimumImprovementTenths * last.possible * this.possible
    }

    /// Greatest improvement first (then by UPN); at most `maximum`, and any pupil tied with the last one kept.
    static func capped(_ pupils: [MostImproved], at maximum: Int?) -> [MostImproved] {
        let ordered = pupils.sorted { $0.improvedMore(than: $1) || ($0.improvedAsMuch(as: $1) && $0.upn < $1.upn) }
        guard let maximum, ordered.count > maximum else { return ordered }
        let last = ordered[maximum - 1]
        return Array(ordered.prefix(maximum)) + ordered.dropFirst(maximum).prefix { $0.improvedAsMuch(as: last) }
    }
}
