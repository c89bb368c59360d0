import AttendanceDomain

/// One fast-track case's dated milestones, and which have passed.
///
/// ```swift
/// let timetable = try fastTrack.timetable(start: start, calendar: .synthetic)
/// for milestone in timetable.overdue(on: today, completed: ["review-1"]) {
///     print("\(milestone.title) was due on \(milestone.due)")
/// }
/// ```
public struct FastTrackTimetable: Hashable, Sendable {
    /// A milestone with its due date.
    public struct DatedMilestone: Hashable, Sendable {
        public let id: String
        public let title: String
        public let schoolWeek: Int
        /// The last school day of its school week: due by the end of that day.
        public let due: SchoolDate
    }

    /// The day the case joined the route.
    public let start: SchoolDate
    /// The milestones, in order.
    public let milestones: [DatedMilestone]
    /// The last school day of the route's last school week.
    public let endsOn: SchoolDate

    /// The milestones due before `date` and not in `completed` (their ids), in order: what the desk warns about.
    /// A milestone due today is not yet overdue.
    ///
    /// ```swift
    /// timetable.overdue(on: SchoolDate(parsing: "2025-10-06")!).map(\.id)   // ["review-1"]
    /// ```
    public func overdue(on date: SchoolDate, completed: Set<String> = []) -> [DatedMilestone] {
        milestones.filter { $0.due < date && !completed.contains($0.id) }
    }

    /// The first milestone not in `completed` that is due on or after `date`, if any.
    public func next(on date: SchoolDate, completed: Set<String> = []) -> DatedMilestone? {
        milestones.first { $0.due >= date && !completed.contains($0.id) }
    }
}
