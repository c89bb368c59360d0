import Foundation
import LiaisonTestSupport
import Testing

/// The shares the desk derives for partners from the schools' real import: Connexions hears of young people
/// at risk (not those who opted out), the YOT gets a half-termly summary of each child on its caseload, and
/// a partner's children named without a UPN are found by name and date of birth. Expected children and
/// figures come from the synthetic county's CSV registers through the independent Python oracle.
@Suite("Partners' derived shares", .timeLimit(.minutes(3)), .realProcesses(.long))
struct PartnerSharesTests {
    static let secondary = "9264001"

    /// One pupil of the secondary school's CSV register: the columns the synthesiser writes.
    struct Row {
        var upn, surname, forename, dob, senProvision: String
    }

    static func pupils(_ county: CountyExchangeTests.County, halfTerm: Int) throws -> [String: Row] {
        let text = try String(contentsOfFile: "\(county.county)/csv/\(secondary)-2025-ht\(halfTerm).csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        func column(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        var pupils: [String: Row] = [:]
        for row in lines.dropFirst() where pupils[column(row, "upn")] == nil {
            pupils[column(row, "upn")] = Row(
                upn: column(row, "upn"), surname: column(row, "surname"), forename: column(row, "forename"), dob: column(row, "dob"),
                senProvision: column(row, "sen_provision"))
        }
        return pupils
    }

    static func age(_ dob: String, on today: Date = Date()) -> Int {
        let born = dob.split(separator: "-").map { Int($0)! }
        let now = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: today)
        return now.year! - born[0] - ((now.month!, now.day!) < (born[1], born[2]) ? 1 : 0)
    }

    func drop(_ text: String, into folder: String, as name: String) throws {
        try FileManager.default.createDirectory(atPath: "\(folder)/inbox", withIntermediateDirectories: true)
        try text.write(toFile: "\(folder)/inbox/\(name).part", atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: "\(folder)/inbox/\(name).part", toPath: "\(folder)/inbox/\(name)")
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// The JSON bodies an agency's adapter wrote for a type, by file name.
    func received(_ folder: String, _ type: String) -> [[String: Any]] {
        let directory = "\(folder)/outbox/\(type)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().compactMap { name in
            (try? Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
    }

    /// Waits (bounded) until `condition` holds.
    /// Waits (bounded: 400 looks 50 ms apart, or as many fewer as `every` is longer) until `condition` holds. A
    /// condition that runs a `liaison` command looks every 200 ms: each look is a process.
    func waitUntil(_ what: String, every interval: Int = 50, _ condition: () async -> Bool) async throws {
        for _ in 0..<(400 * 50 / interval) {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(interval))
        }
        Issue.record("timed out waiting for \(what)")
    }

    func waitForRoll(_ county: CountyExchangeTests.County, halfTerm: Int) async throws {
        try await waitUntil("the roll of half term \(halfTerm)", every: 200) {
            let output = (try? await LiaisonExecutable.run(["desk", "returns", "--folder", "\(county.folder)/npas"]).output) ?? ""
            return output.split(separator: "\n").contains { $0.contains(Self.secondary) && $0.contains("half term \(halfTerm)") && $0.contains("with roll") }
        }
    }

    @Test func connexionsHearsOfYoungPeopleAtRiskExceptThoseWhoOptedOut() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 8, pupils: 300)
        defer { county.running.finish() }
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk"), try await county.adapter("partner", ["connexions"])]
        defer { for adapter in adapters { adapter.stopInBackground() } }
        let connexions = "\(county.folder)/connexions"

        // Who is at risk, by the oracle: persistently absent this school year so far, aged 13 to 19 today.
        let roll = try Self.pupils(county, halfTerm: 1)
        func atRisk(_ halfTerms: [Int]) async throws -> Set<String> {
            let figures = try await CountyExchangeTests.oracle(halfTerms.map { "\(county.county)/csv/\(Self.secondary)-2025-ht\($0).csv" })
            return Set(figures.filter { upn, pupil in
                pupil["persistent"] as? Bool == true && roll[upn].map { (13...19).contains(Self.age($0.dob)) } == true
            }.keys)
        }
        let firstHalf = try await atRisk([1])
        try #require(firstHalf.count >= 3, "the county should have young people at risk")
        let optedOut = firstHalf.sorted()[0]

        try drop("upn\n\(optedOut)\n", into: connexions, as: "opt-outs.csv")
        try await waitUntil("the opt-out list's reply") { read("\(connexions)/outbox/replies/opt-outs.csv.reply.csv") != nil }
        #expect(read("\(connexions)/outbox/replies/opt-outs.csv.reply.csv")?.contains("0,sent,1 children as the connexions-opt-outs list") == true)

