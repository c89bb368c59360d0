import Foundation
import Testing

@testable import MonitoringReports

@Suite("Report targets")
struct ReportTargetsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let county = """
        years:
          2025:
            attendance: 94.0
            persistent_absence: 16.0
            severe_absence: 1.5
            phases:
              secondary: {attendance: 92.0, persistent_absence: 21.0}
          2024: {attendance: 93.5, persistent_absence: 17.5}
        """

    static let schools = """
        default:
          attendance: 95.0
          persistent_absence: 15.0
          phases:
            special: {attendance: 88.0}
        schools:
          "9262001":
            2025: {attendance: 95.5, persistent_absence: 12.0}
          9264001:
            2024: {attendance: 91.0}
        """

    /// The error `parse` throws, as its message.
    static func failure(county: String = county, schools: String = schools) -> String? {
        do {
            _ = try ReportTargets.parse(county: county, schools: schools, folder: "t")
            return nil
        } catch {
            #expect(error.code == .configInvalid)
            return error.message
        }
    }

    @Test("Valid files load: county by year and phase, schools by LAESTAB and year, the default where none")
    func valid() throws {
        let targets = try ReportTargets.parse(county: Self.county, schools: Self.schools)
        let county = try #require(targets.county(year: 2025))
        #expect(county.attendance == 94.0 && county.persistentAbsence == 16.0 && county.severeAbsence == 1.5)
        #expect(county.phases[.secondary] == .init(attendance: 92.0, persistentAbsence: 21.0))
        #expect(targets.county(year: 2024)?.severeAbsence == nil)
        #expect(targets.county(year: 2023) == nil)

        #expect(targets.school("9262001", year: 2025) == SchoolTargets(laestab: "9262001", year: 2025, attendance: 95.5, persistentAbsence: 12.0))
        #expect(targets.school("9264001", year: 2024) == SchoolTargets(laestab: "9264001", year: 2024, attendance: 91.0, persistentAbsence: nil))
        let fallback = targets.school("9262001", year: 2024)
        #expect(fallback.isDefault && fallback.attendance == 95.0 && fallback.persistentAbsence == 15.0)
        let special = targets.school("9267001", year: 2025, phase: .special)
        #expect(special.isDefault && special.attendance == 88.0 && special.persistentAbsence == nil)
        #expect(targets.school("9267001", year: 2025, phase: .primary).attendance == 95.0)
    }

    @Test("Each mistake names the file, the line and the key, and says what to write", arguments: [
        // (which file, the text, the expected start of the message, a word of the advice)
        ("schools", "default: {attendance: 95}\nschools:\n  \"9262001\":\n    2025: {attendance: 95, persistent: 12}\n",
         "t/schools.yaml:4: 'schools.9262001.2025.persistent': Unknown key", "persistent_absence"),
        ("schools", "default: {attendance: 95}\nschools:\n  \"9262001\":\n    2025: {attendance: 95%}\n",
         "t/schools.yaml:4: 'schools.9262001.2025.attendance':", "such as 94.5"),
        ("schools", "default: {attendance: 95}\nschools:\n  \"9262001\":\n    2025: {attendance: 101}\n",
         "t/schools.yaml:4: 'schools.9262001.2025.attendance':", "from 0 to 100"),
        ("schools", "default: {attendance: 95}\nschools:\n  \"9262001\":\n    2025: {attendance: 95}\n  \"9262001\":\n    2024: {attendance: 95}\n",
         "t/schools.yaml:3: 9262001 written twice", "keep one"),
        ("schools", "default: {attendance: 95}\nschools:\n  \"9262001\":\n    2025: {attendance: 95}\n  9262001:\n    2024: {attendance: 95}\n",
         "t/schools.yaml:5: 'schools.9262001': Written twice", "keep one"),
        ("schools", "default: {attendance: 95}\nschools:\n  \"926001\":\n    2025: {attendance: 95}\n",
         "t/schools.yaml:3: 'schools.926001':", "not the 6-digit URN"),
        ("schools", "default: {attendance: 95}\nschools:\n  \"9262001\":\n    25/26: {attendance: 95}\n",
         "t/schools.yaml:4: 'schools.9262001.25/26':", "2025 for 2025/26"),
        // A key missing from a mapping: at the line of the key that names the mapping.
        ("schools", "default:\n  persistent_absence: 15\n", "t/schools.yaml:1: 'default.attendance': This key is required (found: persistent_absence)", "attendance:"),
        ("county", "years:\n  2025:\n    attendance: 94\n    persistent_absence: 16\n    phases:\n      infants: {attendance: 95, persistent_absence: 12}\n",
         "t/county.yaml:6: 'years.2025.phases.infants':", "primary"),
        ("county", "years:\n  2025: {attendance: 94, persistent_absence: 6, severe_absence: 7}\n",
         "t/county.yaml:2: 'years.2025.severe_absence':", "cannot be above"),
        ("county", "year:\n  2025: {attendance: 94, persistent_absence: 16}\n", "t/county.yaml:1: 'years': This key is required", "years:"),
        ("county", "years:\n  2025: {attendance: [94], persistent_absence: 16\n", "t/county.yaml:", "YAML syntax error"),
    ])
    func errors(file: String, text: String, start: String, advice: String) throws {
        let message = try #require(file == "schools" ? Self.failure(schools: text) : Self.failure(county: text))
        #expect(message.hasPrefix(start), "\(message)")
        #expect(message.contains(advice), "\(message)")
    }

    @Test("A missing folder says which file it cannot read")
    func missing() {
        #expect(throws: ReportError.self) { try ReportTargets.load(folder: "/nonexistent/targets") }
        do {
            _ = try ReportTargets.load(folder: "/nonexistent/targets")
        } catch {
            #expect(error.message.hasPrefix("/nonexistent/targets/county.yaml: cannot read the file"))
        }
    }

    @Test("The repository's config/targets load, with 2023-2025 for the county and the demo county's schools")
    func repository() throws {
        let targets = try ReportTargets.load(folder: Self.repository.appendingPathComponent("config/targets").path)
        for year in 2023...2025 {
            let county = try #require(targets.county(year: year))
            #expect(Set(county.phases.keys) == [.primary, .secondary, .special])
            // The demo county (synth --schools 24): 20 primaries, 3 secondaries, a special school; 9262020 on the default.
            let demo = (1...19).map { "92620\(String(format: "%02d", $0))" } + ["9264001", "9264002", "9264003", "9267001"]
            for laestab in demo {
                let school = targets.school(laestab, year: year)
                #expect(!school.isDefault, "\(laestab) \(year)")
                #expect(school.persistentAbsence != nil)
            }
            #expect(targets.school("9262020", year: year).isDefault)
        }
        // Targets rise year on year.
        #expect(targets.county(year: 2025)!.attendance > targets.county(year: 2023)!.attendance)
    }

    @Test("Progress prints as the figures print, and says met, short or over")
    func progress() {
        #expect(TargetProgress(actual: 93.1, target: 94.0, higherIsBetter: true).text == "93.1% against a target of 94.0%: 0.9 points short")
        #expect(TargetProgress(actual: 93.1, target: 94.0, higherIsBetter: true).met == false)
        #expect(TargetProgress(actual: 93.1, target: 94.0, higherIsBetter: true).difference == -0.9)
        #expect(TargetProgress(actual: 95.14, target: 94.0, higherIsBetter: true).text == "95.1% against a target of 94.0%: met, 1.1 points above")
        #expect(TargetProgress(actual: 93.95, target: 94.0, higherIsBetter: true).text == "94.0% against a target of 94.0%: met")
        #expect(TargetProgress(actual: 93.95, target: 94.0, higherIsBetter: true).met == true)
        #expect(TargetProgress(actual: 18.2, target: 15.0, higherIsBetter: false).text == "18.2% against a target of 15.0%: 3.2 points over")
        #expect(TargetProgress(actual: 12.0, target: 15.0, higherIsBetter: false).text == "12.0% against a target of 15.0%: met, 3.0 points below")
        #expect(TargetProgress(actual: 12.0, target: 15.0, higherIsBetter: false).met == true)
        let none = TargetProgress(actual: nil, target: 15.0, higherIsBetter: false)
        #expect(none.met == nil && none.difference == nil)
        #expect(none.text == "No figure to set against the target of 15.0%")
    }
}
