import ArgumentParser
import AttendanceDomain
import Foundation
import LiaisonAdapterKit
import LiaisonMessages
import MonitoringReports
import NPASDesk
import Printing

extension ReportCommand {
    /// `liaison report register-audit`: the data-quality findings from one school's own registers, written as a report
    /// for the school and, with `--send`, sent to it as `register-audit.findings` under the schools' agreement.
    struct RegisterAudit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register-audit",
            abstract: "A school's register audit: unresolved N, unmarked sessions, codes unusual against the county, Monday/Friday absence, late codes.",
            discussion: """
                Reads the school's returns for the half terms asked from the desk's store, and the county's for the same half \
                terms, and writes register-audit-LAESTAB-YEAR.html, .pdf and a CSV of each table. The programme (each school's \
                last audit, the next due every three years) and the thresholds are in config/register-audits.yaml. Pupils are \
                named by UPN only: the findings are for the school. With --send, the findings go to the school (agency \
                schools-mis) as register-audit.findings, as the attendance service. See docs/reports.md ("Register audits").
                """)

        @OptionGroup var report: ReportOptions
        @Option(help: ArgumentHelp("The school's LAESTAB (7 digits).", valueName: "laestab")) var school: String
        @Option(help: "The academic year's start year (2025 is 2025/26).") var year: Int
        @Option(help: ArgumentHelp("The half terms, FIRST-LAST or one (default 1-6: what the desk holds of them).", valueName: "range"))
        var halfTerms: String = "1-6"
        @Option(help: ArgumentHelp("The programme and thresholds.", valueName: "file")) var programme: String = "config/register-audits.yaml"
        @Flag(help: "Also send the findings to the school through the hub (as npas).") var send = false
        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @OptionGroup var log: LogOptions

        /// `1-6` or `3` as a range within 1-6.
        static func halfTermRange(_ text: String) throws -> ClosedRange<Int> {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(parts.count), let first = parts.first!, let last = parts.last!, (1...6).contains(first), (first...6).contains(last) else {
                throw ValidationError("--half-terms is FIRST-LAST or one half term, each 1-6 (1-3, 4): '\(text)' is not.")
            }
            return first...last
        }

        func run() async throws {
            guard let laestab = try? LAESTAB(school) else { throw ValidationError("--school is a LAESTAB, 7 digits (9262001): '\(school)' is not.") }
            guard (2006...2099).contains(year) else { throw ValidationError("--year is the academic year's start year (2025 for 2025/26).") }
            let terms = try Self.halfTermRange(halfTerms)
            let day = try report.day()
            let programme: RegisterAuditProgramme
            do { programme = try RegisterAuditProgramme.load(path: self.programme) } catch { throw UserFacingError("report register-audit: \(error)") }
            let code = laestab.value, year = self.year
            // SQLite blocks: off the cooperative pool.
            let input: RegisterAuditInput
            do {
                let store = try report.store()
                input = try await ReportOptions.offPool { try RegisterAuditData.read(store: store, laestab: code, academicYear: year, halfTerms: terms) }
            } catch {
                throw UserFacingError("report register-audit: \(error)")
            }
            let audit = RegisterAuditReport(
                findings: RegisterAuditFindings(input, settings: programme.settings), schedule: programme.schedule(for: code, on: day), madeOn: day)

            let printing: PDFPrinting? = report.noPDF ? nil : ChromiumPDF.printing(option: report.chromium, workFolder: NSTemporaryDirectory())
            if case .unavailable(let reason) = printing { print("No PDF: \(reason).") }
            let written: [String]
            do { written = try await ReportWriter(folder: report.out, printing: printing).write(audit.document) } catch {
                throw UserFacingError("report register-audit: \(error)")
            }
            for path in written { print(path) }
            let kinds = audit.findings.flaggedKinds
            let span = terms.count == 1 ? "half term \(terms.lowerBound)" : "half terms \(terms.lowerBound)-\(terms.upperBound)"
            print("Register audit of \(code), \(year)/\(String(format: "%02d", (year + 1) % 100)) \(span): "
                + (kinds.isEmpty ? "no finding" : "findings: \(kinds.joined(separator: ", "))")
                + (audit.schedule.overdue ? "; the audit is overdue (due \(audit.schedule.nextDue))" : "") + ".")

            guard send else { return }
            let body = try MessageCoding.encode(audit.message)
            // From fixed words, the LAESTAB, the period and the dates only: never from a pupil's data.
            let id = "register-audit-\(code)-\(year)-ht\(terms.lowerBound)-\(terms.upperBound)-to-\((input.returns.map(\.asOf).max() ?? day))-on-\(day)"
            let receipt = try await CaseCommand.send(options, adapter, log: log, type: RegisterAuditMessage.type, to: "schools-mis", body: body, id: id)
            print("Sent the findings to school \(code): \(receipt).")
        }
    }
}
