import AttendanceDomain
import Foundation
import Testing

@Suite("Synthetic county")
struct SynthTests {
    @Test("The same seed writes identical bytes; another seed does not")
    func determinism() throws {
        let a = TestSupport.temporaryFolder("synth-a"), b = TestSupport.temporaryFolder("synth-b"), c = TestSupport.temporaryFolder("synth-c")
        defer { for folder in [a, b, c] { try? FileManager.default.removeItem(at: folder) } }
        let configuration = CountySynthesizer.Configuration(schools: 5, pupils: 400, seed: 99, halfTerms: 2)
        let first = try CountySynthesizer(configuration).write(to: a)
        let second = try CountySynthesizer(configuration).write(to: b)
        var other = configuration
        other.seed = 100
        _ = try CountySynthesizer(other).write(to: c)
        #expect(first.ctfFiles == second.ctfFiles && first.bytes == second.bytes)
        #expect(first.files == 5 * 2 * 2 + 1 && first.pupils == 400)
        var differs = false
        for file in ["schools.csv"] + first.ctfFiles + first.csvFiles {
            let x = try Data(contentsOf: a.appendingPathComponent(file)), y = try Data(contentsOf: b.appendingPathComponent(file))
            #expect(x == y, "\(file) differs between runs with the same seed")
            if let z = try? Data(contentsOf: c.appendingPathComponent(file)), z != x { differs = true }
        }
        #expect(differs)
    }

    @Test("Schools: phases, LAESTABs, URNs, and a directory that reads back")
    func schools() throws {
        let synthesizer = try CountySynthesizer(.init(schools: 430, pupils: 430, seed: 1))
        let schools = synthesizer.schools()
        #expect(schools.count == 430 && Set(schools.map(\.laestab)).count == 430 && Set(schools.map(\.name)).count == 430)
        let primary = schools.filter { $0.phase == .primary }.count, special = schools.filter { $0.phase == .special }.count
        #expect(primary > 330 && primary < 380 && special >= 10 && special <= 20)
        #expect(schools.allSatisfy { $0.laestab.laNumber == "926" && $0.urn.count == 6 })
        let folder = TestSupport.temporaryFolder("schools")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("schools.csv")
        try SchoolDirectory(schools).csv.write(to: url, atomically: true, encoding: .utf8)
        #expect(try SchoolDirectory(contentsOf: url).schools == schools)
    }

    @Test("Distributions: absence, persistent and severe shares, illness the most common reason; every file checks clean")
    func distributions() throws {
        let folder = TestSupport.temporaryFolder("distribution")
        defer { try? FileManager.default.removeItem(at: folder) }
        let county = try CountySynthesizer(.init(schools: 24, pupils: 4000, seed: 5, academicYear: 2025, halfTerms: 1, formats: [.ctf]))
            .write(to: folder)
        let directory = try SchoolDirectory(contentsOf: folder.appendingPathComponent("schools.csv"))
        let reader = MISReader(directory: directory)
        var total = SchoolFigures()
        var codeCounts: [String: Int] = [:]
        var upns = Set<String>()
        var lookedAfter = 0, withParentalResponsibility = 0
        var families: [String: Int] = [:]
        for file in county.ctfFiles {
            let result = reader.read(path: folder.appendingPathComponent(file).path)
            #expect(result.problems.isEmpty, "\(file): \(result.problems.prefix(3))")
            total.add(result.schoolFigures)
            for pupil in result.pupils {
                for (code, count) in pupil.figures.codeCounts { codeCounts[code, default: 0] += count }
                upns.insert(pupil.upn)
                if pupil.lookedAfter { lookedAfter += 1 }
                if !pupil.contactsWithParentalResponsibility.isEmpty { withParentalResponsibility += 1 }
                families[(pupil.surname ?? "") + (pupil.address?.singleLine ?? ""), default: 0] += 1
            }
        }
        #expect(total.pupils == 4000 && upns.count == 4000)
        let persistent = total.persistentAbsenceRate!, severe = total.severeAbsenceRate!, absence = total.overallAbsenceRate!
        #expect(persistent > 12 && persistent < 28, "persistent \(persistent)%")
        #expect(severe > 0.5 && severe < 5, "severe \(severe)%")
        #expect(absence > 5 && absence < 10, "absence \(absence)%")
        #expect(total.unauthorisedAbsenceRate! > 1.2 && total.unauthorisedAbsenceRate! < 4)
        let absenceCodes = codeCounts.filter { CodeTable.standard.code($0.key)!.category == .authorised || CodeTable.standard.code($0.key)!.category == .unauthorised }
        #expect(absenceCodes.max { $0.value < $1.value }?.key == "I", "\(absenceCodes)")
        #expect(codeCounts["H"] == nil && codeCounts["J"] == nil)  // 2025/26 uses the 2024 codes only
        #expect(lookedAfter > 10 && lookedAfter < 90)
        #expect(withParentalResponsibility > 3800)
        #expect(families.values.filter { $0 > 1 }.count > 100)  // siblings share surname and address
    }

