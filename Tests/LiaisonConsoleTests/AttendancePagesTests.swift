import AttendanceDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import LiaisonStore
import MonitoringReports
import NIOCore
import NPASDesk
import StrictJSON
import Testing

@testable import LiaisonConsole

/// The attendance pages through the router on a desk made by hand, with every figure worked out in the comments: the
/// county (half terms, weeks, phase, year group, SEN status, schools), a school (against the county and England, the
/// pupils nearing and over the persistent absence line) and a pupil (calendar, figures, cases, shares; the view
/// logged; an ESW without the pupil on their caseload refused).
@Suite struct AttendancePagesTests {
    static let primary = "9262001", secondary = "9262002"
    /// Synthetic UPNs (the form only: no real child).
    static let upns = (1...6).map { "A92620012500\($0)" }

    /// Half term 1 of 2025/26 as six weeks of marks, Monday 1 September to Friday 10 October 2025: 30 days, 60 sessions
    /// each. Session `n` is day `n / 2`'s morning (even) or afternoon (odd); week `w` holds sessions `10w...10w+9`.
    ///
    ///   pupil 1 (primary, Y5): all present                                  0% absent
    ///   pupil 2 (primary, Y5): N in sessions 0-4 (week 1)                   5/60 = 8.3%: becoming persistently absent
    ///   pupil 3 (primary, Y5): I in 0-5 (week 1), N in 10-15 (week 2)       12/60 = 20%: persistently absent
    ///   pupil 4 (primary, Y5): O in 0-29 (weeks 1-3)                        30/60 = 50%: persistently and severely absent
    ///   pupil 5 (secondary, Y9, no SEN): I in 0-2 (week 1)                  3/60 = 5%
    ///   pupil 6 (secondary, Y9, EHC plan): all present                      0%
    ///
    /// The primary school: 240 possible, 193 attended (80.4%), 6 authorised (2.5%), 41 unauthorised (17.1%), persistent
    /// 2 of 4 (50.0%), severe 1 of 4 (25.0%). The county: 360 possible, 310 attended (86.1%), 9 authorised (2.5%), 41
    /// unauthorised (11.4%), persistent 2 of 6 (33.3%), severe 1 of 6 (16.7%).
    /// Week 1: 60 sessions, 36 attended (60.0%), 9 authorised (15.0%), 15 unauthorised (25.0%); to its end pupils 2, 3,
    /// 4 and 5 have missed 10% or more (4 of 6, 66.7%) and 2, 3 and 4 half or more (50.0%). Week 6: all present
    /// (100.0%); to its end persistent 2 of 6 (33.3%), severe 1 of 6 (16.7%), as the half term's.
    static func sessions(_ pupil: Int) -> [String] {
        (0..<60).map { session in
            switch pupil {
            case 2: session < 5 ? "N" : "/"
            case 3: session < 6 ? "I" : (10..<16).contains(session) ? "N" : "/"
            case 4: session < 30 ? "O" : "/"
            case 5: session < 3 ? "I" : "/"
            default: "/"
            }
        }
    }

    /// The 30 school days from Monday 1 September 2025.
    static let days: [String] = {
        var days: [String] = [], date = SchoolDate(year: 2025, month: 9, day: 1)!
        while days.count < 30 {
            if !date.isWeekend { days.append(date.description) }
            date = date.adding(days: 1)
        }
        return days
    }()

