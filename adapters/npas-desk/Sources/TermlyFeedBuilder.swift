import AttendanceDomain
import LiaisonMessages

/// Builds the Advisory Service's feed from the returns the desk holds, for a term or for the whole year: per school
/// its name, phase, aggregates and flags, the county's (overall and per phase), and the national comparison, with
/// small figures withheld (``FeedDisclosure``). Only aggregates leave: the feed's types have no field for a pupil.
public struct TermlyFeedBuilder: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case noReturns(academicYear: Int, term: Term)
        case noReturnsForYear(academicYear: Int)
        case unknownSchools([String])
        /// The year feed was asked for but some half terms have no returns from any school.
        case missingHalfTerms(academicYear: Int, missing: [Int], held: [Int])
        public var description: String {
            switch self {
            case .unknownSchools(let schools):
                "The desk holds returns for schools not in the schools file, so their phase is unknown: \(schools.joined(separator: ", ")). Add them to schools.csv."
            case .noReturns(let year, let term):
                "The desk holds no returns for the \(term.rawValue) term of \(year)/\((year + 1) % 100): import the schools' returns first."
            case .noReturnsForYear(let year):
                "The desk holds no returns for \(year)/\((year + 1) % 100): import the schools' returns first."
            case .missingHalfTerms(let year, let missing, let held):
                "The desk holds no returns for half term\(missing.count == 1 ? "" : "s") \(Self.list(missing)) of \(year)/\((year + 1) % 100) "
                    + "(held: \(Self.list(held))). Import them first, or send the year's feed over the half terms held with --partial "
                    + "(its period then lists them)."
            }
        }
        static func list(_ numbers: [Int]) -> String {
            switch numbers.count {
            case 0: "none"
            case 1: "\(numbers[0])"
            default: numbers.dropLast().map(String.init).joined(separator: ", ") + " and \(numbers.last!)"
            }
        }
    }

    /// What the flags and disclosure control use.
    public struct Settings: Sendable, Equatable {
        /// A school is flagged `below_county` when its attendance rate is at least this many percentage points
        /// below the county's for its phase (2.0 by default).
        public var belowCountyMargin: Double
        /// Disclosure control's threshold: counts of 1 to `threshold - 1` are withheld (3 by default).
        public var disclosureThreshold: Int
        public init(belowCountyMargin: Double = 2.0, disclosureThreshold: Int = 3) {
            self.belowCountyMargin = belowCountyMargin
            self.disclosureThreshold = disclosureThreshold
        }
    }

    public var directory: SchoolDirectory
    public var settings: Settings

    public init(directory: SchoolDirectory, settings: Settings = Settings()) {
        self.directory = directory
        self.settings = settings
    }

    /// The feed for one term: its two half terms.
    public func feed(from store: DeskStore, academicYear: Int, term: Term) throws -> TermlyFeed {
        let first = (Term.allCases.firstIndex(of: term) ?? 0) * 2 + 1
        let held = Set(try store.returns().filter { $0.academicYear == academicYear }.map(\.halfTerm))
        let halfTerms = [first, first + 1].filter(held.contains)
        guard !halfTerms.isEmpty else { throw Failure.noReturns(academicYear: academicYear, term: term) }
        return try feed(from: store, academicYear: academicYear, term: term.rawValue, dates: first...(first + 1), halfTerms: halfTerms)
    }

    /// The feed for the whole year (term `full_year`): all six half terms. When some half term has no returns from
    /// any school, it fails naming them, unless `partial` is set: the feed is then built over the half terms held,
    /// and its period (dates and `half_terms`) says which.
    public func yearFeed(from store: DeskStore, academicYear: Int, partial: Bool = false) throws -> TermlyFeed {
        let held = try Self.halfTermsHeld(in: store, academicYear: academicYear)
        guard let first = held.first, let last = held.last else { throw Failure.noReturnsForYear(academicYear: academicYear) }
        let missing = (1...6).filter { !held.contains($0) }
        if !missing.isEmpty && !partial {
            throw Failure.missingHalfTerms(academicYear: academicYear, missing: missing, held: held)
        }
        return try feed(from: store, academicYear: academicYear, term: "full_year", dates: first...last, halfTerms: held)
    }

    /// The half terms of a year whose returns the desk holds, 1-6.
    public static func halfTermsHeld(in store: DeskStore, academicYear: Int) throws -> [Int] {
        Set(try store.returns().filter { $0.academicYear == academicYear }.map(\.halfTerm)).sorted()
    }

    func feed(from store: DeskStore, academicYear: Int, term: String, dates: ClosedRange<Int>, halfTerms: [Int]) throws -> TermlyFeed {
        let calendar = SchoolCalendar(academicYear: academicYear)
        let figures = try store.figures(academicYear: academicYear, halfTerms: halfTerms.min()!...halfTerms.max()!)
        guard !figures.isEmpty else { throw Failure.noReturnsForYear(academicYear: academicYear) }
        let unknown = figures.keys.filter { laestab in (try? LAESTAB(laestab)).flatMap { directory[$0] } == nil }.sorted()
        guard unknown.isEmpty else { throw Failure.unknownSchools(unknown) }
        var county = SchoolFigures()
        var byPhase: [String: SchoolFigures] = [:]
        var perSchool: [(entry: SchoolEntry, figures: SchoolFigures)] = []
        for (laestab, pupils) in figures.sorted(by: { $0.key < $1.key }) {
            let school = SchoolFigures(pupils)
            let entry = (try? LAESTAB(laestab)).flatMap { directory[$0] }!
            perSchool.append((entry, school))
            county.add(school)
            byPhase[entry.phase.rawValue, default: SchoolFigures()].add(school)
        }
        let rising = try risingPersistentAbsence(store: store, academicYear: academicYear, through: halfTerms.max()!)
        let schools = perSchool.map { school in
            let phase = school.entry.phase.rawValue
            let aggregate = Self.aggregate(school.figures)
            var flags: [TermlyFeed.Flag] = []
            if let county = byPhase[phase], isBelowCounty(Self.aggregate(county), aggregate) { flags.append(.belowCounty) }
            if rising.contains(school.entry.laestab.value) { flags.append(.persistentAbsenceRising) }
            return TermlyFeed.School(
                laestab: school.entry.laestab.value, name: school.entry.name, phase: phase, flags: flags, figures: aggregate)
        }
        let start = calendar.halfTerm(dates.lowerBound)?.start.description ?? "\(academicYear)-09-01"
        let end = calendar.halfTerm(dates.upperBound)?.end.description ?? start
        let feed = TermlyFeed(
            period: TermlyFeed.Period(academicYear: academicYear, term: term, startDate: start, endDate: end, halfTerms: halfTerms),
            schools: schools,
            county: TermlyFeed.County(overall: Self.aggregate(county), byPhase: byPhase.mapValues(Self.aggregate)),
            national: NationalFigures.latest)
        return FeedDisclosure(threshold: settings.disclosureThreshold).apply(to: feed)
    }

    /// `below_county`: the school's attendance rate is at least the margin below its phase's in the county, both as
    /// the feed gives them (to two decimals), compared in hundredths so that 2.00 points is 2.00. Not for a school
    /// whose pupils disclosure control would withhold.
    func isBelowCounty(_ county: TermlyFeed.Aggregate, _ school: TermlyFeed.Aggregate) -> Bool {
        guard let pupils = school.pupils, pupils >= settings.disclosureThreshold,
            let schoolRate = school.attendanceRate, let countyRate = county.attendanceRate, school.sessionsPossible ?? 0 > 0
        else { return false }
        func hundredths(_ value: Double) -> Int { Int((value * 100).rounded()) }
        return hundredths(countyRate) - hundredths(schoolRate) >= hundredths(settings.belowCountyMargin)
    }

    /// The schools whose persistent absence rate rose in each of the last two half-term steps: over the three half
    /// terms ending with `through` (reaching back into the year before when `through` is 1 or 2), each half term's
    /// rate on its own returns, strictly higher each time. A school without returns for all three is not flagged, nor
    /// one whose persistent absence count in the last of them is one disclosure control would withhold (fewer than
    /// the threshold: a rise among one or two pupils is no signal, and the flag would point at them).
    func risingPersistentAbsence(store: DeskStore, academicYear: Int, through last: Int) throws -> Set<String> {
        var steps: [(year: Int, halfTerm: Int)] = [(academicYear, last)]
        while steps.count < 3 {
            let (year, halfTerm) = steps[0]
            steps.insert(halfTerm == 1 ? (year - 1, 6) : (year, halfTerm - 1), at: 0)
        }
        let perHalfTerm = try steps.map { step in
            try store.figures(academicYear: step.year, halfTerms: step.halfTerm...step.halfTerm).mapValues { SchoolFigures($0) }
        }
        var rising = Set<String>()
        for (laestab, latest) in perHalfTerm[2] {
            guard let first = perHalfTerm[0][laestab]?.persistentAbsenceRate, let second = perHalfTerm[1][laestab]?.persistentAbsenceRate,
                let third = latest.persistentAbsenceRate, latest.persistentAbsenceCount >= settings.disclosureThreshold
            else { continue }
            if first < second && second < third { rising.insert(laestab) }
        }
        return rising
    }

    static func aggregate(_ figures: SchoolFigures) -> TermlyFeed.Aggregate {
        func rate(_ value: Double?) -> Double { ((value ?? 0) * 100).rounded() / 100 }
        return TermlyFeed.Aggregate(
            pupils: figures.pupils, sessionsPossible: figures.possible, persistentAbsenceCount: figures.persistentAbsenceCount,
            severeAbsenceCount: figures.severeAbsenceCount, attendanceRate: rate(figures.attendanceRate),
            authorisedAbsenceRate: rate(figures.authorisedAbsenceRate), unauthorisedAbsenceRate: rate(figures.unauthorisedAbsenceRate),
            overallAbsenceRate: rate(figures.overallAbsenceRate), persistentAbsenceRate: rate(figures.persistentAbsenceRate),
            severeAbsenceRate: rate(figures.severeAbsenceRate))
    }
}

/// The national comparison: the DfE's published figures for England, 2023/24 (full year; published figures
/// lag a year). Overall absence 7.1%: authorised 4.7%, unauthorised 2.4%; persistent absence 20.0% of
/// pupils; severe absence 2.3%. Per phase the DfE publishes overall absence (primary 5.5%, secondary 8.9%,
/// special 13.0%) but not every rate the feed needs, so only the overall figures are sent.
public enum NationalFigures {
    public static let latest = TermlyFeed.National(
        academicYear: 2023, term: "full_year",
        overall: TermlyFeed.Rates(
            attendanceRate: 92.9, authorisedAbsenceRate: 4.7, unauthorisedAbsenceRate: 2.4, overallAbsenceRate: 7.1,
            persistentAbsenceRate: 20.0, severeAbsenceRate: 2.3))
}
