import ArgumentParser
import AttendanceDomain
import Foundation
import LegalProcess
import NPASDesk

// `liaison case` subcommands for the legal routes other than prosecution, and for what follows a disposal. The
// logic is the desk's (`LegalRoutes`, `EducationSupervisionPack`, `DisposalMonitor`), the law `LegalProcess`'s;
// these commands read options, call them, and print.

/// Where the legal rules (`penalty-notices.yaml`, `fast-track.yaml`, `school-attendance-orders.yaml`) are read from.
struct LegalRulesOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The folder of the legal rules (default: legal/ beside the hub configuration, $LIAISON_CONFIG or config/hub.yaml).",
            valueName: "dir"))
    var legal: String?

    /// The folder read: `--legal`, else `legal/` beside the hub configuration.
    var folder: String {
        let config = ProcessInfo.processInfo.environment["LIAISON_CONFIG"] ?? "config/hub.yaml"
        return legal ?? "\((config as NSString).deletingLastPathComponent.isEmpty ? "." : (config as NSString).deletingLastPathComponent)/legal"
    }

    func rules() throws -> LegalRules {
        do { return try LegalRules.load(directory: folder) } catch { throw UserFacingError("The legal rules cannot be read: \(error.message)") }
    }

    /// The rules for a command that reads a case and only adds the routes' warnings (`case show`, `case list`): an
    /// error when `--legal` names a folder that cannot be read, but nil and a note when the default folder is missing,
    /// so the case itself is still shown.
    func rulesForWarnings() throws -> (rules: LegalRules?, note: String?) {
        if legal != nil { return (try rules(), nil) }
        do { return (try LegalRules.load(directory: folder), nil) } catch {
            return (nil, "The legal routes' dates were not checked: the legal rules cannot be read from \(folder) (give --legal DIR).")
        }
    }
}

/// The routes' warnings and readiness of a case on a day, as `case show` prints them and `case list` flags them.
struct CaseWarnings {
    /// `case list`'s flag: "[2 warnings; ready for prosecution]", or "" when there is nothing to say.
    static func flag(_ status: LegalRoutes.CaseStatus) -> String {
        var parts: [String] = []
        if !status.warnings.isEmpty { parts.append("\(status.warnings.count) warning\(status.warnings.count == 1 ? "" : "s")") }
        if status.ready.contains(where: { $0.contains("s.443") }) { parts.append("ready for a s.443 prosecution") }
        if status.ready.contains(where: { !$0.contains("s.443") }) { parts.append("ready for prosecution") }
        return parts.isEmpty ? "" : "  [\(parts.joined(separator: "; "))]"
    }

    /// `case show`'s and `case routes`' lines: each notice and route, then each WARNING and what the case is ready for.
    static func lines(_ status: LegalRoutes.CaseStatus) -> [String] {
        status.lines + status.warnings.map { "WARNING: \($0)" } + status.ready.map { "\($0.prefix(1).uppercased())\($0.dropFirst())" }
    }
}

/// The case, the store and the routes every route command starts from.
struct RouteContext {
    let store: DeskStore
    let deskCase: DeskCase
    let routes: LegalRoutes

    init(_ desk: CaseCommand.Desk, _ legal: LegalRulesOptions, _ reference: String) throws {
        store = try desk.store()
        guard let found = try store.deskCase(reference) else { throw UserFacingError("There is no case \(reference): `liaison case list` shows them.") }
        deskCase = found
        routes = LegalRoutes(rules: try legal.rules(), store: store)
    }

    /// Runs a step, turning the desk's refusals into the command's error message.
    func attempt<T>(_ step: () throws -> T) throws -> T {
        do { return try step() } catch let error as LegalRouteError {
            throw UserFacingError(error.message)
        } catch let error as LegalProcessError {
            throw UserFacingError(error.message)
        } catch let error as DeskError {
            throw UserFacingError(error.description)
        }
    }
}

