import Foundation

/// The phase of a school, as the termly feed's `phase` enum spells it.
public enum SchoolPhase: String, Sendable, CaseIterable, Codable {
    case nursery, primary
    case middleDeemedPrimary = "middle_deemed_primary"
    case middleDeemedSecondary = "middle_deemed_secondary"
    case secondary
    case allThrough = "all_through"
    case special
    case alternativeProvision = "alternative_provision"
}

/// A known school: LAESTAB, URN, name, phase and (optionally) the county's district it is in.
public struct SchoolEntry: Hashable, Sendable, Codable {
    public let laestab: LAESTAB
    /// The 6-digit unique reference number.
    public let urn: String
    public let name: String
    public let phase: SchoolPhase
    /// The district (the county's own areas, for the reports to elected members); nil when not given.
    public let district: String?

    public init(laestab: LAESTAB, urn: String, name: String, phase: SchoolPhase, district: String? = nil) {
        self.laestab = laestab
        self.urn = urn
        self.name = name
        self.phase = phase
        self.district = district
    }
}

/// The schools an attendance service knows, by LAESTAB; read from `schools.csv` (`laestab,urn,name,phase`, and
/// optionally a fifth column `district`).
///
/// ```swift
/// let directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: "synth/schools.csv"))
/// directory[try LAESTAB("9262001")]?.name
/// ```
public struct SchoolDirectory: Sendable {
    /// The schools in file order.
    public let schools: [SchoolEntry]
    private let byLAESTAB: [LAESTAB: Int]

    /// The CSV header `schools.csv` must have (``headerWithDistrict`` when it gives districts).
    public static let header = ["laestab", "urn", "name", "phase"]
    public static let headerWithDistrict = header + ["district"]

    public init(_ schools: [SchoolEntry]) {
        self.schools = schools
        byLAESTAB = Dictionary(schools.enumerated().map { ($0.element.laestab, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads `schools.csv`.
    /// - Throws: ``AttendanceDomainError/Code/fileUnreadable``, or ``AttendanceDomainError/Code/schoolDirectoryInvalid``
    ///   naming the line and column at fault.
    public init(contentsOf url: URL) throws(AttendanceDomainError) {
        var reader = try CSVRecordReader(path: url.path)
        func invalid(_ message: String, _ line: Int?) -> AttendanceDomainError {
            AttendanceDomainError(.schoolDirectoryInvalid, message, file: url.path, line: line)
        }
        var schools: [SchoolEntry] = []
        var seen = Set<LAESTAB>()
        do {
            guard let header = try reader.next(), header.fields == SchoolDirectory.header || header.fields == SchoolDirectory.headerWithDistrict else {
                throw invalid("the header must be \(SchoolDirectory.header.joined(separator: ",")) (and optionally ,district)", 1)
            }
            let columns = header.fields.count
            while let record = try reader.next() {
                let fields = record.fields
                guard fields.count == columns else { throw invalid("expected \(columns) fields, found \(fields.count)", record.line) }
                let laestab: LAESTAB
                do { laestab = try LAESTAB(fields[0]) } catch { throw invalid("column laestab: \(error)", record.line) }
                guard fields[1].utf8.count == 6, fields[1].utf8.allSatisfy({ (48...57).contains($0) }) else {
                    throw invalid("column urn: \"\(fields[1])\" is not a 6-digit URN", record.line)
                }
                guard let phase = SchoolPhase(rawValue: fields[3]) else {
                    throw invalid(
                        "column phase: \"\(fields[3])\" is not one of \(SchoolPhase.allCases.map(\.rawValue).joined(separator: ", "))",
                        record.line)
                }
                guard seen.insert(laestab).inserted else { throw invalid("LAESTAB \(laestab) is listed twice", record.line) }
                let district = columns == 5 && !fields[4].isEmpty ? fields[4] : nil
                schools.append(SchoolEntry(laestab: laestab, urn: fields[1], name: fields[2], phase: phase, district: district))
            }
        } catch let error as AttendanceDomainError {
            throw error
        } catch let malformed as CSVRecordReader.Malformed {
            throw invalid("not valid CSV: \(malformed.reason)", malformed.line)
        } catch {
            throw invalid("\(error)", nil)
        }
        self.init(schools)
    }

    /// The school with this LAESTAB, if known.
    public subscript(laestab: LAESTAB) -> SchoolEntry? { byLAESTAB[laestab].map { schools[$0] } }

    /// The directory as `schools.csv` text (with the district column when any school has one).
    public var csv: String {
        let districts = schools.contains { $0.district != nil }
        var text = (districts ? SchoolDirectory.headerWithDistrict : SchoolDirectory.header).joined(separator: ",") + "\n"
        for school in schools {
            let fields = [school.laestab.value, school.urn, school.name, school.phase.rawValue] + (districts ? [school.district ?? ""] : [])
            text += fields.map(CSVRecordReader.escape).joined(separator: ",") + "\n"
        }
        return text
    }
}
