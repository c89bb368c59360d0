import AttendanceDomain
import Foundation
import LiaisonAdapterKit
import LiaisonMessages

/// The Advisory Service's adapter: each feed it receives (a term's, or the year's with term `full_year`) becomes two
/// files in its outbox, `YEAR-TERM.json` (the feed as sent) and `YEAR-TERM.csv` (one row per school with its name,
/// the county's and the national comparison and its flags; columns in adapters/advisory-service/README.md).
/// Acknowledged only once both are on disk.
public struct AdvisoryServiceAdapter: Sendable {
    public static let agency = "advisory-service"
    public static let consumes = [TermlyFeed.type]

    public let folder: DropFolder
    /// Where the feed's files are written (with `fsync`), off Swift's cooperative pool (``BlockingWork`` says why).
    let deliveryWork = BlockingWork(label: "liaison.advisory-service.deliveries")

    public init(folder: DropFolder) {
        self.folder = folder
    }

    /// The terms a feed may be for (its file names are `YEAR-TERM`).
    static let terms = ["autumn", "spring", "summer", "full_year"]

    /// The CSV's columns, in order. Columns added later go at the end (`name` and `flags` with the year's feed), so
    /// that a spreadsheet reading the earlier ones by position still finds them.
    public static let columns = [
        "academic_year", "term", "laestab", "phase", "pupils", "sessions_possible", "attendance_rate",
        "authorised_absence_rate", "unauthorised_absence_rate", "overall_absence_rate", "persistent_absence_count",
        "persistent_absence_rate", "severe_absence_count", "severe_absence_rate", "county_phase_attendance_rate",
        "county_phase_persistent_absence_rate", "national_phase_attendance_rate", "national_phase_persistent_absence_rate",
        "name", "flags",
    ]

    /// How a figure withheld by disclosure control (`null` in the feed) is written in the CSV: the DfE's symbol.
    public static let withheld = "c"

    public func handle(_ delivery: Delivery) async -> DeliveryOutcome {
        guard delivery.envelope.type.rawValue == TermlyFeed.type else {
            return .reject("The Advisory Service adapter takes only \(TermlyFeed.type), not \(delivery.envelope.type).")
        }
        // Integers are held to their schema's ranges before any is read: a hub without schemas passes 1e300 on.
        if let problem = IntegerFields.problem(inBody: delivery.body, type: TermlyFeed.type) {
            return .reject("The termly feed cannot be used: \(problem)")
        }
        let feed: TermlyFeed
        do { feed = try MessageCoding.decode(TermlyFeed.self, from: delivery.body) } catch {
            return .reject("The termly feed could not be read: \(error)")
        }
        // The files are named by the year (checked above) and the term, which must be one of the three names:
        // nothing else the sender wrote goes into a file name.
        guard Self.terms.contains(feed.period.term) else {
            return .reject("The termly feed's term is not one of \(Self.terms.joined(separator: ", ")).")
        }
        do {
            let name = "\(feed.period.academicYear)-\(feed.period.term)"
            let json = Data(try MessageCoding.encode(feed, pretty: true)), csv = Data(Self.csv(feed).utf8)
            let folder = self.folder
            try await deliveryWork.run { () throws -> Void in
                try folder.writeOutbox(json, name: "\(name).json")
                try folder.writeOutbox(csv, name: "\(name).csv")
            }
            return .done
        } catch {
            return .retry("The outbox could not be written: \(error)")
        }
    }

    /// The feed as CSV: a header, then one row per school in LAESTAB order.
    ///
    /// Every cell goes through `CSVRecordReader.escape`: the LAESTAB, name and phase are the sender's text, and one such
    /// as `=HYPERLINK(...)` must reach the Advisory Service's spreadsheet as text (`'=HYPERLINK(...)`), never as a
    /// formula. Figures are plain numbers, which escaping leaves as they are; a withheld one is `c`; the flags are
    /// joined with `;`.
    public static func csv(_ feed: TermlyFeed) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? withheld }
        func count(_ value: Int?) -> String { value.map(String.init) ?? withheld }
        /// `overall_absence_rate` is optional: empty when a sender left it out of figures it did not withhold.
        func overall(_ figures: TermlyFeed.Aggregate) -> String {
            figures.overallAbsenceRate == nil && figures.attendanceRate != nil ? "" : number(figures.overallAbsenceRate)
        }
        /// A comparison the feed may not have (no county figures for the phase): empty; withheld: `c`.
        func comparison(_ figures: TermlyFeed.Aggregate?, _ rate: KeyPath<TermlyFeed.Aggregate, Double?>) -> String {
            guard let figures else { return "" }
            return number(figures[keyPath: rate])
        }
        func line(_ cells: [String]) -> String { cells.map(CSVRecordReader.escape).joined(separator: ",") }
        var lines = [line(columns)]
        for school in feed.schools.sorted(by: { $0.laestab < $1.laestab }) {
            let figures = school.figures
            let county = feed.county.byPhase?[school.phase]
            let national = feed.national.byPhase?[school.phase] ?? feed.national.overall
            let row: [String] = [
                "\(feed.period.academicYear)", feed.period.term, school.laestab, school.phase, count(figures.pupils),
                count(figures.sessionsPossible), number(figures.attendanceRate), number(figures.authorisedAbsenceRate),
                number(figures.unauthorisedAbsenceRate), overall(figures), count(figures.persistentAbsenceCount),
                number(figures.persistentAbsenceRate), count(figures.severeAbsenceCount), number(figures.severeAbsenceRate),
                comparison(county, \.attendanceRate), comparison(county, \.persistentAbsenceRate), number(national.attendanceRate),
                number(national.persistentAbsenceRate), school.name ?? "", (school.flags ?? []).map(\.rawValue).joined(separator: ";"),
            ]
            lines.append(line(row))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The Advisory Service as the adapter kit runs it (`liaison adapter advisory-service`).
extension AdvisoryServiceAdapter: Adapter {
    public var agency: String { Self.agency }
    public var consumes: [String] { Self.consumes }

    public func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome {
        await handle(delivery)
    }
}
