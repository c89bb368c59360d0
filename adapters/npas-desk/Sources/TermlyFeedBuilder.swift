import AttendanceDomain
import LiaisonMessages

/// Builds the Advisory Service's termly feed from the returns the desk holds: per school its phase and
/// aggregates, the county's (overall and per phase), and the national comparison. Only aggregates leave:
/// the feed's types have no field for a pupil.
public struct TermlyFeedBuilder: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case noReturns(academicYear: Int, term: Term)
        case unknownSchools([String])
        public var description: String {
            switch self {
            case .unknownSchools(let schools):
                "The desk holds returns for schools not in the schools file, so their phase is unknown: \(schools.joined(separator: ", ")). Add them to schools.csv."
            case .noReturns(let year, let term):
                "The desk holds no returns for the \(term.rawValue) term of \(year)/\((year + 1) % 100): import the schools' returns first."
            }
        }
    }

    public var directory: SchoolDirectory

    public init(directory: SchoolDirectory) {
        self.directory = directory
    }

    /// The feed for one term (`full_year` is not built here).
    public func feed(from store: DeskStore, academicYear: Int, term: Term) throws -> TermlyFeed {
        let calendar = SchoolCalendar(academicYear: academicYear)
        let first = (Term.allCases.firstIndex(of: term) ?? 0) * 2 + 1
        let figures = try store.figures(academicYear: academicYear, halfTerms: first...(first + 1))
        guard !figures.isEmpty else { throw Failure.noReturns(academicYear: academicYear, term: term) }
        let unknown = figures.keys.filter { laestab in (try? LAESTAB(laestab)).flatMap { directory[$0] } == nil }.sorted()
        guard unknown.isEmpty else { throw Failure.unknownSchools(unknown) }
        var county = SchoolFigures()
        var byPhase: [String: SchoolFigures] = [:]
        var schools: [TermlyFeed.School] = []
        for (laestab, pupils) in figures.sorted(by: { $0.key < $1.key }) {
            let school = SchoolFigures(pupils)
            let phase = (try? LAESTAB(laestab)).flatMap { directory[$0] }!.phase.rawValue
            schools.append(TermlyFeed.School(laestab: laestab, phase: phase, figures: Self.aggregate(school)))
            county.add(school)
            byPhase[phase, default: SchoolFigures()].add(school)
        }
        let start = calendar.halfTerm(first)?.start.description ?? "\(academicYear)-09-01"
        let end = calendar.halfTerm(first + 1)?.end.description ?? start
        return TermlyFeed(
            period: TermlyFeed.Period(academicYear: academicYear, term: term.rawValue, startDate: start, endDate: end),
            schools: schools,
            county: TermlyFeed.County(overall: Self.aggregate(county), byPhase: byPhase.mapValues(Self.aggregate)),
            national: NationalFigures.latest)
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