/// A required or defaulted date option, checked.
func routeDate(_ text: String?, _ option: String) throws -> SchoolDate {
    guard let text else { return SchoolDate(parsing: CaseCommand.today())! }
    guard let date = SchoolDate(parsing: text) else { throw UserFacingError("--\(option) is a date, YYYY-MM-DD: '\(text)' is not.") }
    return date
}

// MARK: Penalty notices

struct CasePenaltyNoticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "penalty-notice",
        abstract: "Penalty notices under the national framework: the threshold, issue (sent to the school for the parent), payment, withdrawal.",
        discussion: """
            Amounts, days and limits come from penalty-notices.yaml (--legal). A notice is refused with the reason for a \
            third to the same parent for the same child within three years, or while an earlier one is undecided. Unpaid \
            after its last day (28 days), it makes the case ready for prosecution (`liaison case routes`).
            """,
        subcommands: [Check.self, Issue.self, Pay.self, Withdraw.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whether a child's unauthorised absence reaches the threshold (10 sessions in 10 school weeks); every open case without CASE.")
        @OptionGroup var desk: CaseCommand.Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument(help: "The case reference (default: every case not closed).") var reference: String?
        @Option(help: "The day to assess (default today).") var on: String?

        func run() throws {
            let store = try desk.store()
            let routes = LegalRoutes(rules: try legal.rules(), store: store)
            let day = try routeDate(on, "on")
            let cases = try reference.map { reference in
                guard let found = try store.deskCase(reference) else { throw UserFacingError("There is no case \(reference).") }
                return [found]
            } ?? store.cases().filter { $0.status != "closed" }
            var met = 0
            for item in cases {
                let (assessment, first) = try routes.threshold(for: item, on: day)
                if assessment.met { met += 1 }
                print("\(item.reference)  \(assessment.met ? "threshold met" : "below threshold"): \(assessment.unauthorisedSessions) unauthorised "
                    + "session(s) in \(assessment.schoolWeeks) school weeks \(assessment.window.lowerBound) to \(assessment.window.upperBound) "
                    + "(threshold \(assessment.requiredSessions))" + (first.map { "; first met on \($0)" } ?? ""))
            }
            if reference == nil { print("\(met) of \(cases.count) case(s) meet the threshold on \(day).") }
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a penalty notice to a parent and send it (penalty.notice) to the child's school, which passes the letter on.")
        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @OptionGroup var desk: CaseCommand.Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument var reference: String
        @Option(help: "The parent: a chosen defendant (D1) or the referral's contact by number (C1).") var parent: String
        @Option(help: "The notice's date, from which the days to pay run (default today).") var date: String?
        @Option(help: "First day of the absence it covers (default: the start of the threshold's 10 school weeks).") var from: String?
        @Option(help: "Last day of the absence it covers (default: the notice's date).") var to: String?
        @Option(help: "The authority issuing it.") var authority: String = "Example County Council"
        @Option(help: "Issue below the threshold, for this reason.") var despiteThreshold: String?
        @OptionGroup var log: LogOptions

        func run() async throws {
            let context = try RouteContext(desk, legal, reference)
            guard let officer = context.deskCase.esw else {
                throw UserFacingError("No Education Social Worker is allocated to \(reference) to issue the notice: `liaison case allocate` first.")
            }
            let day = try routeDate(date, "date")
            var period: ClosedRange<SchoolDate>?
            if from != nil || to != nil {
                let (start, end) = (try routeDate(from, "from"), try to.map { try routeDate($0, "to") } ?? day)
                guard start <= end else { throw UserFacingError("--from (\(start)) is after --to (\(end)).") }
                period = start...end
            }
            let prepared = try context.attempt {
                try context.routes.prepareNotice(
                    for: context.deskCase, parent: parent, on: day, period: period, officer: officer, authority: authority,
                    despiteThreshold: despiteThreshold)
            }
            let receipt = try await CaseCommand.send(
                options, adapter, log: log, type: "penalty.notice", to: "schools-mis", body: prepared.body, id: prepared.messageID)
            try context.attempt { try context.routes.record(prepared, receipt: receipt) }
            print("Penalty notice \(prepared.notice.noticeReference) issued to \(prepared.notice.parent) on \(reference) and sent to the school: "
                + "\(receipt). \(prepared.amountsText).")
        }
    }

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a notice's payment: the amount due on that day (£80 to day 21, £160 to day 28).")
        @OptionGroup var desk: CaseCommand.Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument var reference: String
        @Option(help: "The notice reference (PN-YEAR-NNNN).") var notice: String
        @Option(help: "The day it was paid (default today).") var date: String?

        func run() throws {
            let context = try RouteContext(desk, legal, reference)
            let day = try routeDate(date, "date")
            let paid = try context.attempt { try context.routes.pay(notice, on: reference, paidOn: day) }
            print("Penalty notice \(notice) paid on \(day): \(String(format: "£%d.%02d", paid.pence / 100, paid.pence % 100)) was due.")
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a notice (a withdrawn notice never counts towards the limit).")
        @OptionGroup var desk: CaseCommand.Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument var reference: String
        @Option(help: "The notice reference (PN-YEAR-NNNN).") var notice: String
        @Option(help: "Why it is withdrawn.") var reason: String
        @Option(help: "The day (default today).") var date: String?

        func run() throws {
            let context = try RouteContext(desk, legal, reference)
            let day = try routeDate(date, "date")
            try context.attempt { try context.routes.withdraw(notice, on: reference, date: day, reason: reason) }
            print("Penalty notice \(notice) withdrawn on \(day).")
        }
    }
}