    @Test("Academic years before 2024 use the old codes")
    func oldCodes() throws {
        let folder = TestSupport.temporaryFolder("old")
        defer { try? FileManager.default.removeItem(at: folder) }
        let county = try CountySynthesizer(.init(schools: 3, pupils: 600, seed: 3, academicYear: 2022, formats: [.csv])).write(to: folder)
        for file in county.csvFiles {
            let result = MISReader().read(path: folder.appendingPathComponent(file).path)
            #expect(result.problems.isEmpty, "\(result.problems.prefix(3))")
            #expect(result.period?.academicYear == 2022)
            #expect(result.pupils.allSatisfy { $0.figures.codeCounts["J1"] == nil && $0.figures.codeCounts["C2"] == nil })
        }
    }

    @Test("The check report renders every format")
    func report() throws {
        let result = MISReader(directory: TestSupport.fixtureDirectory).read(path: TestSupport.fixture("ctf-problems.xml"))
        let report = MISCheckReport([result])
        let json = report.render(.json)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(decoded["fatal"] as? Bool == false)
        let file = (decoded["files"] as! [[String: Any]])[0]
        #expect((file["problems"] as! [Any]).count == result.problems.count)
        #expect((file["pupils"] as! [[String: Any]])[0]["sessions_possible"] as? Int == 66)
        let csv = report.render(.csv)
        var records = CSVRecordReader(text: csv)
        #expect(try records.next()?.fields == MISCheckReport.csvColumns)
        var rows = 0
        while let record = try records.next() {
            #expect(record.fields.count == MISCheckReport.csvColumns.count)
            rows += 1
        }
        #expect(rows == result.problems.count + result.pupils.count)
        let table = report.render(.table)
        #expect(table.contains("upn-check-letter") && table.contains("attend%"))
        #expect(!MISCheckReport([MISReader().read(path: TestSupport.fixture("not-ctf.xml"))]).render(.json).contains("\"fatal\" : false"))
    }

    @Test("An earlier year of the same roll follows the same pupils a year younger; the roll's own year is unchanged")
    func rosterYear() throws {
        let now = TestSupport.temporaryFolder("roster-now"), same = TestSupport.temporaryFolder("roster-same")
        let before = TestSupport.temporaryFolder("roster-before")
        defer { for folder in [now, same, before] { try? FileManager.default.removeItem(at: folder) } }
        let configuration = CountySynthesizer.Configuration(schools: 3, pupils: 300, seed: 5, academicYear: 2025, halfTerms: 1, formats: [.csv])
        let current = try CountySynthesizer(configuration).write(to: now)
        var named = configuration
        named.rosterYear = 2025
        let sameYear = try CountySynthesizer(named).write(to: same)
        for file in current.csvFiles {
            #expect(try Data(contentsOf: now.appendingPathComponent(file)) == Data(contentsOf: same.appendingPathComponent(file)))
        }
        #expect(sameYear.pupils == current.pupils)
        var earlier = named
        earlier.academicYear = 2024
        let history = try CountySynthesizer(earlier).write(to: before)
        let reader = MISReader()
        func pupils(_ folder: URL, _ files: [String]) -> [String: String] {
            var out: [String: String] = [:]
            for file in files { for pupil in reader.read(path: folder.appendingPathComponent(file).path).pupils { out[pupil.upn] = pupil.yearGroup?.rawValue } }
            return out
        }
        let thisYear = pupils(now, current.csvFiles), lastYear = pupils(before, history.csvFiles)
        // About the same roll: the year groups that have moved up, and the oldest who have since left.
        #expect(abs(lastYear.count - thisYear.count) * 10 < thisYear.count)
        var younger = 0, leavers = 0
        for (upn, group) in lastYear {
            guard let later = thisYear[upn] else {
                #expect(["6", "11"].contains(group), "a pupil of 2024/25 who left was in year \(group), not a school's last year")
                leavers += 1
                continue
            }
            if let a = Int(group), let b = Int(later) { #expect(b == a + 1); younger += 1 } else { #expect(group == "R" && later == "1") }
        }
        #expect(younger > 0 && leavers > 0)
        // Reception in 2025/26 was not at school the year before.
        #expect(thisYear.filter { $0.value == "R" }.keys.allSatisfy { lastYear[$0] == nil })
    }
}
