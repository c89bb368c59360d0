import AttendanceDomain

/// The attendance targets every report measures progress against, from `config/targets/`:
///
/// - `county.yaml`: the county's targets per academic year (attendance, persistent absence, severe absence), for all
///   schools and optionally per phase;
/// - `schools.yaml`: each school's targets from its service-level agreement, by LAESTAB and academic year
///   (attendance, persistent absence), and a `default` for any school or year not listed.
///
/// Both files are read strictly: an unknown key, a number that is not a rate from 0 to 100, a school listed twice
/// or a LAESTAB that is not 7 digits is an error naming the file, the line and the key (``ReportError``
/// `config-invalid`). See docs/reports.md, "Targets".
///
/// ```swift
/// let targets = try ReportTargets.load(folder: "config/targets")
/// let target = targets.school("9262001", year: 2025, phase: .primary)
/// TargetProgress(actual: 93.1, target: target.attendance, higherIsBetter: true).text
/// // "93.1% against a target of 94.0%: 0.9 points short"
/// ```
public struct ReportTargets: Sendable, Hashable {
    /// The years an academic-year key may name.
    static let years = 2000...2100

    /// The county's targets by academic year.
    public var counties: [Int: CountyTargets]
    /// Each school's own targets, by LAESTAB then academic year.
    public var schools: [String: [Int: SchoolTargets]]
    /// The default for a school or year not listed.
    public var defaultTargets: Default

    /// `schools.yaml`'s `default`: for every school, with a phase's own where the report knows the phase.
    public struct Default: Sendable, Hashable {
        public struct Rates: Sendable, Hashable {
            public var attendance: Double
            public var persistentAbsence: Double?
        }

        public var all: Rates
        public var phases: [SchoolPhase: Rates]
    }

    public init(counties: [Int: CountyTargets], schools: [String: [Int: SchoolTargets]], defaultTargets: Default) {
        self.counties = counties
        self.schools = schools
        self.defaultTargets = defaultTargets
    }

    /// The county's targets for academic year `year` (2025 = 2025/26), or nil when none are set.
    public func county(year: Int) -> CountyTargets? { counties[year] }

    /// A school's targets for academic year `year`: its own, or else the default (for its phase when given and the
    /// default has one), marked ``SchoolTargets/isDefault``.
    public func school(_ laestab: String, year: Int, phase: SchoolPhase? = nil) -> SchoolTargets {
        if let own = schools[laestab]?[year] { return own }
        let rates = phase.flatMap { defaultTargets.phases[$0] } ?? defaultTargets.all
        return SchoolTargets(laestab: laestab, year: year, attendance: rates.attendance, persistentAbsence: rates.persistentAbsence, isDefault: true)
    }

    // MARK: Loading

    /// Reads `folder/county.yaml` and `folder/schools.yaml`.
    ///
    /// - Throws: ``ReportError`` `config-invalid` naming the file, the line and the key of the first problem.
    public static func load(folder: String) throws(ReportError) -> ReportTargets {
        let counties = try readCounty(ReportYAML.load(path: "\(folder)/county.yaml"))
        let (schools, defaultTargets) = try readSchools(ReportYAML.load(path: "\(folder)/schools.yaml"))
        return ReportTargets(counties: counties, schools: schools, defaultTargets: defaultTargets)
    }

    /// Reads the two files' texts, named in errors as in `folder` (for tests).
    static func parse(county: String, schools: String, folder: String = "config/targets") throws(ReportError) -> ReportTargets {
        let counties = try readCounty(ReportYAML.parse(county, file: "\(folder)/county.yaml"))
        let (schoolTargets, defaultTargets) = try readSchools(ReportYAML.parse(schools, file: "\(folder)/schools.yaml"))
        return ReportTargets(counties: counties, schools: schoolTargets, defaultTargets: defaultTargets)
    }

