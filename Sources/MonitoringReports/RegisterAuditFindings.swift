import AttendanceDomain

/// The data-quality findings of a register audit, worked out from a school's own registers (I/O-free: the rows
/// come in as a ``RegisterAuditInput``; ``RegisterAuditData`` reads them from the desk's store).
///
/// - **Unresolved `N`**: an `N` (reason not yet established) that has stood for at least the programme's number of
///   school days (``RegisterAuditProgramme/Settings/nUnresolvedAfterSchoolDays``). A school day is a day the
///   school was open by its own registers (a day its return lists on which some pupil has a mark other than `#`);
///   the days counted are those after the `N` up to the return's last marked day. Listed by UPN only: the findings
///   go to the school, which already holds its pupils' records.
/// - **Unmarked sessions**: `-` (no mark) on a session the school was open, up to the return's last marked day. A
///   session is closed when no pupil has a mark on it other than `#` and `-` and at least one has `#`; there a `-`
///   is taken as part of the closure. A session on which every pupil has `-` was never registered: every `-`
///   counts.
/// - **Codes against the county**: each code's sessions per 1,000 possible sessions, the school's and the
///   county's; a code is unusual at the programme's ratio and minimum sessions. Present marks, `#` and the codes
///   with findings of their own (`-`, `N`, `L`, `U`) are left out.
/// - **Monday and Friday**: the school's absence rate on each against its Tuesday-to-Thursday rate.
/// - **Late codes**: `L` and `U` per 1,000 possible sessions against the county's.
///
/// Returns without per-session marks still give code rates and late codes (from the counts); their `N` and `-`
/// sessions are counted apart (``nWithoutMarks``, ``unmarkedWithoutMarks``) since they cannot be dated.
public struct RegisterAuditFindings: Sendable {
    /// A pupil with `N` marks unresolved beyond the threshold.
    public struct UnresolvedN: Sendable, Equatable {
        public var upn: String
        public var sessions: Int
        public var oldest: SchoolDate
    }

    /// One session with pupils unmarked.
    public struct UnmarkedSession: Sendable, Equatable {
        public var date: SchoolDate
        public var session: Session
        public var pupils: Int
    }

    /// A code's use at the school and in the county.
    public struct CodeRate: Sendable, Equatable {
        public var code: String
        public var sessions: Int
        /// Sessions per 1,000 possible sessions at the school (nil when it has none).
        public var rate: Double?
        public var countySessions: Int
        public var countyRate: Double?
        /// At or beyond the threshold.
        public var flagged: Bool
    }

    /// Absence on one weekday against Tuesday to Thursday.
    public struct WeekdayAbsence: Sendable, Equatable {
        public var weekday: Weekday
        public var absent: Int
        public var possible: Int
        /// Percent of the day's possible sessions (nil when none).
        public var rate: Double?
        public var midweekAbsent: Int
        public var midweekPossible: Int
        public var midweekRate: Double?
        public var flagged: Bool
    }

    public var laestab: String
    public var schoolName: String?
    public var academicYear: Int
    public var halfTerms: ClosedRange<Int>
    /// The first day of the first return held and the last of the last.
    public var startDate: SchoolDate?
    public var endDate: SchoolDate?
    /// The last return's last marked day, when it was a return to date.
    public var markedThrough: SchoolDate?
    public var settings: RegisterAuditProgramme.Settings
    /// Pupils in the school's returns (each UPN once).
    public var pupils: Int
    public var sessionsPossible: Int
    /// Schools in the county's figures.
    public var countySchools: Int

    /// Pupils with unresolved `N`s, the oldest first.
    public var unresolvedN: [UnresolvedN]
    /// `N` sessions in returns without marks, which cannot be dated.
    public var nWithoutMarks: Int
    /// Sessions with pupils unmarked, in date order.
    public var unmarked: [UnmarkedSession]
    /// Pupils with at least one unmarked session.
    public var unmarkedPupils: Int
    /// `-` sessions in returns without marks.
    public var unmarkedWithoutMarks: Int
    /// Every code the school or the county used (but those left out: see the type's comment), by code.
    public var codeRates: [CodeRate]
    /// `L` then `U`.
    public var lateCodes: [CodeRate]
    /// Monday then Friday.
    public var weekdays: [WeekdayAbsence]

