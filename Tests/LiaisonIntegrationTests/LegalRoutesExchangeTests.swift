import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// The legal routes through the real broker and adapters: a penalty notice issued with `liaison case penalty-notice
/// issue` reaches the school's outbox as the parent's letter (and only there); payment after its last day is
/// refused and the case shows as ready for prosecution; the fast track, a school attendance order and the
/// education supervision order's pack follow from the command line.
@Suite("Legal routes: penalty notices to schools, and the other routes from the command line", .timeLimit(.minutes(2)), .realProcesses)
struct LegalRoutesExchangeTests {
    @Test func aPenaltyNoticeBecomesTheParentsLetterAtTheSchool() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 20)
        defer { county.running.finish() }
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk")]
        defer { for adapter in adapters { adapter.stopInBackground() } }
        let desk = "\(county.folder)/npas"
        let config = county.running.hub.configPath
        let legal = "\(CountyExchangeTests.repository)/config/legal"
        func liaison(_ arguments: [String]) async throws -> (status: Int32, output: String) { try await LiaisonExecutable.run(arguments) }

        // The school's first half term, then a referral for its first pupil (as CaseworkTests does).
        let ctf = try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/ctf").sorted().first { $0.hasSuffix("-ht1.xml") }!
        try county.drop("\(county.county)/ctf/\(ctf)")
        _ = try await county.waitForReturns(1)
        // A pupil of compulsory school age throughout the notice's default period (the 10 school weeks to 3 November
        // 2025, from 14 July): born from 1 September 2009 to 31 March 2020. The desk refuses a notice for any other.
        let row = try #require(try String(contentsOfFile: "\(county.county)/csv/\((ctf as NSString).deletingPathExtension).csv", encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .first { $0.count > 7 && ("2009-09-01"..."2020-03-31").contains($0[5]) }, "no pupil of compulsory school age in the synthetic school")
        let (laestab, upn) = (row[0], row[2])
        var referral = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/referral/valid-1.json"))) as? [String: Any])
        referral["school"] = ["laestab": laestab, "name": row[1]]
        var pupil = referral["pupil"] as! [String: Any]
        (pupil["upn"], pupil["forename"], pupil["surname"], pupil["date_of_birth"], pupil["year_group"]) = (upn, row[4], row[3], row[5], row[7])
        referral["pupil"] = pupil
        try JSONSerialization.data(withJSONObject: referral).write(to: URL(fileURLWithPath: "\(county.folder)/referral.json"))
        try county.drop("\(county.folder)/referral.json", as: "referral-r.json")
        var list = ""
        for _ in 0..<25 {  // each look is a `liaison` process: one every 200 ms
            list = try await liaison(["case", "list", "--folder", desk]).output
            if list.contains("NPAS-") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let reference = try #require(list.split(separator: " ").first.map(String.init), "\(list)")

        let check = try await liaison(["case", "penalty-notice", "check", reference, "--folder", desk, "--legal", legal, "--on", "2025-11-03"])
        #expect(check.status == 0 && check.output.contains("school weeks"), "\(check.output)")
        let issue = ["case", "penalty-notice", "issue", reference, "--config", config, "--folder", desk, "--legal", legal, "--parent", "C1",
                     "--date", "2025-11-03", "--despite-threshold", "Synthetic register: tested below the threshold too."]
        let unallocated = try await liaison(issue)
        #expect(unallocated.status != 0 && unallocated.output.contains("liaison case allocate"), "\(unallocated.output)")
        #expect(try await liaison(["case", "allocate", reference, "--folder", desk, "--esw", "E. Worker"]).status == 0)
        let issued = try await liaison(issue)
        #expect(issued.status == 0 && issued.output.contains("PN-2025-0001") && issued.output.contains("£80.00 if paid by 2025-11-24"), "\(issued.output)")

        // The letter for the parent, in the school's outbox, named by type and hub sequence.
        var letters: [String] = []
        for _ in 0..<200 {
            letters = county.files("schools-mis/outbox/\(laestab)", suffix: ".html").filter { $0.hasPrefix("penalty.notice-") }
            if !letters.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let letter = try String(contentsOfFile: "\(county.folder)/schools-mis/outbox/\(laestab)/\(try #require(letters.first))", encoding: .utf8)
        #expect(letter.contains("Penalty notice PN-2025-0001") && letter.contains("Anne Example") && letter.contains("£160.00"))
        #expect(!letters[0].contains(upn) && !letters[0].contains("PN-"), "named by type and hub sequence: \(letters)")

        // A second notice while the first is undecided is refused with the reason; a late payment too.
        let again = try await liaison(issue.map { $0 == "2025-11-03" ? "2025-11-10" : $0 })
        #expect(again.status != 0 && again.output.contains("is unpaid"), "\(again.output)")
        let late = try await liaison(["case", "penalty-notice", "pay", reference, "--folder", desk, "--legal", legal, "--notice", "PN-2025-0001", "--date", "2025-12-02"])
        #expect(late.status != 0 && late.output.contains("could be paid only to 2025-12-01"), "\(late.output)")
        let routes = try await liaison(["case", "routes", "--folder", desk, "--legal", legal, "--on", "2025-12-02"])
        #expect(routes.output.contains("Ready for prosecution: penalty notice PN-2025-0001 unpaid since 2025-12-02"), "\(routes.output)")
        let shown = try await liaison(["case", "show", reference, "--folder", desk]).output
        #expect(shown.contains("ready-for-prosecution"), "the history says so: \(shown)")

        // The other routes from the command line.
        let fastTrack = try await liaison(["case", "fast-track", reference, "--folder", desk, "--legal", legal, "--start", "2025-09-08"])
        #expect(fastTrack.output.contains("decision  Decision whether to prosecute by 2025-12-05"), "\(fastTrack.output)")
        let early = try await liaison(["case", "sao", "order", reference, "--folder", desk, "--legal", legal, "--school", laestab, "--date", "2025-11-04"])
        #expect(early.status != 0 && early.output.contains("serve it first"), "\(early.output)")
        #expect(try await liaison(["case", "sao", "notice", reference, "--folder", desk, "--legal", legal, "--parent", "C1", "--served", "2025-11-03"]).status == 0)
        #expect(try await liaison(["case", "sao", "order", reference, "--folder", desk, "--legal", legal, "--school", laestab, "--date", "2025-11-19"]).status == 0)
        let out = "\(county.folder)/eso"
        let eso = try await liaison(["case", "eso", reference, "--folder", desk, "--legal", legal, "--out", out, "--date", "2025-12-15"])
        #expect(eso.status == 0, "\(eso.output)")
        let pack = try String(contentsOfFile: "\(out)/eso-application-\(reference).html", encoding: .utf8)
        #expect(pack.contains("Application for an education supervision order") && pack.contains("Penalty notice PN-2025-0001"))
        let monitor = try await liaison(["case", "monitor", "--folder", desk])
        #expect(monitor.output.contains("No case has been disposed of by a court."), "\(monitor.output)")
    }
}