        try county.drop("\(county.county)/ctf/\(Self.secondary)-2025-ht1.xml")
        let expected = firstHalf.subtracting([optedOut])
        try await waitUntil("\(expected.count) notifications") { received(connexions, "connexions.notification").count >= expected.count }
        try await Task.sleep(for: .milliseconds(300))  // any extra notification would have arrived by now
        var notifications = received(connexions, "connexions.notification")
        func upns(_ bodies: [[String: Any]]) -> [String] { bodies.compactMap { ($0["young_person"] as? [String: Any])?["upn"] as? String } }
        #expect(Set(upns(notifications)) == expected)
        #expect(upns(notifications).count == expected.count)
        for notification in notifications {
            let person = try #require(notification["young_person"] as? [String: Any])
            let upn = try #require(person["upn"] as? String)
            #expect(person["forename"] as? String == roll[upn]?.forename && person["surname"] as? String == roll[upn]?.surname)
            #expect(person["date_of_birth"] as? String == roll[upn]?.dob)
            #expect((person["address"] as? [String: Any])?["postcode"] is String)
            #expect((notification["school"] as? [String: Any])?["laestab"] as? String == Self.secondary)
            let reason = try #require(notification["reason"] as? [String: Any])
            #expect(["persistent_absence", "severe_absence"].contains(reason["category"] as? String))
            #expect(reason["details"] == nil, "the agreement passes the reason's category only")
        }

