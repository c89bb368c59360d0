import AttendanceDomain
import Hummingbird
import NIOPosix
import NPASDesk

/// The attendance pages: the county now and over time (`/attendance`), a school (`/schools/LAESTAB`) and a pupil
/// (`/pupils/UPN`), each `?year=YYYY` for an earlier academic year (the latest held by default).
///
/// Who sees what: the county and a school's page are for managers only (a school's page lists its pupils nearing
/// and over the persistent absence line, most of them on no worker's caseload); a pupil's page is for managers and
/// for the Education Social Worker with an open case of the pupil on their caseload, and every view of it is
/// recorded in the view log (``ConsoleUsers/recordView(user:upn:page:)``) before it is shown. A pupil's UPN is in
/// the page's address (a page per child needs it); the console logs no request path at info, and the view log holds
/// the page's name, not the address.
///
/// The county's and a school's figures are kept per desk data version by ``AttendanceFigures``: the county's are read
/// when the console starts and again whenever the desk changes (``AttendanceWarmUp``), so a request finds them ready;
/// while newer ones are read, the page shows the figures held with a banner saying when they are from.
///
/// Every read of the desk's and the hub's stores (SQLite, blocking) runs on NIO's thread pool, never on Swift's
/// cooperative pool.
enum AttendancePages {
    /// The pages' mustache templates, by name (rendered with `console.pages.render(name, ...)`).
    static let templates: [(name: String, template: String)] = AttendanceTemplates.templates
    /// The pages' entries in the navigation and on the home page.
    static let links: [ConsoleLink] = [
        ConsoleLink(
            path: "/attendance", label: "Attendance",
            summary: "The county's attendance and absence by half term and week, phase, year group, SEN status and school, with each school's and pupil's.",
            roles: [.manager])
    ]

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        AttendanceCSS.addRoute(to: router)
        // The county's and the schools' pages, kept per desk data version and read anew when the desk changes
        // (AttendanceWarmUp, started with the server); nil when there is no desk.
        let figures = console.attendanceFigures
        router.get("/attendance") { request, context -> Response in
            try context.require(.manager)
            let title = "Attendance in the county"
            guard let figures else { return noDesk(console, title: title, context: context) }
            let year = request.uri.queryParameters.get("year", as: Int.self)
            let held = try await figures.county(academicYear: year)
            guard let county = held.figures else {
                let message = year.map { "The desk holds no returns for \(AttendanceText.year($0))." }
                    ?? "The desk holds no returns yet: the county's figures appear once the schools' returns arrive."
                return console.pages.render(AttendanceTemplates.noDesk, title: title, data: ["message": message], context: context)
            }
            var data = AttendanceTemplateData.county(county)
            if held.updating { data["banner"] = AttendanceFigures.updatingBanner(asOf: held.asOf) }
            return console.pages.render(AttendanceTemplates.county, title: title, data: data, context: context)
        }

        router.get("/schools/:laestab") { request, context -> Response in
            try context.require(.manager)
            let laestab = try context.parameters.require("laestab")
            guard (try? LAESTAB(laestab)) != nil else { throw HTTPError(.notFound, message: "There is no school \(laestab): a LAESTAB is seven digits.") }
            guard let figures else { return noDesk(console, title: "A school's attendance", context: context) }
            let year = request.uri.queryParameters.get("year", as: Int.self)
            let held = try await figures.school(laestab: laestab, academicYear: year)
            guard let school = held.figures else {
                throw HTTPError(.notFound, message: "The desk holds no return from school \(laestab)\(year.map { " for \(AttendanceText.year($0))" } ?? "").")
            }
            var data = AttendanceTemplateData.school(school)
            if held.updating { data["banner"] = AttendanceFigures.updatingBanner(asOf: held.asOf) }
            return console.pages.render(AttendanceTemplates.school, title: "Attendance at \(school.name)", data: data, context: context)
        }

        router.get("/pupils/:upn") { request, context -> Response in
            let user = try context.require(.manager, .esw)
            let upn = try context.parameters.require("upn")
            // The UPN is checked for its form only (13 letters and digits): the desk keeps what the schools sent.
            guard upn.utf8.count == 13, upn.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
                throw HTTPError(.notFound, message: "A UPN is 13 capital letters and digits.")
            }
            guard let desk = console.desk else { return noDesk(console, title: "A pupil's attendance", context: context) }
            if user.role == .esw {
                let allowed = try await offPool { try PupilAttendance.onCaseload(store: desk, upn: upn, esw: user.name) }
                guard allowed else {
                    throw HTTPError(.forbidden, message: "This pupil is not on your caseload: a pupil's page is for managers and the worker with an open case of theirs.")
                }
            }
            let year = request.uri.queryParameters.get("year", as: Int.self)
            guard let pupil = try await offPool({ try PupilAttendance.read(store: desk, upn: upn, academicYear: year) }) else {
                throw HTTPError(.notFound, message: "The desk holds nothing about this UPN: no return, case or roll entry.")
            }
            var shares: Result<SubjectShares, SubjectShares.Unavailable>?
            if let hubStorePath = console.hubStorePath {
                let hubConfig = console.configuration.hubConfig
                shares = try await offPool { Result { () throws(SubjectShares.Unavailable) in try SubjectShares.read(hubStorePath: hubStorePath, hubConfig: hubConfig, upn: upn) } }
            } else if let elsewhere = console.configuration.hubStoreElsewhere {
                shares = .failure(SubjectShares.Unavailable(reason: elsewhere))
            }
            try await console.users.recordView(user: user.name, upn: upn, page: "pupil attendance")
            return console.pages.render(
                AttendanceTemplates.pupil, title: pupil.name.map { "\($0)'s attendance" } ?? "A pupil's attendance",
                data: AttendanceTemplateData.pupil(pupil, shares: shares), context: context)
        }
    }

    /// The page shown when the desk's store is not there yet.
    static func noDesk(_ console: Console, title: String, context: ConsoleContext) -> Response {
        console.pages.render(
            AttendanceTemplates.noDesk, title: title,
            data: ["message": "The desk's store is not there yet (the console reads \(console.configuration.deskStorePath)): the figures appear once the desk has stored the schools' returns and the console is restarted."],
            context: context, status: .serviceUnavailable)
    }
}