// MARK: Notices to improve, parenting contracts, reviews

/// The options of an agreement with a parent that has review points.
struct AgreementOptions: ParsableArguments {
    @Argument var reference: String
    @Option(help: "The parent: a chosen defendant (D1) or the referral's contact by number (C1).") var parent: String
    @Option(help: "Its date (default today).") var date: String?
    @Option(help: "A review date; repeat for each.") var review: [String] = []
    @Option(help: "When it ends.") var ends: String?
    @Option var description: String?
}

extension AgreementOptions {
    /// Records the agreement with `make` (a notice to improve or a parenting contract: the same options and steps).
    func record(
        _ desk: CaseCommand.Desk, _ legal: LegalRulesOptions, as name: String,
        with make: (LegalRoutes) -> (DeskCase, String, SchoolDate, SchoolDate?, [SchoolDate], String?) throws -> Int64
    ) throws {
        let context = try RouteContext(desk, legal, reference)
        let date = try routeDate(self.date, "date")
        let endsOn = try ends.map { try routeDate($0, "ends") }
        let reviews = try review.map { try routeDate($0, "review") }
        let id = try context.attempt { try make(context.routes)(context.deskCase, parent, date, endsOn, reviews, description) }
        print("\(name) recorded on \(reference) as route \(id).")
    }
}

struct CaseNoticeToImproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice-to-improve", abstract: "Record a notice to improve given to a parent, with its improvement period and review dates.")
    @OptionGroup var desk: CaseCommand.Desk
    @OptionGroup var legal: LegalRulesOptions
    @OptionGroup var agreement: AgreementOptions

    func run() throws {
        try agreement.record(desk, legal, as: "Notice to improve", with: LegalRoutes.noticeToImprove)
    }
}

struct CaseParentingContractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parenting-contract", abstract: "Record a parenting contract (Anti-social Behaviour Act 2003 s.19) with its review dates.")
    @OptionGroup var desk: CaseCommand.Desk
    @OptionGroup var legal: LegalRulesOptions
    @OptionGroup var agreement: AgreementOptions

    func run() throws {
        try agreement.record(desk, legal, as: "Parenting contract", with: LegalRoutes.parentingContract)
    }
}

