/// Every legal configuration file of a folder (normally `config/legal/`), loaded and checked together.
///
/// ```swift
/// let rules = try LegalRules.load(directory: "config/legal")
/// let checks = ProsecutionChecks(framework: rules.penaltyNotices)
/// let timetable = try rules.fastTrack.timetable(start: start, calendar: .synthetic)
/// ```
public struct LegalRules: Hashable, Sendable {
    /// `penalty-notices.yaml`.
    public let penaltyNotices: PenaltyNoticeFramework
    /// `fast-track.yaml`.
    public let fastTrack: FastTrack
    /// `school-attendance-orders.yaml`.
    public let schoolAttendanceOrders: SchoolAttendanceOrder

    public init(penaltyNotices: PenaltyNoticeFramework, fastTrack: FastTrack, schoolAttendanceOrders: SchoolAttendanceOrder) {
        self.penaltyNotices = penaltyNotices
        self.fastTrack = fastTrack
        self.schoolAttendanceOrders = schoolAttendanceOrders
    }

    /// The file names this reads from a folder.
    public static let fileNames = ["penalty-notices.yaml", "fast-track.yaml", "school-attendance-orders.yaml"]

    /// Loads `penalty-notices.yaml`, `fast-track.yaml` and `school-attendance-orders.yaml` from `directory`.
    /// - Throws: the first ``LegalProcessError`` found, naming its file, line and key.
    public static func load(directory: String) throws(LegalProcessError) -> LegalRules {
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return LegalRules(
            penaltyNotices: try PenaltyNoticeFramework.load(path: "\(folder)/penalty-notices.yaml"),
            fastTrack: try FastTrack.load(path: "\(folder)/fast-track.yaml"),
            schoolAttendanceOrders: try SchoolAttendanceOrder.load(path: "\(folder)/school-attendance-orders.yaml"))
    }
}
