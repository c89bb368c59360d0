import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// Social Services and the Youth Offending Team through their own adapters: their lists become their
/// cohorts at the hub; each then receives only its own children's data, written to its outbox.
@Suite("Partner agencies' adapters", .timeLimit(.minutes(2)), .realProcesses(.long))
struct PartnersTests {
    static let inCare = "Q926200024001"
    static let notListed = "B801200005001"

    func drop(_ text: String, into folder: String, as name: String) throws {
        try FileManager.default.createDirectory(atPath: "\(folder)/inbox", withIntermediateDirectories: true)
        try text.write(toFile: "\(folder)/inbox/\(name).part", atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: "\(folder)/inbox/\(name).part", toPath: "\(folder)/inbox/\(name)")
    }

    func waitFor(_ path: String) async throws {
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: path) { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test func socialServicesAreAlertedOnlyAboutTheirChildrenInCare() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let social = try await county.adapter("partner", ["social-services"])
        let desk = try await county.adapter("npas-desk")
        defer { social.stopInBackground(); desk.stopInBackground() }
        let folder = "\(county.folder)/social-services"

        // The list: one child in care, and a row whose UPN is mistyped (reported back, not sent).
        try drop("upn,forename,surname,date_of_birth\n\(Self.inCare),Jade,Synthetic,2013-05-17\nA801200005001,Leo,Synthetic,2012-01-02\n",
                 into: folder, as: "children-in-care.csv")
        try await waitFor("\(folder)/outbox/replies/children-in-care.csv.reply.csv")
        let reply = try String(contentsOfFile: "\(folder)/outbox/replies/children-in-care.csv.reply.csv", encoding: .utf8)
        #expect(reply.contains("0,sent,1 children as the children-in-care list"), "\(reply)")
        #expect(reply.contains("3,not sent,UPN A801200005001"), "\(reply)")

        // A school's return with two looked-after children absent: only the listed child's alert leaves the hub.
        func pupil(_ upn: String) -> String {
            #"{"upn":"\#(upn)","sessions_possible":6,"present":3,"aea":0,"authorised":1,"unauthorised":2,"codes":{"/":2,"\\":1,"N":2,"I":1},"looked_after":true,"marks":{"2025-09-03":{"am":"/","pm":"\\"},"2025-09-04":{"am":"N","pm":"N"},"2025-09-05":{"am":"I","pm":"/"}}}"#
        }
        let body = #"{"school":{"laestab":"9262001"},"period":{"academic_year":2025,"half_term":1,"start_date":"2025-09-03","end_date":"2025-10-17"},"pupils":[\#(pupil(Self.inCare)),\#(pupil(Self.notListed))]}"#
        let school = try await county.running.hub.connect("schools-mis")
        _ = try await school.send(type: "attendance.return", to: [], body: Array(body.utf8), id: "return-1")
        await school.close()

        let csv = "\(folder)/outbox/care.attendance-alert.csv"
        try await waitFor(csv)
        try await Task.sleep(for: .milliseconds(300))  // any second alert would have arrived by now
        let alerts = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(alerts.count == 2, "\(alerts)")  // header and one alert
        let header = alerts[0].split(separator: ",").map(String.init)
        let row = alerts[1].split(separator: ",").map(String.init)
        func column(_ name: String) -> String { row[header.firstIndex(of: name)!] }
        #expect(column("upn") == Self.inCare)
        #expect(column("date") == "2025-09-04" && column("session") == "AM" && column("code") == "N")
        #expect(column("consecutive_sessions_absent") == "3")
        let everything = try FileManager.default.subpathsOfDirectory(atPath: "\(folder)/outbox").compactMap {
            try? String(contentsOfFile: "\(folder)/outbox/\($0)", encoding: .utf8)
        }.joined()
        #expect(!everything.contains(Self.notListed), "a child not on the list reached Social Services")
    }

    @Test func theYOTReceivesSummariesOfChildrenOnItsCaseloadOnly() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let yot = try await county.adapter("partner", ["yot"])
        defer { yot.stopInBackground() }
        let folder = "\(county.folder)/yot"
        try drop("upn,case_reference\nN926400123002,YOT-2025-0178\n", into: folder, as: "caseload.csv")
        try await waitFor("\(folder)/outbox/replies/caseload.csv.reply.csv")

