import AttendanceDomain
import Mustache
import NPASDesk

/// What `LiaisonBench console` times: the county's, a school's and a pupil's attendance page as their routes make them
/// (the page's figures from ``AttendanceFigures`` or read from the desk, then the template rendered into the layout),
/// without the HTTP server, the session or the view log. Not used by the console itself.
package struct AttendancePageTiming: Sendable {
    private let library: MustacheLibrary
    private let figures: AttendanceFigures
    private let store: DeskStore

    /// A mustache library holding the layout and the attendance pages' templates, as ``ConsolePages`` registers them,
    /// and the pages' figures for `store` with none read yet (as when the console starts).
    package init(store: DeskStore, directory: SchoolDirectory?) throws {
        var library = MustacheLibrary()
        for (name, template) in LayoutTemplates.templates + AttendanceTemplates.templates {
            try library.register(template, named: name)
        }
        self.library = library
        self.store = store
        self.figures = try AttendanceFigures(desk: store, directory: directory)
    }

    /// What ``AttendanceWarmUp`` does when the console starts: reads the county's figures, returning once they are held.
    package func warmUp() async throws {
        try await figures.refresh()
    }

    /// The county page's HTML for the latest year held, as `GET /attendance` renders it; nil when the desk holds no returns.
    package func countyPage() async throws -> String? {
        let held = try await figures.county(academicYear: nil)
        guard let county = held.figures else { return nil }
        return render(AttendanceTemplates.county, title: "Attendance in the county", data: AttendanceTemplateData.county(county))
    }

    /// A school's page's HTML for its latest year, as `GET /schools/LAESTAB` renders it; nil when the desk holds no return from it.
    package func schoolPage(laestab: String) async throws -> String? {
        guard let school = try await figures.school(laestab: laestab, academicYear: nil).figures else { return nil }
        return render(AttendanceTemplates.school, title: "Attendance at \(school.name)", data: AttendanceTemplateData.school(school))
    }

    /// A pupil's page's HTML, as `GET /pupils/UPN` renders it for a manager (no hub store: no shares); nil when the desk
    /// holds nothing about the UPN.
    package func pupilPage(upn: String) throws -> String? {
        guard let pupil = try PupilAttendance.read(store: store, upn: upn, academicYear: nil) else { return nil }
        return render(
            AttendanceTemplates.pupil, title: pupil.name.map { "\($0)'s attendance" } ?? "A pupil's attendance",
            data: AttendanceTemplateData.pupil(pupil, shares: nil))
    }

    /// The template, then the layout around it, with the data ``ConsolePages/render(_:title:data:context:status:)`` adds.
    private func render(_ template: String, title: String, data: [String: Any]) -> String? {
        var data = data
        data["csrf"] = "benchmark"
        data["user"] = ["name": "manager", "role": ConsoleRole.manager.rawValue, "roleTitle": ConsoleRole.manager.title] as [String: Any]
        data["title"] = title
        data["serviceName"] = ConsolePages.serviceName
        guard let content = library.render(data, withTemplate: template) else { return nil }
        data["content"] = content
        return library.render(data, withTemplate: LayoutTemplates.layout)
    }
}
