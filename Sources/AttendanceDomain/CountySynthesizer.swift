import Foundation

/// Writes a synthetic county: schools, pupils, families and per-session registers as CTF XML and CSV.
///
/// Layout of the output folder (an adapter inbox can take `ctf/` or `csv/` as it is):
/// ```
/// OUT/schools.csv                         laestab,urn,name,phase,district
/// OUT/ctf/<laestab>-<year>-ht<k>.xml      one CTF per school per half term
/// OUT/csv/<laestab>-<year>-ht<k>.csv      the same registers as a CSV register export
/// ```
/// Everything is synthetic and deterministic: the same configuration gives identical bytes. Schools are mostly
/// primary (about 83%), some secondary (13%), a few special (4%); UPNs carry valid check letters, LA 926 and the
/// school's establishment number; families share surname, address and contacts (sometimes across schools); about 1%
/// of pupils are looked after. Marks follow the published national pattern: overall absence about 5.5% (primary),
/// 9% (secondary), 13% (special); illness the most common reason; unauthorised about a third of absence; about 20% of
/// pupils persistently and 2% severely absent. Codes are those valid on each date (the 2024 set from 2024/25).
///
/// ```swift
/// let synthesizer = try CountySynthesizer(.init(schools: 20, pupils: 4000, seed: 7))
/// let county = try synthesizer.write(to: URL(fileURLWithPath: "synth"))
/// print(county.files, county.bytes)
/// ```
public struct CountySynthesizer: Sendable {
    /// Which files to write.
    public enum Format: String, Sendable, CaseIterable {
        case ctf, csv
    }

    /// What to synthesise.
    public struct Configuration: Sendable, Hashable {
        public var schools: Int
        public var pupils: Int
        public var seed: UInt64
        /// The academic year's start year (2025 = 2025/26).
        public var academicYear: Int
        /// Half terms 1...halfTerms are written (1-6).
        public var halfTerms: Int
        /// The LA number in every LAESTAB and UPN.
        public var laNumber: String
        public var formats: Set<Format>
        /// The year whose roll the pupils are made for (nil: ``academicYear``). An earlier ``academicYear`` then
        /// writes the registers of the same children a year (or more) younger, so that several years of returns
        /// follow the same pupils: those too young then are left out, those who have since left are there, and each
        /// pupil's absence that year is their usual absence scaled by a factor drawn for the year (0.5 to 1.6), so
        /// some improve and some do not.
        public var rosterYear: Int?

        public init(
            schools: Int, pupils: Int, seed: UInt64, academicYear: Int = 2025, halfTerms: Int = 1, laNumber: String = "926",
            formats: Set<Format> = [.ctf, .csv], rosterYear: Int? = nil
        ) {
            self.schools = schools
            self.pupils = pupils
            self.seed = seed
            self.academicYear = academicYear
            self.halfTerms = halfTerms
            self.laNumber = laNumber
            self.formats = formats
            self.rosterYear = rosterYear
        }

        /// How many years before the roster's year the registers are for (0 for the roster's own year).
        var yearsBeforeRoster: Int { max(0, (rosterYear ?? academicYear) - academicYear) }
    }

    public let configuration: Configuration
    /// The register codes (to pick codes valid on each date).
    public let table: CodeTable

    /// - Throws: ``AttendanceDomainError/Code/invalidArgument`` if a number is out of range.
    public init(_ configuration: Configuration, table: CodeTable = .standard) throws(AttendanceDomainError) {
        func invalid(_ message: String) -> AttendanceDomainError { AttendanceDomainError(.invalidArgument, message) }
        guard configuration.schools >= 1, configuration.schools <= 3000 else { throw invalid("schools must be 1-3000") }
        guard configuration.pupils >= configuration.schools else {
            throw invalid("pupils (\(configuration.pupils)) must be at least the number of schools (\(configuration.schools))")
        }
        guard configuration.pupils <= 2_000_000 else { throw invalid("pupils must be at most 2,000,000") }
        guard (1...6).contains(configuration.halfTerms) else { throw invalid("half terms must be 1-6") }
        guard (2006...2098).contains(configuration.academicYear) else { throw invalid("the academic year must be 2006-2098") }
        if let roster = configuration.rosterYear, !(configuration.academicYear...(configuration.academicYear + 10)).contains(roster) {
            throw invalid("the roster year must be the academic year or up to 10 years after it")
        }
        guard configuration.laNumber.utf8.count == 3, configuration.laNumber.allSatisfy(\.isNumber) else {
            throw invalid("the LA number must be 3 digits")
        }
        self.configuration = configuration
        self.table = table
    }

    // MARK: Schools