    /// A desk folder with the two schools' returns, the secondary's roll (SEN), and a case of pupil 3 allocated to
    /// `esw.one`.
    static func desk() async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attendance-desk-\(UUID().uuidString)").path
        let store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        for (laestab, name, pupils, year) in [(primary, "Example Primary School", 1...4, "5"), (secondary, "Example Secondary School", 5...6, "9")] {
            let body: JSONValue = .object([
                "school": .object(["laestab": .string(laestab), "name": .string(name)]),
                "period": .object([
                    "academic_year": .number(2025), "half_term": .number(1), "start_date": .string("2025-09-01"), "end_date": .string("2025-10-17"),
                ]),
                "pupils": .array(pupils.map { pupil in
                    let marks = sessions(pupil)
                    var codes: [String: JSONValue] = [:]
                    for code in Set(marks) { codes[code] = .number(Double(marks.filter { $0 == code }.count)) }
                    var days: [String: JSONValue] = [:]
                    for (index, day) in Self.days.enumerated() {
                        days[day] = .object(["am": .string(marks[2 * index]), "pm": .string(marks[2 * index + 1])])
                    }
                    return .object([
                        "upn": .string(upns[pupil - 1]), "sessions_possible": .number(60), "year_group": .string(year), "codes": .object(codes),
                        "marks": .object(days),
                    ])
                }),
            ])
            try await store.store(try #require(ReturnRows(body)), messageID: "return-\(laestab)")
        }
        let roll: JSONValue = .object([
            "school": .object(["laestab": .string(secondary)]), "as_of": .string("2025-09-01"),
            "pupils": .array([
                .object(["upn": .string(upns[4]), "forename": .string("Ash"), "surname": .string("Example"), "sen": .object(["status": .string("none")])]),
                .object(["upn": .string(upns[5]), "forename": .string("Blake"), "surname": .string("Example"), "sen": .object(["status": .string("ehc_plan")])]),
            ]),
        ])
        try await store.store(try #require(RollRows(roll)), messageID: "roll-\(secondary)")
        let referral = #"{"school": {"laestab": "\#(primary)"}, "pupil": {"upn": "\#(upns[2])"}}"#
        try await store.storeReferral(messageID: "referral-1", source: "schools-mis", body: Array(referral.utf8))
        let reference = try #require(try store.cases().first?.reference)
        try store.allocate(reference, esw: "esw.one")
        try store.recordShares([(kind: "connexions.notification", upn: upns[2], period: "2025-HT1", outcome: "sent")])
        return folder
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// A chart's data table row as ReportHTML prints it: the label, then each figure.
    static func row(_ label: String, _ figures: String...) -> String {
        "<tr><th scope=\"row\">\(label)</th>" + figures.map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>"
    }

    @Test("the weekly figures from the marks, worked by hand")
    func weeks() async throws {
        let folder = try await Self.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
        let weeks = try WeeklyAttendance.read(store, academicYear: 2025)
        #expect(weeks.map(\.monday) == ["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22", "2025-09-29", "2025-10-06"])
        #expect(weeks[0] == .init(monday: "2025-09-01", pupils: 6, possible: 60, attended: 36, authorised: 9, unauthorised: 15, persistent: 4, severe: 3))
        // Week 2: pupil 3's six N and pupil 4's ten O; to its end pupil 2 has 5/20 (25%), 3 12/20, 4 20/20, 5 3/20 (15%).
        #expect(weeks[1] == .init(monday: "2025-09-08", pupils: 6, possible: 60, attended: 44, authorised: 0, unauthorised: 16, persistent: 4, severe: 2))
        #expect(weeks[5] == .init(monday: "2025-10-06", pupils: 6, possible: 60, attended: 60, authorised: 0, unauthorised: 0, persistent: 2, severe: 1))
        let primary = try WeeklyAttendance.read(store, academicYear: 2025, laestab: Self.primary)
        #expect(primary[0].pupils == 4 && primary[0].attended == 19 && primary[5].persistent == 2)
        #expect(try WeeklyAttendance.read(store, academicYear: 2024).isEmpty)
    }

    @Test("the county's one read of the returns gives each half term's figures as the per-half-term reads do")
    func countyOneRead() async throws {
        let folder = try await Self.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
        // Another connection stores a second half term for pupil 6 (kept figures: AttendanceFiguresTests).
        let writer = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        try await writer.store(try AttendanceFiguresTests.secondHalfTerm(Self.secondary, upn: Self.upns[5]), messageID: "return-ht2")
        let county = try #require(try CountyAttendance.read(store: store, directory: nil, academicYear: nil))
        #expect(county.halfTerms == [1, 2] && county.halfTermFigures.map(\.possible) == [360, 2])
        // Half term 2's county figure is pupil 6's half term alone (1 of 2 sessions), as the per-half-term read gives.
        let perHalfTerm = try AttendanceData(store: store).perHalfTerm(academicYear: 2025)
        let oneRead = try AttendanceData(store: store).pupilsAndHalfTerms(academicYear: 2025, halfTerms: 1...2)
        #expect(oneRead.perHalfTerm == perHalfTerm && oneRead.perHalfTerm[2]?[Self.secondary]?.present == 1)
        #expect(oneRead.pupils.map(\.upn) == (try AttendanceData(store: store).pupils(academicYear: 2025, halfTerms: 1...2)).map(\.upn))
        // The week of the second half term (its marks) is the county's seventh.
        #expect(county.weeks.count == 7 && county.weeks.last?.monday == "2025-11-03")
    }

    @Test("the calendar puts each day under its weekday, coloured by category")
    func calendar() {
        let calendar = MarkCalendar(marks: ["2025-09-01": (am: "/", pm: "N"), "2025-10-01": (am: "I", pm: "Q9")])
        #expect(calendar.months.map(\.name) == ["September 2025", "October 2025"])
        #expect(!calendar.showsWeekends)
        // 1 September 2025 is a Monday; 1 October a Wednesday (two blanks before it).
        #expect(calendar.months[0].weeks[0][0]?.am == .init(code: "/", category: "present", meaning: calendar.months[0].weeks[0][0]!.am!.meaning))
        #expect(calendar.months[0].weeks[0][0]?.pm?.category == "unauthorised")
        #expect(calendar.months[1].weeks[0][0] == nil && calendar.months[1].weeks[0][1] == nil)
        #expect(calendar.months[1].weeks[0][2]?.dayOfMonth == 1 && calendar.months[1].weeks[0][2]?.pm?.category == "invalid")
        #expect(calendar.months.allSatisfy { $0.weeks.allSatisfy { $0.count == 5 } })
        #expect(calendar.categories.map(\.category) == ["present", "authorised", "unauthorised", "invalid"])
    }

    @Test("the county's page: the year to date, half terms and weeks against England, phases, year groups, SEN, schools")
    func county() async throws {
        let folder = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await harness.addUser("manager.one", .manager)
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let response = try await harness.get(client, "/attendance", as: manager)
            #expect(response.status == .ok)
            let html = Self.body(response)
            HTMLChecks.expectAccessible(html)
            #expect(html.contains("<h1 class=\"heading-l\">Attendance in the county</h1>"))
            #expect(html.contains("86.1% (England 92.9%)") && html.contains("2 pupils, 33.3%") && html.contains("1 pupil, 16.7%"))
            // Each chart is drawn and followed by its figures.
            #expect(html.contains("<svg") && html.contains("id=\"t-county-half-terms\""))
            #expect(html.contains(Self.row("Autumn 1", "86.1", "92.9")))
            #expect(html.contains(Self.row("Autumn 1", "2.5", "11.4", "33.3", "16.7")))
            #expect(html.contains(Self.row("w/c 1 Sep", "60.0")))
            #expect(html.contains(Self.row("w/c 1 Sep", "15.0", "25.0", "66.7", "50.0")))
            #expect(html.contains(Self.row("w/c 6 Oct", "0.0", "0.0", "33.3", "16.7")))
            // By year group (Year 5: the primary's four; Year 9: the secondary's two) and SEN status (from the roll).
            #expect(html.contains(Self.row("Year 5", "4", "80.4", "2.5", "17.1", "50.0", "25.0")))
            #expect(html.contains(Self.row("Year 9", "2", "97.5", "2.5", "0.0", "0.0", "0.0")))
            #expect(html.contains(Self.row("EHC plan", "1", "100.0", "0.0", "0.0", "0.0", "0.0")))
            #expect(html.contains(Self.row("Not known", "4", "80.4", "2.5", "17.1", "50.0", "25.0")))
            #expect(html.contains(Self.row("All pupils", "6", "86.1", "2.5", "11.4", "33.3", "16.7")))
            // By school, each linked to its page.
            #expect(html.contains("<a class=\"link\" href=\"/schools/\(Self.primary)?year=2025\">Example Primary School</a>"))

            let esw = try await harness.signIn(client, "esw.one")
            #expect(try await harness.get(client, "/attendance", as: esw).status == .forbidden)
            let css = try await harness.get(client, "/assets/attendance.css", as: nil)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8" && Self.body(css).contains(".mark--unauthorised"))
        }
    }

    @Test("a school's page: against the county and England, and its pupils becoming and already persistently absent")
    func school() async throws {
        let folder = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await harness.addUser("manager.one", .manager)
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let response = try await harness.get(client, "/schools/\(Self.primary)", as: manager)
            #expect(response.status == .ok)
            let html = Self.body(response)
            HTMLChecks.expectAccessible(html)
            #expect(html.contains("Attendance at Example Primary School</h1>"))
            #expect(html.contains(Self.row("Attendance", "80.4", "86.1", "92.9")))
            #expect(html.contains(Self.row("Persistent absence (pupils)", "50.0", "33.3", "20.0")))
            #expect(html.contains(Self.row("Autumn 1", "80.4", "86.1", "92.9")))
            // Week 1 at the school: 40 sessions, 19 attended (47.5%); the county's 60.0%.
            #expect(html.contains(Self.row("w/c 1 Sep", "47.5", "60.0")))
            // Pupil 2 (8.3%) is becoming persistently absent; pupils 4 (50%) and 3 (20%) are, most absent first.
            let becoming = try #require(html.range(of: "id=\"becoming-persistent\""))
            let persistent = try #require(html.range(of: "id=\"persistent\""))
            let nearList = String(html[becoming.upperBound..<persistent.lowerBound])
            let overList = String(html[persistent.upperBound...])
            #expect(nearList.contains("/pupils/\(Self.upns[1])?year=2025") && nearList.contains("8.3%"))
            #expect(!nearList.contains(Self.upns[2]) && !nearList.contains(Self.upns[0]))
            let four = try #require(overList.range(of: Self.upns[3])), three = try #require(overList.range(of: Self.upns[2]))
            #expect(four.lowerBound < three.lowerBound)
            #expect(!overList.contains(Self.upns[1]))

            #expect(try await harness.get(client, "/schools/9269999", as: manager).status == .notFound)
            #expect(try await harness.get(client, "/schools/nonsense", as: manager).status == .notFound)
            let esw = try await harness.signIn(client, "esw.one")
            #expect(try await harness.get(client, "/schools/\(Self.primary)", as: esw).status == .forbidden)
        }
    }