    /// Unresolved `N` sessions in all.
    public var unresolvedNSessions: Int { unresolvedN.reduce(0) { $0 + $1.sessions } }
    /// Unmarked pupil-sessions in all (dated and not).
    public var unmarkedSessions: Int { unmarked.reduce(0) { $0 + $1.pupils } + unmarkedWithoutMarks }
    /// The codes used unusually often against the county.
    public var unusualCodes: [CodeRate] { codeRates.filter(\.flagged) }

    /// Codes with findings of their own, or never a finding, left out of the comparison of codes.
    static let notCompared: Set<String> = ["/", "\\", "#", "-", "N", "L", "U"]

    /// Works the findings out.
    public init(_ input: RegisterAuditInput, settings: RegisterAuditProgramme.Settings, table: CodeTable = .standard) {
        (laestab, schoolName, academicYear, halfTerms, self.settings) = (input.laestab, input.schoolName, input.academicYear, input.halfTerms, settings)
        let returns = input.returns.sorted { $0.halfTerm < $1.halfTerm }
        (startDate, endDate, markedThrough) = (returns.first?.startDate, returns.last?.endDate, returns.last?.markedThrough)
        pupils = Set(input.pupils.map(\.upn)).count
        sessionsPossible = input.pupils.reduce(0) { $0 + $1.sessionsPossible }
        countySchools = input.county.schools

        // Counts from the returns' code counts.
        var codes: [String: Int] = [:]
        var nUndated = 0, unmarkedUndated = 0
        for pupil in input.pupils {
            for (code, sessions) in pupil.codes { codes[code, default: 0] += sessions }
            if pupil.marks == nil {
                nUndated += pupil.codes["N"] ?? 0
                unmarkedUndated += pupil.codes["-"] ?? 0
            }
        }
        nWithoutMarks = nUndated
        unmarkedWithoutMarks = unmarkedUndated
        let possible = sessionsPossible, county = input.county
        func rate(_ code: String, threshold: RegisterAuditProgramme.Threshold) -> CodeRate {
            let sessions = codes[code] ?? 0, countySessions = county.codes[code] ?? 0
            let rate = Self.perThousand(sessions, possible), countyRate = Self.perThousand(countySessions, county.sessionsPossible)
            let flagged = sessions >= threshold.minimumSessions && rate.map { rate in countyRate.map { rate >= threshold.ratio * $0 && rate > $0 } ?? true } == true
            return CodeRate(code: code, sessions: sessions, rate: rate, countySessions: countySessions, countyRate: countyRate, flagged: flagged)
        }
        let compared = Set(codes.keys).union(county.codes.keys).subtracting(Self.notCompared)
        codeRates = compared.sorted { Self.order($0, table) < Self.order($1, table) }.map { rate($0, threshold: settings.unusualCodes) }
        lateCodes = ["L", "U"].map { rate($0, threshold: settings.lateCodes) }

        // From the marks, return by return (each half term's days and last marked day).
        var unresolved: [String: UnresolvedN] = [:]
        var unmarkedBySession: [UnmarkedSession] = []
        var unmarkedUPNs: Set<String> = []
        var absent: [Weekday: Int] = [:], possibleByDay: [Weekday: Int] = [:]
        for held in input.returns {
            let pupils = input.pupils.filter { $0.halfTerm == held.halfTerm && $0.marks != nil }
            let asOf = held.asOf
            // Each session's marks across the pupils: whether any is a real code, whether any is `#`.
            var sessions: [SessionKey: (real: Bool, closure: Bool)] = [:]
            for pupil in pupils {
                for day in pupil.marks! where day.date <= asOf {
                    for (session, mark) in [(Session.am, day.am), (.pm, day.pm)] {
                        var seen = sessions[SessionKey(date: day.date, session: session)] ?? (false, false)
                        if mark == "#" { seen.closure = true } else if mark != "-" { seen.real = true }
                        sessions[SessionKey(date: day.date, session: session)] = seen
                    }
                }
            }
            // School days: dates on which some session is not a closure.
            let openDays = Set(sessions.filter { $0.value.real || !$0.value.closure }.keys.map(\.date)).sorted()
            let position = Dictionary(uniqueKeysWithValues: openDays.enumerated().map { ($0.element, $0.offset) })
            var unmarkedHere: [SessionKey: Int] = [:]
            for pupil in pupils {
                for day in pupil.marks! where day.date <= asOf {
                    for (session, mark) in [(Session.am, day.am), (.pm, day.pm)] {
                        let key = SessionKey(date: day.date, session: session)
                        switch mark {
                        case "N":
                            // School days that followed, up to the last marked day.
                            let followed = openDays.count - 1 - (position[day.date] ?? openDays.count - 1)
                            if followed >= settings.nUnresolvedAfterSchoolDays {
                                var entry = unresolved[pupil.upn] ?? UnresolvedN(upn: pupil.upn, sessions: 0, oldest: day.date)
                                entry.sessions += 1
                                entry.oldest = min(entry.oldest, day.date)
                                unresolved[pupil.upn] = entry
                            }
                        case "-":
                            let seen = sessions[key]!
                            if seen.real || !seen.closure {
                                unmarkedHere[key, default: 0] += 1
                                unmarkedUPNs.insert(pupil.upn)
                            }
                        default: break
                        }
                        guard let code = table.code(mark), code.countsAsPossibleSession else { continue }
                        let weekday = day.date.weekday
                        possibleByDay[weekday, default: 0] += 1
                        if code.category == .authorised || code.category == .unauthorised { absent[weekday, default: 0] += 1 }
                    }
                }
            }
            unmarkedBySession += unmarkedHere.map { UnmarkedSession(date: $0.key.date, session: $0.key.session, pupils: $0.value) }
        }
        unresolvedN = unresolved.values.sorted { ($0.oldest, $0.upn) < ($1.oldest, $1.upn) }
        unmarked = unmarkedBySession.sorted { ($0.date, $0.session == .am ? 0 : 1) < ($1.date, $1.session == .am ? 0 : 1) }
        unmarkedPupils = unmarkedUPNs.count

        let midweek: [Weekday] = [.tuesday, .wednesday, .thursday]
        let midweekAbsent = midweek.reduce(0) { $0 + (absent[$1] ?? 0) }, midweekPossible = midweek.reduce(0) { $0 + (possibleByDay[$1] ?? 0) }
        let midweekRate = Self.percent(midweekAbsent, midweekPossible)
        let threshold = settings.weekdayAbsence
        weekdays = [Weekday.monday, .friday].map { day in
            let away = absent[day] ?? 0, possible = possibleByDay[day] ?? 0
            let rate = Self.percent(away, possible)
            let flagged = away >= threshold.minimumSessions
                && rate.map { rate in midweekRate.map { rate >= threshold.ratio * $0 && rate > $0 } ?? true } == true
            return WeekdayAbsence(
                weekday: day, absent: away, possible: possible, rate: rate, midweekAbsent: midweekAbsent, midweekPossible: midweekPossible,
                midweekRate: midweekRate, flagged: flagged)
        }
    }