        let npas = try await county.running.hub.connect("npas")
        let example = try String(contentsOfFile: "\(CountyExchangeTests.repository)/schemas/examples/yot.attendance-summary/valid-1.json", encoding: .utf8)
        let summary = try await npas.send(type: "yot.attendance-summary", to: ["yot"], body: Array(example.utf8), id: "summary-1")
        await #expect(throws: AdapterError.self) {
            _ = try await npas.send(
                type: "yot.attendance-summary", to: ["yot"], body: Array(example.replacingOccurrences(of: "N926400123002", with: Self.inCare).utf8),
                id: "summary-2")
        }
        await npas.close()
        // Named by the hub's sequence, never by the sender's id (adapters/partners/README.md).
        try await waitFor("\(folder)/outbox/yot.attendance-summary/\(summary.sequence).json")
        let received = try String(contentsOfFile: "\(folder)/outbox/yot.attendance-summary/\(summary.sequence).json", encoding: .utf8)
        #expect(received.contains("N926400123002"))
        #expect(!received.contains("primary_need"), "the protocol allows only the SEN status")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/outbox/yot.attendance-summary") == ["\(summary.sequence).json"])
    }

    @Test func aSchoolsRegisterToDateAlertsSocialServicesOnTheDay() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 8, pupils: 600)
        defer { county.running.finish() }
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk"), try await county.adapter("partner", ["social-services"])]
        defer { for adapter in adapters { adapter.stopInBackground() } }
        let folder = "\(county.folder)/social-services"

        // A looked-after child's first absence this half term, from the county's CSV registers and the code table.
        let categories = Dictionary(uniqueKeysWithValues: try String(
            contentsOfFile: "\(CountyExchangeTests.repository)/Sources/AttendanceDomain/Resources/attendance-codes.csv", encoding: .utf8
        ).split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return (fields[0], fields[2])
        })
        var found: (file: String, lines: [String], upn: String, date: String)?
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/csv").sorted() where name.hasSuffix("-ht1.csv") {
            let lines = try String(contentsOfFile: "\(county.county)/csv/\(name)", encoding: .utf8).split(separator: "\n").map(String.init)
            let header = lines[0].split(separator: ",").map(String.init)
            let (upn, cared, date, code) = (header.firstIndex(of: "upn")!, header.firstIndex(of: "looked_after")!, header.firstIndex(of: "date")!, header.firstIndex(of: "code")!)
            let absence = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                .filter { $0[cared] == "true" && ["authorised", "unauthorised"].contains(categories[$0[code]]) }
                .min { $0[date] < $1[date] }
            if let absence {
                found = (name, lines, absence[upn], absence[date])
                break
            }
        }
        let child = try #require(found, "the county should have a looked-after child absent in the first half term")
        try drop("upn\n\(child.upn)\n", into: folder, as: "children-in-care.csv")
        try await waitFor("\(folder)/outbox/replies/children-in-care.csv.reply.csv")

        // The school's register to the day of the absence: the alert arrives that day, not at half term.
        let header = child.lines[0].split(separator: ",").map(String.init)
        let dateColumn = header.firstIndex(of: "date")!
        let toDate = [child.lines[0]] + child.lines.dropFirst().filter {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)[dateColumn] <= child.date
        }
        let partial = "\(county.folder)/to-date.csv"
        try (toDate.joined(separator: "\n") + "\n").write(toFile: partial, atomically: true, encoding: .utf8)
        try county.drop(partial, as: child.file.replacingOccurrences(of: ".csv", with: "-to-\(child.date).csv"))
        let csv = "\(folder)/outbox/care.attendance-alert.csv"
        try await waitFor(csv)
        func alerts() -> [String] {
            ((try? String(contentsOfFile: csv, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.contains(child.upn) }
        }
        #expect(alerts().count == 1 && alerts().first?.contains(child.date) == true, "\(alerts())")
        let held = try await LiaisonExecutable.run(["desk", "returns", "--folder", "\(county.folder)/npas"]).output
        #expect(held.contains("half term 1 to \(child.date)"), "\(held)")

        // The complete register replaces the return to date; the alert already given is not given again, but a run
        // of absence found longer is told again with its length.
        try county.drop("\(county.county)/csv/\(child.file)")
        try await county.waitForFiles(2)
        var complete = ""
        for _ in 0..<25 {  // each look is a `liaison` process: one every 200 ms
            complete = try await LiaisonExecutable.run(["desk", "returns", "--folder", "\(county.folder)/npas"]).output
            if !complete.contains(" to 20") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(!complete.contains(" to 20") && complete.contains("half term 1"), "\(complete)")
        try await Task.sleep(for: .milliseconds(300))
        let lengthColumn = try #require(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").first?
            .split(separator: ",").map(String.init).firstIndex(of: "consecutive_sessions_absent"))
        let lengths = alerts().filter { $0.contains(child.date) }.map { $0.split(separator: ",").map(String.init)[lengthColumn] }
        #expect(!lengths.isEmpty && Set(lengths).count == lengths.count, "an alert given twice: \(alerts())")
    }

    @Test func aListWaitingForMatchesHoldsBackTheNextSoListsApplyInOrder() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let social = try await county.adapter("partner", ["social-services"])
        defer { social.stopInBackground() }
        let folder = "\(county.folder)/social-services"

        // The first list names a child without a UPN: it waits for the desk, which is not running yet.
        try drop("upn,forename,surname,date_of_birth\n\(Self.inCare),,,\n,Nobody,Synthetic,2013-05-17\n", into: folder, as: "list-1.csv")
        try await Task.sleep(for: .milliseconds(200))
        try drop("upn\n\(Self.notListed)\n", into: folder, as: "list-2.csv")
        try await Task.sleep(for: .milliseconds(800))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/processing/list-1.csv"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/inbox/list-2.csv"), "a later list went ahead of one still waiting")

        // The desk answers; the first list is finished, then the second replaces it.
        let desk = try await county.adapter("npas-desk")
        defer { desk.stopInBackground() }
        try await waitFor("\(folder)/outbox/replies/list-2.csv.reply.csv")
        let first = try String(contentsOfFile: "\(folder)/outbox/replies/list-1.csv.reply.csv", encoding: .utf8)
        #expect(first.contains("3,not sent,\"no UPN, and no pupil on the county's rolls"), "\(first)")
        let summary = try String(contentsOfFile: "\(CountyExchangeTests.repository)/schemas/examples/care.attendance-alert/valid-1.json", encoding: .utf8)
        let file = "\(county.folder)/alert.json"
        for (upn, decision) in [(Self.notListed, "decision: permit"), (Self.inCare, "decision: deny")] {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
            var changed = body
            changed["upn"] = upn
            try JSONSerialization.data(withJSONObject: changed).write(to: URL(fileURLWithPath: file))
            let explained = try await LiaisonExecutable.run([
                "rules", "explain", "--config", county.running.hub.configPath, "--from", "npas", "--to", "social-services",
                "--type", "care.attendance-alert", "--message", file,
            ]).output
            #expect(explained.contains(decision), "\(upn): \(explained)")
        }
    }

    @Test func aListDroppedInAgainAfterAnotherIsAppliedAgain() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let social = try await county.adapter("partner", ["social-services"])
        defer { social.stopInBackground() }
        let folder = "\(county.folder)/social-services"
        let listA = "upn\n\(Self.inCare)\n", listB = "upn\n\(Self.notListed)\n"
        for (list, name) in [(listA, "a.csv"), (listB, "b.csv"), (listA, "a-again.csv")] {
            try drop(list, into: folder, as: name)
            try await waitFor("\(folder)/outbox/replies/\(name).reply.csv")
        }
        let alert = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/care.attendance-alert/valid-1.json"))) as? [String: Any])
        for (upn, decision) in [(Self.inCare, "decision: permit"), (Self.notListed, "decision: deny")] {
            var body = alert
            body["upn"] = upn
            try JSONSerialization.data(withJSONObject: body).write(to: URL(fileURLWithPath: "\(county.folder)/alert.json"))
            let explained = try await LiaisonExecutable.run([
                "rules", "explain", "--config", county.running.hub.configPath, "--from", "npas", "--to", "social-services",
                "--type", "care.attendance-alert", "--message", "\(county.folder)/alert.json",
            ]).output
            #expect(explained.contains(decision), "\(upn) after lists A, B and A again: \(explained)")
        }
    }
}
