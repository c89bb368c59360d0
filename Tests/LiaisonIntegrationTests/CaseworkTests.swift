import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// From referral to court and back, through the real broker and the real adapters: a school's referral
/// opens a case at the desk; the ESW works it; the prosecution file, assembled from the case and the stored
/// register, reaches the Courts' clerk as a bundle; the clerk's outcome comes back; the school gets the
/// disposal and written feedback as letters.
@Suite("Casework: referral, prosecution, outcome, disposal", .timeLimit(.minutes(3)), .realProcesses(.long))
struct CaseworkTests {
    @Test func aReferralBecomesACaseAProsecutionAndADisposalLetter() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 20)
        defer { county.running.finish() }
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk"), try await county.adapter("courts", ["--chromium", try StandInChromium.write(in: county.folder)])]  // PDFs: CourtsExchangeTests
        defer { for adapter in adapters { adapter.stopInBackground() } }
        let desk = "\(county.folder)/npas"
        let config = county.running.hub.configPath
        func liaison(_ arguments: [String]) async throws -> (status: Int32, output: String) { try await LiaisonExecutable.run(arguments) }

        // The school's register for the half term, then a referral for one of its pupils.
        let ctf = try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/ctf").sorted().first { $0.hasSuffix("-ht1.xml") }!
        try county.drop("\(county.county)/ctf/\(ctf)")
        _ = try await county.waitForReturns(1)
        // A pupil of compulsory school age with the most unauthorised absence: a child a court could act for.
        let lines = try String(contentsOfFile: "\(county.county)/csv/\((ctf as NSString).deletingPathExtension).csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        let pupils = Dictionary(grouping: lines.dropFirst().filter { Int($0[column("year_group")]).map { (1...10).contains($0) } ?? false }) {
            $0[column("upn")]
        }
        let chosen = try #require(pupils.values.max { a, b in
            a.filter { ["G", "N", "O", "U"].contains($0[column("code")]) }.count < b.filter { ["G", "N", "O", "U"].contains($0[column("code")]) }.count
        })
        let row = chosen[0]
        let (laestab, schoolName, upn, surname, forename, dob, yearGroup) = (
            row[column("laestab")], row[column("school_name")], row[column("upn")], row[column("surname")], row[column("forename")],
            row[column("dob")], row[column("year_group")]
        )
        var referral = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/referral/valid-1.json"))) as? [String: Any])
        referral["school"] = ["laestab": laestab, "name": schoolName]
        var pupil = referral["pupil"] as! [String: Any]
        pupil["upn"] = upn
        pupil["forename"] = forename
        pupil["surname"] = surname
        pupil["date_of_birth"] = dob
        pupil["year_group"] = yearGroup
        referral["pupil"] = pupil
        try JSONSerialization.data(withJSONObject: referral).write(to: URL(fileURLWithPath: "\(county.folder)/referral.json"))
        try county.drop("\(county.folder)/referral.json", as: "referral-\(upn).json")
        var list = ""
        for _ in 0..<25 {  // each look is a `liaison` process: one every 200 ms
            list = try await liaison(["case", "list", "--folder", desk]).output
            if list.contains("NPAS-") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let reference = try #require(list.split(separator: " ").first.map(String.init), "\(list)")
        #expect(list.contains("open") && list.contains("\(forename) \(surname)"), "\(list)")

        // Refused while a court would lack something, with the reason.
        let unsigned = ["case", "prosecute", reference, "--config", config, "--folder", desk, "--offence", "444-1A",
                        "--court", "Example Magistrates' Court", "--hearing", "2026-01-20", "--laid-on", "2025-12-01",
                        "--legal", "\(CountyExchangeTests.repository)/config/legal", "--costs", "Officer time:12000"]
        let prosecute = unsigned + ["--declare", "--certified-by", "H. Teacher, Headteacher", "--certified-on", "2026-01-05"]
        // Every reason at once: no officer, no declaration, no school's certificate.
        let refused = try await liaison(unsigned)
        #expect(refused.status != 0)
        #expect(refused.output.contains("no Education Social Worker is allocated"), "\(refused.output)")
        #expect(refused.output.contains("not declared the statement true"), "\(refused.output)")
        #expect(refused.output.contains("the school's certificate of the register"), "\(refused.output)")
        #expect(refused.output.contains("names no defendant"), "\(refused.output)")
        // Each parent is chosen by the worker, with why; a contact with neither responsibility nor care is not a parent.
        let notParent = try await liaison(["case", "defendant", reference, "--folder", desk, "--contact", "2", "--date-of-birth", "1980-01-02",
                                     "--reason", "Lives nearby.", "--by", "E. Worker"])
        #expect(notParent.status != 0 && notParent.output.contains("--has-care"), "\(notParent.output)")
        let chose = try await liaison(["case", "defendant", reference, "--folder", desk, "--contact", "1", "--date-of-birth", "1985-06-21", "--has-care",
                                 "--reason", "The child lives with her; she received the warning notice.", "--by", "E. Worker"])
        #expect(chose.status == 0 && chose.output.contains("defendant D1"), "\(chose.output)")
        #expect(try await liaison(["case", "allocate", reference, "--folder", desk, "--esw", "E. Worker"]).status == 0)
        let noMarks = try await liaison(prosecute + ["--from", "2024-01-01", "--to", "2024-02-01"])
        #expect(noMarks.output.contains("no register marks"), "\(noMarks.output)")

        #expect(try await liaison(["case", "intervene", reference, "--folder", desk, "--type", "warning_notice", "--date", "2025-10-01",
                             "--description", "Warning notice of possible prosecution."]).status == 0)
        #expect(try await liaison(["case", "intervene", reference, "--folder", desk, "--type", "penalty_notice", "--date", "2025-10-20",
                             "--defendant", "1", "--amount", "160"]).status == 0)
        let sent = try await liaison(prosecute)
        #expect(sent.status == 0, "\(sent.output)")
        let again = try await liaison(prosecute)
        #expect(again.output.contains("already had this exact message"), "\(again.output)")

        // The clerk's bundle, built from the case and the stored register.
        let bundle = "\(county.folder)/courts/outbox/\(reference)/2026-01-20"
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: "\(bundle)/manifest.json") { try await Task.sleep(for: .milliseconds(50)) }
        let html = try String(contentsOfFile: "\(bundle)/prosecution-file.html", encoding: .utf8)
        #expect(html.contains("\(forename) \(surname)"))
        #expect(html.contains("Warning notice"))
        #expect(html.contains("£160.00"))
        let register = try String(contentsOfFile: "\(bundle)/register-extract.csv", encoding: .utf8)
        #expect(register.split(separator: "\n").count > 20, "a half term of school days")

        // The court's decision comes back; on final disposal the school is told.
        try """
            case_reference,court,hearing_date,defendant,offence,outcome,amount,costs,victim_surcharge,parenting_months,programme,note
            \(reference),Example Magistrates' Court,2026-01-20,D1,444(1A),fine+parenting_order,400,150,160,12,yes,

            """.write(toFile: "\(county.folder)/courts/inbox/outcomes.csv.part", atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: "\(county.folder)/courts/inbox/outcomes.csv.part", toPath: "\(county.folder)/courts/inbox/outcomes.csv")
        var letters: [String] = []
        for _ in 0..<200 {
            letters = county.files("schools-mis/outbox/\(laestab)", suffix: ".html")
            if letters.contains(where: { $0.hasPrefix("case.disposal") }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(letters.contains { $0.hasPrefix("case.disposal") }, "\(letters)")
        let shown = try await liaison(["case", "show", reference, "--folder", desk]).output
        #expect(shown.contains("(disposed)"), "\(shown)")
        #expect(shown.contains("outcome: hearing 2026-01-20: D1: sentenced"), "\(shown)")
        #expect(shown.contains("disposal-sent: to the school"), "\(shown)")

        // And written feedback, as the strategy asks for every case.
        let feedback = try await liaison(["case", "feedback", reference, "--config", config, "--folder", desk,
                                    "--text", "The court fined the parent and made a parenting order.", "--case-status", "closed"])
        #expect(feedback.status == 0, "\(feedback.output)")
        for _ in 0..<200 {
            letters = county.files("schools-mis/outbox/\(laestab)", suffix: ".html")
            if letters.contains(where: { $0.hasPrefix("case.feedback") }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(letters.contains { $0.hasPrefix("case.feedback") }, "\(letters)")
    }
}