    /// The county's schools, in LAESTAB order within each phase (deterministic for the configuration).
    public func schools() -> [SchoolEntry] {
        let count = configuration.schools
        let special = count >= 3 ? max(1, Int((Double(count) * 0.035).rounded())) : 0
        let secondary = count >= 2 ? max(1, Int((Double(count) * 0.13).rounded())) : 0
        let primary = count - special - secondary
        var random = SeededGenerator(seed: configuration.seed, stream: 1)
        var usedNames = Set<String>()
        var schools: [SchoolEntry] = []
        for (phase, number, firstEstab) in [(SchoolPhase.primary, primary, 2000), (.secondary, secondary, 4000), (.special, special, 7000)] {
            for index in 0..<number {
                var name = ""
                repeat {
                    let town = random.pick(SyntheticNames.towns)
                    let prefix = random.chance(0.5) ? town : random.pick(SyntheticNames.surnameStarts) + random.pick(SyntheticNames.surnameEnds)
                    name = prefix + " " + random.pick(SyntheticNames.schoolKinds[phase]!)
                    if usedNames.contains(name) { name += " \(index + 1)" }
                } while usedNames.contains(name)
                usedNames.insert(name)
                let laestab = try! LAESTAB(configuration.laNumber + String(firstEstab + 1 + index))
                let urn = String(120_000 + schools.count + 1)
                // Districts in turn, drawing nothing from the generator (so names and pupils stay as they were).
                let district = SyntheticNames.districts[schools.count % SyntheticNames.districts.count]
                schools.append(SchoolEntry(laestab: laestab, urn: urn, name: name, phase: phase, district: district))
            }
        }
        return schools
    }

    /// Pupils per school: the total shared out by phase weight (secondary schools are bigger), exactly.
    func rolls(_ schools: [SchoolEntry]) -> [Int] {
        let weights = schools.map { school -> Double in
            switch school.phase {
            case .secondary: return 4.5
            case .special: return 0.5
            default: return 1
            }
        }
        let total = weights.reduce(0, +)
        var rolls = weights.map { max(1, Int(Double(configuration.pupils) * $0 / total)) }
        var remainder = configuration.pupils - rolls.reduce(0, +)
        var index = 0
        while remainder != 0 {
            let step = remainder > 0 ? 1 : -1
            if step > 0 || rolls[index] > 1 {
                rolls[index] += step
                remainder -= step
            }
            index = (index + 1) % rolls.count
        }
        return rolls
    }

    // MARK: Writing

    /// Writes schools.csv and the registers into `directory` (created if needed).
    /// - Throws: ``AttendanceDomainError/Code/fileUnwritable`` naming the file that could not be written.
    public func write(to directory: URL) throws(AttendanceDomainError) -> SynthCounty {
        let manager = FileManager.default
        let ctfFolder = directory.appendingPathComponent("ctf"), csvFolder = directory.appendingPathComponent("csv")
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            if configuration.formats.contains(.ctf) { try manager.createDirectory(at: ctfFolder, withIntermediateDirectories: true) }
            if configuration.formats.contains(.csv) { try manager.createDirectory(at: csvFolder, withIntermediateDirectories: true) }
        } catch {
            throw AttendanceDomainError(.fileUnwritable, "cannot create the output folder: \(error.localizedDescription)", file: directory.path)
        }
        let schools = schools()
        let directoryCSV = SchoolDirectory(schools).csv
        try write(Array(directoryCSV.utf8), to: directory.appendingPathComponent("schools.csv"))
        var county = SynthCounty(directory: directory.path, schools: schools, pupils: 0, ctfFiles: [], csvFiles: [],
                                 bytes: directoryCSV.utf8.count, ctfBytes: 0)
        let rolls = rolls(schools)
        let calendar = SchoolCalendar(academicYear: configuration.academicYear)
        var families = FamilyPool(seed: configuration.seed, laNumber: configuration.laNumber)
        for (index, school) in schools.enumerated() {
            let pupils = self.pupils(school: school, schoolIndex: index, roll: rolls[index], families: &families)
            county.pupils += pupils.count
            for halfTermNumber in 1...configuration.halfTerms {
                let halfTerm = calendar.halfTerms[halfTermNumber - 1]
                // An earlier year than the roster's draws its marks from streams of its own.
                let yearStream = UInt64(configuration.yearsBeforeRoster) * 1_000_000
                var random = SeededGenerator(seed: configuration.seed, stream: yearStream + UInt64(1000 + index * 8 + halfTermNumber))
                let registers = markRegisters(school: school, pupils: pupils, calendar: calendar, halfTerm: halfTerm, random: &random)
                let stem = "\(school.laestab)-\(configuration.academicYear)-ht\(halfTermNumber)"
                if configuration.formats.contains(.ctf) {
                    let bytes = ctf(school: school, pupils: pupils, registers: registers, calendar: calendar, halfTerm: halfTerm)
                    try write(bytes, to: ctfFolder.appendingPathComponent(stem + ".xml"))
                    county.ctfFiles.append("ctf/\(stem).xml")
                    county.bytes += bytes.count
                    county.ctfBytes += bytes.count
                }
                if configuration.formats.contains(.csv) {
                    let bytes = csv(school: school, pupils: pupils, registers: registers, calendar: calendar, halfTerm: halfTerm)
                    try write(bytes, to: csvFolder.appendingPathComponent(stem + ".csv"))
                    county.csvFiles.append("csv/\(stem).csv")
                    county.bytes += bytes.count
                }
            }
        }
        return county
    }

    private func write(_ bytes: [UInt8], to url: URL) throws(AttendanceDomainError) {
        do { try Data(bytes).write(to: url) } catch {
            throw AttendanceDomainError(.fileUnwritable, "cannot write: \(error.localizedDescription)", file: url.path)
        }
    }
}
