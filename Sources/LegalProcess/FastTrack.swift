import AttendanceDomain

/// The fast-track route's timetable rule, from `config/legal/fast-track.yaml`: a case of so many school weeks
/// (12 by default) with review meetings and a decision on prosecution at set school weeks.
///
/// Weeks are school weeks (see ``SchoolDays``): week 1 is the first week holding a school day on or after the
/// case's start, holidays add nothing, and each milestone is due on the last school day of its week.
///
/// ```swift
/// let fastTrack = try FastTrack.load(path: "config/legal/fast-track.yaml")
/// let timetable = try fastTrack.timetable(start: SchoolDate(parsing: "2025-09-08")!, calendar: .synthetic)
/// timetable.milestones.map(\.due)   // [2025-10-03, 2025-11-07, 2025-12-05]: half term adds no week
/// timetable.overdue(on: SchoolDate(parsing: "2025-10-06")!)   // [review-1], until it is marked completed
/// ```
public struct FastTrack: Hashable, Sendable {
    /// A point of the route: a review meeting or the decision.
    public struct Milestone: Hashable, Sendable {
        /// A stable identifier (`review-1`, `decision`), for recording that it happened.
        public let id: String
        /// What happens, for the desk's warnings and letters.
        public let title: String
        /// The school week (1-based) by whose last school day it is due.
        public let schoolWeek: Int

        public init(id: String, title: String, schoolWeek: Int) {
            self.id = id
            self.title = title
            self.schoolWeek = schoolWeek
        }
    }

    /// The route's length in school weeks.
    public let lengthSchoolWeeks: Int
    /// The milestones, in order of their weeks.
    public let milestones: [Milestone]

    public init(lengthSchoolWeeks: Int, milestones: [Milestone]) {
        self.lengthSchoolWeeks = lengthSchoolWeeks
        self.milestones = milestones
    }

    /// Reads and checks the fast-track file.
    ///
    /// ```swift
    /// let fastTrack = try FastTrack.load(path: "config/legal/fast-track.yaml")
    /// ```
    /// - Throws: ``LegalProcessError`` naming the file, line and key (e.g. a milestone after the route's end).
    public static func load(path: String) throws(LegalProcessError) -> FastTrack { try read(LegalConfigNode.load(path: path)) }

    /// Parses and checks fast-track text; `file` names it in errors.
    /// - Throws: ``LegalProcessError`` as ``load(path:)``.
    public static func parse(_ text: String, file: String) throws(LegalProcessError) -> FastTrack {
        try read(LegalConfigNode.parse(text, file: file))
    }

    static func read(_ root: LegalConfigNode) throws(LegalProcessError) -> FastTrack {
        let top = try root.mapping()
        let length = try top.required("length_school_weeks").int(in: 1...78)
        var milestones: [Milestone] = []
        for item in try top.required("milestones").sequence() {
            let reader = try item.mapping()
            let idNode = try reader.required("id")
            let id = try idNode.string()
            let title = try reader.required("title").string()
            let weekNode = try reader.required("school_week")
            let week = try weekNode.int(in: 1...length)
            try reader.finish()
            guard !id.isEmpty, !milestones.contains(where: { $0.id == id }) else {
                throw idNode.error(.invalidValue, "Each milestone needs an id of its own.")
            }
            if let last = milestones.last, week < last.schoolWeek {
                throw weekNode.error(.invalidValue, "Milestones are listed in order of their weeks (the one before is week \(last.schoolWeek)).")
            }
            milestones.append(Milestone(id: id, title: title, schoolWeek: week))
        }
        try top.finish()
        return FastTrack(lengthSchoolWeeks: length, milestones: milestones)
    }

    /// The dated timetable of a case that joins the route on `start`.
    ///
    /// ```swift
    /// let timetable = try fastTrack.timetable(start: SchoolDate(parsing: "2025-09-08")!, calendar: .synthetic)
    /// timetable.endsOn   // 2025-12-05
    /// ```
    /// - Throws: ``LegalProcessError/Code/calendarTooShort`` if `calendar` runs out of school weeks first.
    public func timetable(start: SchoolDate, calendar: SchoolDays) throws(LegalProcessError) -> FastTrackTimetable {
        var weekEnds: [SchoolDate] = []
        var monday = start.mondayOfWeek
        for _ in 0..<SchoolDays.searchLimitWeeks where weekEnds.count < lengthSchoolWeeks {
            if let last = calendar.schoolDays(inWeekOf: monday).last(where: { $0 >= start }) { weekEnds.append(last) }
            monday = monday.adding(days: 7)
        }
        guard weekEnds.count == lengthSchoolWeeks else {
            throw LegalProcessError(
                .calendarTooShort,
                "The school calendar has only \(weekEnds.count) school weeks after \(start); the fast-track route needs "
                    + "\(lengthSchoolWeeks): give the calendar of the following school year too.")
        }
        return FastTrackTimetable(
            start: start,
            milestones: milestones.map { .init(id: $0.id, title: $0.title, schoolWeek: $0.schoolWeek, due: weekEnds[$0.schoolWeek - 1]) },
            endsOn: weekEnds[lengthSchoolWeeks - 1])
    }
}