    struct SessionKey: Hashable {
        var date: SchoolDate
        var session: Session
    }

    /// `count` per 1,000 of `total`; nil when the total is 0.
    static func perThousand(_ count: Int, _ total: Int) -> Double? { total > 0 ? Double(count) * 1000 / Double(total) : nil }
    static func percent(_ count: Int, _ total: Int) -> Double? { total > 0 ? Double(count) * 100 / Double(total) : nil }

    /// A code's place in the code table (unknown codes last, by symbol).
    static func order(_ code: String, _ table: CodeTable) -> (Int, String) { (table.code(code)?.index ?? Int.max, code) }

    /// How many of the kinds of finding are present (unresolved `N`, unmarked sessions, unusual codes, Monday or
    /// Friday absence, late codes): a headline for summaries.
    public var flaggedKinds: [String] {
        var kinds: [String] = []
        if !unresolvedN.isEmpty { kinds.append("unresolved N") }
        if unmarkedSessions > 0 { kinds.append("unmarked sessions") }
        if !unusualCodes.isEmpty { kinds.append("unusual codes") }
        if weekdays.contains(where: \.flagged) { kinds.append("Monday or Friday absence") }
        if lateCodes.contains(where: \.flagged) { kinds.append("late codes") }
        return kinds
    }
}