struct CaseReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Record that a route's review or milestone took place (`liaison case routes` lists them).")
    @OptionGroup var desk: CaseCommand.Desk
    @Argument var reference: String
    @Option(help: "The route's number.") var route: Int64
    @Option(help: "The review or milestone (review-1, decision).") var milestone: String
    @Option(help: "The day it took place (default today).") var date: String?

    func run() throws {
        let day = try routeDate(date, "date")
        do { try desk.store().markReviewDone(reference, routeID: route, milestone: milestone, on: day) } catch let error as DeskError {
            throw UserFacingError(error.description)
        }
        print("\(milestone) of route \(route) on \(reference) recorded as held on \(day).")
    }
}

// MARK: Fast track

struct CaseFastTrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fast-track",
        abstract: "Put a case on the fast track: its timetable of school weeks (12 by default), review points and decision date.")
    @OptionGroup var desk: CaseCommand.Desk
    @OptionGroup var legal: LegalRulesOptions
    @Argument var reference: String
    @Option(help: "The day the case joins the route (default today).") var start: String?

    func run() throws {
        let context = try RouteContext(desk, legal, reference)
        let begun = try context.attempt { try context.routes.startFastTrack(for: context.deskCase, start: try routeDate(start, "start")) }
        print("\(reference) is on the fast track (route \(begun.id)) from \(begun.timetable.start) to \(begun.timetable.endsOn):")
        for milestone in begun.timetable.milestones { print("  \(milestone.id)  \(milestone.title) by \(milestone.due) (school week \(milestone.schoolWeek))") }
    }
}

// MARK: School attendance orders

struct CaseAttendanceOrderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sao",
        abstract: "School attendance orders (Education Act 1996 ss.437-443): the notice, the order, a breach (s.443).",
        subcommands: [Notice.self, Order.self, Breach.self])

    struct Notice: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the s.437(1) notice served on a parent (the period to answer is from school-attendance-orders.yaml, at least 15 days).")
        @OptionGroup var desk: CaseCommand.Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument var reference: String
        @Option(help: "The parent: a chosen defendant (D1) or the referral's contact by number (C1).") var parent: String
        @Option(help: "The day it was served (default today).") var served: String?
        @Option var description: String?
        @Option(help: ArgumentHelp("Also write the notice to the parent, HTML and JSON, to this folder (made 0700 if missing; refused if others can use it and it holds files).", valueName: "dir"))
        var out: String?
        @Option(help: "The authority serving it.") var authority: String = "Example County Council"

        func run() throws {
            let context = try RouteContext(desk, legal, reference)
            let day = try routeDate(served, "served")
            let officer = try out.map { _ in try AttendanceOrderFiles.officer(context) }
            let folder = try out.map(AttendanceOrderFiles.folder)
            let id = try context.attempt {
                try context.routes.serveAttendanceOrderNotice(for: context.deskCase, parent: parent, served: day, description: description)
            }
            let orders = context.routes.rules.schoolAttendanceOrders
            print("School attendance order notice recorded on \(reference) as route \(id): the parent may answer until "
                + "\(orders.responseDue(noticeServed: day)); an order may be made from \(orders.earliestOrderDate(noticeServed: day)).")
            if let folder, let officer {
                let route = try AttendanceOrderFiles.route(id, context)
                let document = AttendanceOrderDocument(
                    kind: .notice, deskCase: context.deskCase, route: route, parent: try AttendanceOrderFiles.parent(parent, context),
                    rules: orders, officer: officer, authority: authority)
                print("The notice to the parent: \(try AttendanceOrderFiles.write(document, to: folder)).")
            }
        }
    }

    struct Order: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the order naming a school; refused before the notice's period ends.")
        @OptionGroup var desk: CaseCommand.Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument var reference: String
        @Option(help: "The school the order names (LAESTAB).") var school: String
        @Option(help: "The order's date (default today).") var date: String?
        @Option var description: String?
        @Option(help: ArgumentHelp("Also write the order, HTML and JSON, to this folder (made 0700 if missing; refused if others can use it and it holds files).", valueName: "dir")) var out: String?
        @Option(help: "The authority making it.") var authority: String = "Example County Council"
        @Option(help: "The named school's name, for the order's words (default: the referral's school when it is the same LAESTAB).")
        var schoolName: String?

        func run() throws {
            let context = try RouteContext(desk, legal, reference)
            let day = try routeDate(date, "date")
            let officer = try out.map { _ in try AttendanceOrderFiles.officer(context) }
            let folder = try out.map(AttendanceOrderFiles.folder)
            let id = try context.attempt { try context.routes.makeAttendanceOrder(for: context.deskCase, school: school, date: day, description: description) }
            print("School attendance order recorded on \(reference) as route \(id), naming school \(school), made \(day).")
            if let folder, let officer {
                let route = try AttendanceOrderFiles.route(id, context)
                let notice = try context.store.legalRoutes(of: context.deskCase.reference).last { $0.kind == .attendanceOrderNotice && $0.date <= day }
                let parent = try AttendanceOrderFiles.parent("C\(route.contact ?? 0)", context)
                let document = AttendanceOrderDocument(
                    kind: .order, deskCase: context.deskCase, route: route, notice: notice, parent: parent,
                    rules: context.routes.rules.schoolAttendanceOrders, officer: officer, authority: authority, schoolName: schoolName)
                print("The order: \(try AttendanceOrderFiles.write(document, to: folder)).")
            }
        }
    }

    struct Breach: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a failure to comply with the order: the case is then ready for a s.443 prosecution (offence 443).")
        @OptionGroup var desk: CaseCommand.Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument var reference: String
        @Option(help: "The day the breach was found (default today).") var date: String?
        @Option(help: "What happened.") var description: String

        func run() throws {
            let context = try RouteContext(desk, legal, reference)
            let day = try routeDate(date, "date")
            try context.attempt { _ = try context.routes.recordAttendanceOrderBreach(for: context.deskCase, date: day, description: description) }
            print("Breach of the school attendance order recorded on \(reference): ready for a s.443 prosecution.")
        }
    }
}