    /// The academic year `node` sits under (its key), such as 2025 for 2025/26.
    static func academicYear(_ node: ReportYAML) throws(ReportError) -> Int {
        guard let year = Int(node.key), years.contains(year) else {
            throw node.keyError("'\(node.key)' is not an academic year: write its start year, such as 2025 for 2025/26.")
        }
        return year
    }

    /// The phase `node` sits under (its key).
    static func schoolPhase(_ node: ReportYAML) throws(ReportError) -> SchoolPhase {
        guard let phase = SchoolPhase(rawValue: node.key) else {
            throw node.keyError("'\(node.key)' is not a phase: write one of \(SchoolPhase.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return phase
    }

    /// Reads `attendance`, `persistent_absence` and `severe_absence` from `fields`.
    static func countyRates(_ fields: ReportYAML.Mapping) throws(ReportError) -> CountyTargets.Rates {
        let rates = CountyTargets.Rates(
            attendance: try fields.required("attendance").percent(), persistentAbsence: try fields.required("persistent_absence").percent(),
            severeAbsence: try fields.optional("severe_absence")?.percent())
        if let severeAbsence = rates.severeAbsence, severeAbsence > rates.persistentAbsence, let node = fields.optional("severe_absence") {
            throw node.error(
                "Severely absent pupils are persistently absent too: severe_absence (\(severeAbsence)) cannot be above persistent_absence (\(rates.persistentAbsence)).")
        }
        return rates
    }

    /// Reads `attendance` and `persistent_absence` from `fields`.
    static func schoolRates(_ fields: ReportYAML.Mapping) throws(ReportError) -> Default.Rates {
        Default.Rates(attendance: try fields.required("attendance").percent(), persistentAbsence: try fields.optional("persistent_absence")?.percent())
    }

    /// `years: {YEAR: {attendance, persistent_absence, severe_absence, phases: {PHASE: {…}}}}`.
    static func readCounty(_ root: ReportYAML) throws(ReportError) -> [Int: CountyTargets] {
        let top = try root.mapping()
        var result: [Int: CountyTargets] = [:]
        for entry in try top.required("years").mapping().entries {
            let year = try academicYear(entry.value)
            let fields = try entry.value.mapping()
            var targets = CountyTargets(year: year, overall: try countyRates(fields))
            for phaseEntry in try fields.optional("phases")?.mapping().entries ?? [] {
                let phaseFields = try phaseEntry.value.mapping()
                targets.phases[try schoolPhase(phaseEntry.value)] = try countyRates(phaseFields)
                try phaseFields.finish()
            }
            try fields.finish()
            result[year] = targets
        }
        try top.finish()
        return result
    }

    /// `default: {attendance, persistent_absence, phases: {PHASE: {…}}}` and
    /// `schools: {LAESTAB: {YEAR: {attendance, persistent_absence}}}`.
    static func readSchools(_ root: ReportYAML) throws(ReportError) -> ([String: [Int: SchoolTargets]], Default) {
        let top = try root.mapping()
        let defaultFields = try top.required("default").mapping()
        var defaultTargets = Default(all: try schoolRates(defaultFields), phases: [:])
        for entry in try defaultFields.optional("phases")?.mapping().entries ?? [] {
            let fields = try entry.value.mapping()
            defaultTargets.phases[try schoolPhase(entry.value)] = try schoolRates(fields)
            try fields.finish()
        }
        try defaultFields.finish()
        var schools: [String: [Int: SchoolTargets]] = [:]
        for entry in try top.optional("schools")?.mapping().entries ?? [] {
            let laestab = try entry.value.keyAsLAESTAB()
            var years: [Int: SchoolTargets] = [:]
            for yearEntry in try entry.value.mapping().entries {
                let year = try academicYear(yearEntry.value)
                let fields = try yearEntry.value.mapping()
                let rates = try schoolRates(fields)
                try fields.finish()
                years[year] = SchoolTargets(laestab: laestab, year: year, attendance: rates.attendance, persistentAbsence: rates.persistentAbsence)
            }
            schools[laestab] = years
        }
        try top.finish()
        return (schools, defaultTargets)
    }
}
