import ArgumentParser
import AttendanceDomain
import Foundation
import LiaisonAdapterKit
import LiaisonMessages
import LiaisonProtocol
import LiaisonStore
import MonitoringReports
import NPASDesk
import Printing

extension ReportCommand {
    /// `liaison report awards`: per school, the pupils with full attendance and the most improved over a year, by the
    /// rules in `config/awards.yaml`; each school's list and certificates, the county's counts, and with `--send` each
    /// school's own `awards.list` through the hub.
    struct Awards: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "awards",
            abstract: "The year's attendance awards: per school, full attendance and most improved, with certificates.",
            discussion: """
                Reads the year's returns (and the year before's) from the desk's store, applies the rules in \
                config/awards.yaml, and writes per school awards-LAESTAB-YEAR.html, .pdf and CSVs (the school's own pupils, \
                named from its roll, then a certificate per pupil on a page of its own) and awards-county-YEAR (counts per \
                school only). With --send, each school with at least one award is sent its own list as awards.list \
                (agency schools-mis, which prints the list and certificates into the school's outbox), as the attendance \
                service. See docs/reports.md ("Awards").
                """)

        @OptionGroup var report: ReportOptions
        @Option(help: "The academic year's start year (2025 is 2025/26).") var year: Int
        @Option(help: ArgumentHelp("One school only (its LAESTAB, 7 digits); no county summary is written.", valueName: "laestab"))
        var school: String?
        @Option(help: ArgumentHelp("The awards' rules.", valueName: "file")) var rules: String = "config/awards.yaml"
        @Option(help: ArgumentHelp("The county's schools (schools.csv), for the schools' names.", valueName: "file")) var schools: String?
        @Flag(help: "Also send each school its own awards.list through the hub (as npas).") var send = false
        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @OptionGroup var log: LogOptions

        func run() async throws {
            guard (2006...2099).contains(year) else { throw ValidationError("--year is the academic year's start year (2025 for 2025/26).") }
            let only: String?
            if let school {
                guard let laestab = try? LAESTAB(school) else { throw ValidationError("--school is a LAESTAB, 7 digits (9262001): '\(school)' is not.") }
                only = laestab.value
            } else {
                only = nil
            }
            let day = try report.day()
            let rules: AwardsRules
            do { rules = try AwardsRules.load(path: self.rules) } catch { throw UserFacingError("report awards: \(error)") }
            var directory: SchoolDirectory?
            if let schools {
                do { directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: schools)) } catch { throw UserFacingError("report awards: \(error)") }
            }

            // SQLite blocks: off the cooperative pool.
            let report = self.report, year = self.year
            let read: (data: AwardsData, selected: [AwardsSelection.School], roll: [String: PupilRoll.Pupil])
            do {
                read = try await ReportOptions.offPool {
                    let store = try report.store()
                    let data = try AwardsData.read(from: store, academicYear: year)
                    let selected = AwardsSelection.select(thisYear: data.thisYear, lastYear: data.lastYear, rules: rules)
                        .filter { only == nil || $0.laestab == only }
                    let awarded = selected.flatMap { $0.fullAttendance.map(\.upn) + $0.mostImproved.map(\.upn) }
                    return (data, selected, try store.rollEntries(Array(Set(awarded))))
                }
            } catch {
                throw UserFacingError("report awards: \(error)")
            }
            let years = "\(year)/\(String(format: "%02d", (year + 1) % 100))"
            guard let halfTerms = read.data.halfTerms else {
                throw UserFacingError("report awards: \(ReportError(.noData, "The desk holds no returns for \(years): check --year and --folder."))")
            }
            if let only, read.selected.isEmpty {
                throw UserFacingError("report awards: \(ReportError(.unknown, "The desk holds no return from school \(only) for \(years): check --school."))")
            }

            let awards = AwardsReport(academicYear: year, halfTerms: halfTerms, rules: rules, madeOn: day.description, directory: directory)
            let lists = read.selected.map { awards.list(for: $0, yearGroups: read.data.yearGroups, roll: read.roll) }
            let printing: PDFPrinting? = report.noPDF ? nil : ChromiumPDF.printing(option: report.chromium, workFolder: NSTemporaryDirectory())
            if case .unavailable(let reason) = printing { print("No PDF: \(reason).") }
            let writer = ReportWriter(folder: report.out, printing: printing)
            do {
                for list in lists {
                    for path in try await writer.write(awards.schoolDocument(list)) { print(path) }
                }
                if only == nil {
                    for path in try await writer.write(awards.countyDocument(read.selected)) { print(path) }
                }
            } catch {
                throw UserFacingError("report awards: \(error)")
            }
            let full = lists.reduce(0) { $0 + $1.fullAttendance.count }, improved = lists.reduce(0) { $0 + $1.mostImproved.count }
            print("Awards \(years) (half terms \(halfTerms.lowerBound)-\(halfTerms.upperBound)): \(lists.count) schools, \(full) full attendance, \(improved) most improved.")

            guard send else { return }
            // Opaque ids: the keyed digest (the desk's id key) of the school, the year and the body, so the same list
            // sent again is a duplicate at the hub and an id says nothing of the pupils in it.
            let ids: MessageIDKey
            do { ids = try MessageIDKey(folder: try report.deskFolder()) } catch { throw UserFacingError("report awards: \(error)") }
            // One connection for every school's list (and the logging system is set up once per process).
            var messages: [(type: String, to: String, body: [UInt8], id: String)] = []
            var schools: [String] = []
            for list in lists where !(list.fullAttendance.isEmpty && list.mostImproved.isEmpty) {
                let body = try MessageCoding.encode(list)
                messages.append((AwardsList.type, "schools-mis", body, ids.id("awards-list-", list.school.laestab, "\(year)", Digest.sha256Hex(body))))
                schools.append(list.school.laestab)
            }
            let receipts: [Receipt]
            do {
                receipts = try await DeskCommand.sendAll(options, adapter, logger: log.bootstrap(label: "liaison.report"), messages)
            } catch {
                throw UserFacingError("report awards: the lists were not all sent: \(error)")
            }
            for (school, receipt) in zip(schools, receipts) {
                print("Sent school \(school) its awards: hub sequence \(receipt.sequence)\(receipt.duplicate ? " (the hub already had this exact list)" : "").")
            }
            print("Sent \(receipts.count) awards lists; \(lists.count - receipts.count) schools had no award to send.")
        }
    }
}
