/// Aggregate figures over a group of pupils (a school, a phase, a county), as the termly feed needs them.
///
/// Session rates are over all the pupils' possible sessions (not an average of pupils' rates); persistent and severe
/// absence rates are over pupils with at least one possible session. Rates are nil when there is nothing to divide by.
///
/// ```swift
/// let school = SchoolFigures(result.pupils.map(\.figures))
/// school.persistentAbsenceRate   // e.g. 19.6
/// ```
public struct SchoolFigures: Hashable, Sendable {
    /// Pupils counted (enrolments), including any with no possible sessions.
    public private(set) var pupils = 0
    /// Pupils with at least one possible session (the denominator of the pupil rates).
    public private(set) var pupilsWithPossibleSessions = 0
    public private(set) var possible = 0
    public private(set) var present = 0
    public private(set) var aea = 0
    public private(set) var authorised = 0
    public private(set) var unauthorised = 0
    public private(set) var missing = 0
    public private(set) var invalid = 0
    public private(set) var persistentAbsenceCount = 0
    public private(set) var severeAbsenceCount = 0

    public init() {}

    /// The aggregate of some pupils' figures.
    public init(_ pupils: some Sequence<PupilFigures>) {
        for pupil in pupils { add(pupil) }
    }

    /// Adds one pupil.
    public mutating func add(_ pupil: PupilFigures) {
        pupils += 1
        if pupil.possible > 0 { pupilsWithPossibleSessions += 1 }
        possible += pupil.possible
        present += pupil.present
        aea += pupil.aea
        authorised += pupil.authorised
        unauthorised += pupil.unauthorised
        missing += pupil.missing
        invalid += pupil.invalid
        if pupil.isPersistentlyAbsent { persistentAbsenceCount += 1 }
        if pupil.isSeverelyAbsent { severeAbsenceCount += 1 }
    }

    /// Adds another group (e.g. schools into a county).
    public mutating func add(_ other: SchoolFigures) {
        pupils += other.pupils
        pupilsWithPossibleSessions += other.pupilsWithPossibleSessions
        possible += other.possible
        present += other.present
        aea += other.aea
        authorised += other.authorised
        unauthorised += other.unauthorised
        missing += other.missing
        invalid += other.invalid
        persistentAbsenceCount += other.persistentAbsenceCount
        severeAbsenceCount += other.severeAbsenceCount
    }

    /// (present + aea) / possible x 100.
    public var attendanceRate: Double? { sessionRate(present + aea) }
    public var authorisedAbsenceRate: Double? { sessionRate(authorised) }
    public var unauthorisedAbsenceRate: Double? { sessionRate(unauthorised) }
    public var overallAbsenceRate: Double? { sessionRate(authorised + unauthorised) }
    /// Persistently absent pupils as a % of pupils with possible sessions.
    public var persistentAbsenceRate: Double? { pupilRate(persistentAbsenceCount) }
    /// Severely absent pupils as a % of pupils with possible sessions.
    public var severeAbsenceRate: Double? { pupilRate(severeAbsenceCount) }

    private func sessionRate(_ count: Int) -> Double? { possible == 0 ? nil : Double(count) / Double(possible) * 100 }
    private func pupilRate(_ count: Int) -> Double? {
        pupilsWithPossibleSessions == 0 ? nil : Double(count) / Double(pupilsWithPossibleSessions) * 100
    }
}