/// Writing a school attendance order's documents under `--out`.
enum AttendanceOrderFiles {
    /// The allocated worker signs the documents: asked before anything is recorded, so a refusal records nothing.
    static func officer(_ context: RouteContext) throws -> String {
        guard let officer = context.deskCase.esw else {
            throw UserFacingError("No Education Social Worker is allocated to \(context.deskCase.reference) to sign the document: `liaison case allocate` first.")
        }
        return officer
    }

    static func route(_ id: Int64, _ context: RouteContext) throws -> DeskLegalRoute {
        guard let route = try context.store.legalRoutes(of: context.deskCase.reference).first(where: { $0.id == id }) else {
            throw UserFacingError("Route \(id) was recorded but cannot be read back from the desk store: run the command again with the same options.")
        }
        return route
    }

    /// The parent the document is addressed to (a chosen defendant `D1` or the referral's contact `C1`).
    static func parent(_ reference: String, _ context: RouteContext) throws -> CaseParent {
        try context.attempt { try CaseParent(parent: reference, in: context.deskCase, defendants: try context.store.defendants(of: context.deskCase.reference)) }
    }

    /// The `--out` folder, private (``PrivateDocumentFolder``: made 0700, or an existing one refused or tightened),
    /// opened before anything is recorded, so a refusal records nothing.
    static func folder(_ out: String) throws -> PrivateDocumentFolder {
        do { return try PrivateDocumentFolder(out) } catch let error as DocumentFolderError { throw UserFacingError(error.message) }
    }

    /// Writes `BASE.html` and `BASE.json` in the folder, each 0600 from its first byte, named by the document (the
    /// desk's case reference, never text a sender wrote); returns the two paths.
    static func write(_ document: AttendanceOrderDocument, to folder: PrivateDocumentFolder) throws -> String {
        let json = try folder.write(try document.jsonData(), name: "\(document.fileBase).json")
        let html = try folder.write(Data(document.html().utf8), name: "\(document.fileBase).html")
        return "\(html) and \(json)"
    }
}