        // The second half term: only those newly at risk over the year so far; nobody is told of twice.
        try county.drop("\(county.county)/ctf/\(Self.secondary)-2025-ht2.xml")
        let overYear = try await atRisk([1, 2]).union(firstHalf).subtracting([optedOut])
        try await waitUntil("\(overYear.count) notifications") { received(connexions, "connexions.notification").count >= overYear.count }
        try await Task.sleep(for: .milliseconds(300))
        notifications = received(connexions, "connexions.notification")
        #expect(Set(upns(notifications)) == overYear)
        #expect(upns(notifications).count == overYear.count, "a young person was notified twice in a school year")
        // The opt-out's refusal is the rules' answer about the young person: recorded, so not tried again.
        let held = try await LiaisonExecutable.run(["desk", "returns", "--folder", "\(county.folder)/npas"]).output
        #expect(held.contains("Connexions notifications refused 1"), "\(held)")
    }

    @Test func theYOTCaseloadIsMatchedByNameAndSummarisedEachHalfTerm() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 8, pupils: 300)
        defer { county.running.finish() }
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk"), try await county.adapter("partner", ["yot"])]
        defer { for adapter in adapters { adapter.stopInBackground() } }
        let yot = "\(county.folder)/yot"

        // The first half term's roll lets the desk find children the YOT names without a UPN.
        try county.drop("\(county.county)/ctf/\(Self.secondary)-2025-ht1.xml")
        try await waitForRoll(county, halfTerm: 1)
        let roll = try Self.pupils(county, halfTerm: 1).values.sorted { $0.upn < $1.upn }
        let byUPN = roll[0], byName = roll[1], noCaseReference = roll[2]
        // As a YOT case system might hold the name: in other capitals.
        let typedName = "\(byName.forename.lowercased()),\(byName.surname.uppercased())"
        try drop(
            """
            upn,forename,surname,date_of_birth,case_reference
            \(byUPN.upn),\(byUPN.forename),\(byUPN.surname),\(byUPN.dob),YOT-2025-0001
            ,\(typedName),\(byName.dob),yot-2025-0002
            ,Nobody,Synthetic,2011-02-03,YOT-2025-0003
            \(noCaseReference.upn),,,,

            """, into: yot, as: "caseload.csv")
        let replyPath = "\(yot)/outbox/replies/caseload.csv.reply.csv"
        try await waitUntil("the caseload's reply") { read(replyPath) != nil }
        let reply = read(replyPath) ?? ""
        #expect(reply.contains("0,sent,2 children as the yot-caseload list"), "\(reply)")
        #expect(reply.contains("told of 2 children joining and 0 leaving"), "\(reply)")
        #expect(reply.contains("3,sent,found by name and date of birth: UPN \(byName.upn)"), "\(reply)")
        #expect(reply.contains("4,not sent,\"no UPN, and no pupil on the county's rolls has this name and date of birth"), "\(reply)")
        #expect(reply.contains("5,not sent,no case_reference"), "\(reply)")
        try await waitUntil("the list in processed/") { FileManager.default.fileExists(atPath: "\(yot)/processed/caseload.csv") }

        // The second half term: a summary of each child on the caseload, and of nobody else.
        try county.drop("\(county.county)/ctf/\(Self.secondary)-2025-ht2.xml")
        try await waitUntil("two summaries") { received(yot, "yot.attendance-summary").count >= 2 }
        try await Task.sleep(for: .milliseconds(300))
        let summaries = received(yot, "yot.attendance-summary")
        #expect(Set(summaries.compactMap { $0["upn"] as? String }) == [byUPN.upn, byName.upn])
        #expect(summaries.count == 2)
        let oracle = try await CountyExchangeTests.oracle(["\(county.county)/csv/\(Self.secondary)-2025-ht2.csv"])
        let statuses = ["N": "none", "K": "sen_support", "E": "ehc_plan"]
        for summary in summaries {
            let upn = try #require(summary["upn"] as? String)
            let attendance = try #require(summary["attendance"] as? [String: Any])
            for field in ["present", "aea", "authorised", "unauthorised"] {
                #expect(attendance[field] as? Int == oracle[upn]?[field] as? Int, "\(upn) \(field)")
            }
            #expect(attendance["sessions_possible"] as? Int == oracle[upn]?["possible"] as? Int)
            let sen = try #require(summary["sen"] as? [String: Any])
            #expect(sen["status"] as? String == statuses[(upn == byUPN.upn ? byUPN : byName).senProvision])
            #expect(sen["primary_need"] == nil, "the protocol passes the SEN status only")
            #expect((summary["period"] as? [String: Any])?["start_date"] as? String != nil)
            #expect(summary["education_status"] as? String == "on_roll_full_time")
        }

        // The next list leaves a child off: the desk is told the case closed, and the hub's cohort is replaced, so
        // a summary of that child would no longer be released.
        try drop("upn,case_reference\n\(byUPN.upn),YOT-2025-0001\n", into: yot, as: "caseload-2.csv")
        try await waitUntil("the second list's reply") { read("\(yot)/outbox/replies/caseload-2.csv.reply.csv") != nil }
        let second = read("\(yot)/outbox/replies/caseload-2.csv.reply.csv") ?? ""
        #expect(second.contains("told of 0 children joining and 1 leaving"), "\(second)")
        let left = try #require(summaries.first { $0["upn"] as? String == byName.upn })
        let file = "\(county.folder)/left.json"
        try JSONSerialization.data(withJSONObject: left).write(to: URL(fileURLWithPath: file))
        let explained = try await LiaisonExecutable.run([
            "rules", "explain", "--config", county.running.hub.configPath, "--from", "npas", "--to", "yot", "--type", "yot.attendance-summary",
            "--message", file,
        ]).output
        #expect(explained.contains("decision: deny") && explained.contains("no record meets /upn is in the recipient's cohort 'yot-caseload'"), "\(explained)")
    }

    @Test func connexionsAdvisersNamedByNameAndBirthAreShownWithTheCase() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 8, pupils: 300)
        defer { county.running.finish() }
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk"), try await county.adapter("partner", ["connexions"])]
        defer { for adapter in adapters { adapter.stopInBackground() } }
        let connexions = "\(county.folder)/connexions", desk = "\(county.folder)/npas"
        try county.drop("\(county.county)/ctf/\(Self.secondary)-2025-ht1.xml")
        try await waitForRoll(county, halfTerm: 1)
        let pupil = try #require(try Self.pupils(county, halfTerm: 1).values.sorted { $0.upn < $1.upn }.first)

        // A referral opens a case for the young person.
        var referral = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/referral/valid-1.json"))) as? [String: Any])
        referral["school"] = ["laestab": Self.secondary]
        var child = try #require(referral["pupil"] as? [String: Any])
        child["upn"] = pupil.upn
        child["forename"] = pupil.forename
        child["surname"] = pupil.surname
        child["date_of_birth"] = pupil.dob
        child["year_group"] = nil
        referral["pupil"] = child
        try JSONSerialization.data(withJSONObject: referral).write(to: URL(fileURLWithPath: "\(county.folder)/referral.json"))
        try county.drop("\(county.folder)/referral.json", as: "referral.json")
        var reference = ""
        try await waitUntil("the case", every: 200) {
            reference = ((try? await LiaisonExecutable.run(["case", "list", "--folder", desk]).output) ?? "").split(separator: " ").first.map(String.init) ?? ""
            return reference.hasPrefix("NPAS-")
        }

        // Connexions names the young person without a UPN; a row with a mistyped phone number is reported back.
        try drop(
            """
            upn,forename,surname,date_of_birth,adviser_name,adviser_team,adviser_phone,assigned_on,ended_on
            ,\(pupil.forename.uppercased()),\(pupil.surname),\(pupil.dob),P. Adviser,Breckland,01632 960456,2025-09-15,
            ,Another,Person,2010-01-01,R. Adviser,Breckland,0163x,2025-09-15,

            """, into: connexions, as: "advisers.csv")
        try await waitUntil("the assignments' reply") { read("\(connexions)/outbox/replies/advisers.csv.reply.csv") != nil }
        let reply = read("\(connexions)/outbox/replies/advisers.csv.reply.csv") ?? ""
        #expect(reply.contains("0,sent,1 adviser assignments to the attendance service"), "\(reply)")
        #expect(reply.contains("2,sent,the attendance service finds the young person by name and date of birth"), "\(reply)")
        #expect(reply.contains("3,not sent,\"adviser_phone 0163x is not a telephone number"), "\(reply)")
        var shown = ""
        try await waitUntil("the adviser on the case", every: 200) {
            shown = (try? await LiaisonExecutable.run(["case", "show", reference, "--folder", desk]).output) ?? ""
            return shown.contains("Connexions personal adviser")
        }
        #expect(shown.contains("Connexions personal adviser: P. Adviser (Breckland, 01632 960456), from 2025-09-15"), "\(shown)")
    }
}