    @Test("a pupil's page: calendar, figures, cases and shares; the view logged; an ESW sees only their caseload's pupils")
    func pupil() async throws {
        let folder = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await harness.addUser("manager.one", .manager)
        try await harness.addUser("esw.one", .esw)
        try await harness.addUser("esw.two", .esw)
        try await harness.application().test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let response = try await harness.get(client, "/pupils/\(Self.upns[5])", as: manager)
            #expect(response.status == .ok)
            let html = Self.body(response)
            HTMLChecks.expectAccessible(html)
            #expect(html.contains("Blake Example&#39;s attendance</h1>") && html.contains("EHC plan"))
            #expect(html.contains("100.0% of 60 possible sessions"))
            #expect(html.contains("<caption class=\"table__caption\">September 2025</caption>"))
            #expect(html.contains("class=\"mark mark--present\""))
            #expect(html.contains("No case has been opened") && html.contains("not available here"))
            let views = try await harness.console.users.views(upn: Self.upns[5])
            #expect(views.count == 1 && views.first?.user == "manager.one" && views.first?.page == "pupil attendance")

            // Pupil 3: an ESW with the pupil's case sees the page (the case, the desk's share, N and I in the calendar).
            let esw = try await harness.signIn(client, "esw.one")
            let own = try await harness.get(client, "/pupils/\(Self.upns[2])", as: esw)
            #expect(own.status == .ok)
            let page = Self.body(own)
            HTMLChecks.expectAccessible(page)
            #expect(page.contains("<td>esw.one</td>") && page.contains("connexions.notification"))
            #expect(page.contains("class=\"mark mark--unauthorised\" title=\"Afternoon: ") && page.contains("afternoon </span>N</span>"))
            #expect(page.contains("mark--authorised") && page.contains("href=\"/assets/attendance.css\""))
            #expect(page.contains("80.0% of 60 possible sessions") && page.contains("Persistently absent"))
            #expect(try await harness.console.users.views(upn: Self.upns[2]).map(\.user) == ["esw.one"])

            // Another ESW is refused, for a pupil of the desk's and for one it does not know; nothing is logged.
            let other = try await harness.signIn(client, "esw.two")
            #expect(try await harness.get(client, "/pupils/\(Self.upns[2])", as: other).status == .forbidden)
            #expect(try await harness.get(client, "/pupils/\(Self.upns[5])", as: other).status == .forbidden)
            #expect(try await harness.console.users.views(user: "esw.two").isEmpty)
            #expect(try await harness.get(client, "/pupils/Z99999999999Z", as: manager).status == .notFound)
            #expect(try await harness.get(client, "/pupils/short", as: manager).status == .notFound)
        }
    }

    /// A hub's folder (`hub.yaml`, its pseudonym key, its store) whose audit log released pupil 3's data to the YOT and
    /// to Connexions under two agreements, refused one decision, and released pupil 1's once.
    static func hub() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attendance-hub-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(folder)/keys", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try "data_dir: data\nkeys_dir: keys\n".write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
        let key = try PseudonymKeyFile.loadOrCreate(path: "\(folder)/keys/pseudonym.key")
        let child = SubjectShares.pseudonym(of: Self.upns[2], key: key), other = SubjectShares.pseudonym(of: Self.upns[0], key: key)
        let store = try HubStore(path: "\(folder)/data/hub.sqlite")
        func decision(_ agreement: String, to recipient: String, code: Int, children: [String], at: Int64) -> AuditEvent {
            let list = children.map { "\"\($0)\"" }.joined(separator: ",")
            return AuditEvent(
                .decision, at: at, agency: "npas", type: "pupil.attendance-concern", recipient: recipient, code: code,
                detail: #"{"agreement":"\#(agreement)","version":"1.1","lawful_basis":"public task","flow":"concern","fields":["upn","attendance"],"children":[\#(list)]}"#)
        }
        try store.transaction { tx in
            let first = try tx.append(decision("yot-attendance", to: "yot", code: 0, children: [child], at: 1_760_000_000_000))
            let refused = try tx.append(decision("connexions-neet", to: "connexions", code: 1, children: [], at: 1_760_000_000_001))
            let second = try tx.append(decision("connexions-neet", to: "connexions", code: 0, children: [child], at: 1_760_000_060_000))
            let third = try tx.append(decision("yot-attendance", to: "yot", code: 0, children: [other], at: 1_760_000_120_000))
            try tx.indexSubjects([child], sequence: 1, entries: first...refused)
            try tx.indexSubjects([child], sequence: 2, entries: second...second)
            try tx.indexSubjects([other], sequence: 3, entries: third...third)
        }
        return folder
    }

    @Test("every release of the pupil's data in the hub's store, by agreement, found through the pseudonym")
    func hubShares() throws {
        let folder = try Self.hub()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let shares = try SubjectShares.read(hubStorePath: "\(folder)/data/hub.sqlite", hubConfig: "\(folder)/hub.yaml", upn: Self.upns[2])
        #expect(shares.count == 2)
        #expect(shares.agreements.map(\.name) == ["connexions-neet", "yot-attendance"])
        let yot = try #require(shares.agreements.last?.releases.first)
        #expect(yot == .init(
            entry: 1, when: "2025-10-09 08:53", from: "npas", to: "yot", type: "pupil.attendance-concern", flow: "concern", version: "1.1",
            lawfulBasis: "public task", fields: ["upn", "attendance"]))
        // Without the key the page says why.
        #expect(throws: SubjectShares.Unavailable.self) {
            try SubjectShares.read(hubStorePath: "\(folder)/data/hub.sqlite", hubConfig: "\(folder)/missing.yaml", upn: Self.upns[2])
        }
    }

    @Test("the pupil's page lists the hub's releases by agreement when the console has the hub's configuration")
    func pupilPageHubShares() async throws {
        let desk = try await Self.desk(), hub = try Self.hub()
        defer { for folder in [desk, hub] { try? FileManager.default.removeItem(atPath: folder) } }
        let harness = try ConsoleHarness(desk: desk) { configuration in
            configuration.hubConfig = "\(hub)/hub.yaml"
            configuration.hubStorePath = "\(hub)/data/hub.sqlite"
        }
        try await harness.addUser("manager.one", .manager)
        try await harness.application().test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let html = Self.body(try await harness.get(client, "/pupils/\(Self.upns[2])", as: manager))
            HTMLChecks.expectAccessible(html)
            #expect(html.contains("hub&#39;s audit log: 2.") || html.contains("hub's audit log: 2."))
            #expect(html.contains("Under the agreement connexions-neet (releases: 1)") && html.contains("Under the agreement yot-attendance (releases: 1)"))
            #expect(html.contains("<td>2025-10-09 08:53</td><td>npas</td><td>yot</td><td>pupil.attendance-concern</td><td>concern</td><td>1.1</td><td>public task</td><td>upn, attendance</td>"))
            // Pupil 1's release is theirs alone.
            let first = Self.body(try await harness.get(client, "/pupils/\(Self.upns[0])", as: manager))
            #expect(first.contains("audit log: 1.") && !first.contains("connexions-neet"))
        }
    }

    @Test("the hub's pseudonym is RuleSet's: psn- and 16 hex digits of HMAC-SHA-256")
    func pseudonym() {
        // HMAC-SHA-256 of "A926200125003" under 32 bytes of 0x01, computed independently (Python's hmac module).
        #expect(SubjectShares.pseudonym(of: "A926200125003", key: Array(repeating: 1, count: 32)) == Self.expectedPseudonym)
    }

    static let expectedPseudonym = "psn-b97dd16442847c22"
}