// MARK: Education supervision orders

struct CaseSupervisionOrderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eso",
        abstract: "Write the application pack for an education supervision order (Children Act 1989 s.36): HTML and JSON.")
    @OptionGroup var desk: CaseCommand.Desk
    @OptionGroup var legal: LegalRulesOptions
    @Argument var reference: String
    @Option(help: ArgumentHelp("The folder to write the pack to (made 0700 if missing; refused if others can use it and it holds files).", valueName: "dir")) var out: String
    @Option(help: "The application's date (default today).") var date: String?
    @Option(help: "The grounds in the officer's words (default: a draft from the record, to read before filing).") var grounds: String?
    @Option(help: "The applicant authority.") var authority: String = "Example County Council"

    func run() throws {
        let context = try RouteContext(desk, legal, reference)
        guard let officer = context.deskCase.esw else { throw UserFacingError("No Education Social Worker is allocated to \(reference): `liaison case allocate` first.") }
        let day = try routeDate(date, "date")
        let folder = try AttendanceOrderFiles.folder(out)
        let pack = EducationSupervisionPack(
            deskCase: context.deskCase, interventions: try context.store.interventions(of: reference), routes: try context.store.legalRoutes(of: reference),
            notices: try context.store.penaltyNotices(of: reference), attendance: try context.store.halfTermFigures(upn: context.deskCase.upn),
            date: day, officer: officer, authority: authority, grounds: grounds)
        // Named by the desk's case reference, never the child; 0600 from the first byte.
        let json = try folder.write(try pack.jsonData(), name: "eso-application-\(context.deskCase.reference).json")
        let html = try folder.write(Data(pack.html().utf8), name: "eso-application-\(context.deskCase.reference).html")
        try context.attempt { _ = try context.routes.recordSupervisionOrderApplication(for: context.deskCase, date: day) }
        print("Education supervision order application for \(reference): \(html) and \(json).")
    }
}

// MARK: Where the routes stand; after disposal

struct CaseRoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "The legal routes of a case (or of every case with a warning): notices, contracts, orders, fast track; dates passed; what it is ready for.")
    @OptionGroup var desk: CaseCommand.Desk
    @OptionGroup var legal: LegalRulesOptions
    @Argument(help: "The case reference (default: every case with a warning or ready for prosecution).") var reference: String?
    @Option(help: "The day to assess (default today).") var on: String?

    func run() throws {
        let store = try desk.store()
        let routes = LegalRoutes(rules: try legal.rules(), store: store)
        let day = try routeDate(on, "on")
        let cases = try reference.map { reference in
            guard let found = try store.deskCase(reference) else { throw UserFacingError("There is no case \(reference).") }
            return [found]
        } ?? store.cases()
        var shown = 0
        for item in cases {
            let status = try routes.status(of: item, on: day)
            if reference == nil && status.warnings.isEmpty && status.ready.isEmpty { continue }
            shown += 1
            print("\(item.reference) (\(item.status)) on \(day):")
            if status.lines.isEmpty { print("  no legal routes recorded") }
            for line in CaseWarnings.lines(status) { print("  \(line)") }
        }
        if reference == nil && shown == 0 { print("No case has a date passed or is ready for prosecution on \(day).") }
    }
}

struct CaseMonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Each prosecuted child's attendance in the two half terms after the disposal, beside the two before (from the returns held).")
    @OptionGroup var desk: CaseCommand.Desk
    @Argument(help: "The case reference (default: every disposed case).") var reference: String?
    @Flag(help: "Print JSON (for the members' report).") var json = false

    func run() throws {
        let reports = try DisposalMonitor(store: try desk.store()).reports(reference: reference)
        if json {
            let data = try JSONSerialization.data(withJSONObject: reports.map(\.json), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if reports.isEmpty { print(reference.map { "\($0) has no final court disposal to follow." } ?? "No case has been disposed of by a court.") }
        for report in reports { print(report.line) }
    }
}
