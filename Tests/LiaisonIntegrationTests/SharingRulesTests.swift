import Foundation
import StrictJSON
import LiaisonAdapterKit
import LiaisonStore
import LiaisonProtocol
import LiaisonTestSupport
import Testing

@Suite("Sharing rules in the broker", .timeLimit(.minutes(2)), .realProcesses)
struct SharingRulesTests {
    static let agreement = """
        id: yot-protocol
        title: Education information for the Youth Offending Team
        version: "1.3"
        parties: [npas, yot]
        lawful_basis: Crime and Disorder Act 1998 s115
        purpose: Support the education of young people known to the YOT
        effective: 2026-01-01
        review: 2099-01-01
        end: 2099-12-31
        retention: 2y
        contact: Information governance officer
        flows:
          - id: caseload-attendance
            from: npas
            to: yot
            types: [test.summary]
            purpose: Attendance of children on the YOT caseload
            records: /pupils
            where:
              - in_cohort: yot-caseload
                key: /upn
            fields: [/period, /pupils/*/upn, /pupils/*/attendance]
        """

    func start(extraFlow: String = "") async throws -> RunningHub {
        let agreements = try TemporaryFolder("agreements")
        let folder = agreements.path
        try (Self.agreement + extraFlow).replacingOccurrences(of: "parties: [npas, yot]", with: "parties: [npas, yot, courts]")
            .write(toFile: "\(folder)/yot.yaml", atomically: true, encoding: .utf8)
        return try await RunningHub.start(extraConfig: "agreements_dir: \(folder)\n", removing: [agreements])
    }

    /// The YOT replaces its caseload with these UPNs.
    func registerCaseload(_ yot: AdapterClient, _ upns: [String]) async throws {
        let members = upns.map { #"{"upn":"\#($0)"}"# }.joined(separator: ",")
        _ = try await yot.send(
            type: "cohort.update", to: [], body: Array(#"{"cohort":"yot-caseload","operation":"replace","members":[\#(members)]}"#.utf8))
    }

    let summary = #"""
        {"period":"2026-autumn-1","pupils":[
          {"upn":"Q926200024001","attendance":88.0,"name":"SYNTH ONE","notes":"private"},
          {"upn":"B801200005001","attendance":70.0,"name":"SYNTH TWO","notes":"private"}]}
        """#

    @Test func onlyCaseloadChildrenAndAllowedFieldsReachTheYOT() async throws {
        let running = try await start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let cohort = try await yot.send(
            type: "cohort.update", to: [],
            body: Array(#"{"cohort":"yot-caseload","operation":"replace","members":[{"upn":"Q926200024001"}]}"#.utf8))
        #expect(cohort.recipients.isEmpty)

        let npas = try await running.hub.connect("npas")
        let receipt = try await npas.send(type: "test.summary", to: [], body: Array(summary.utf8), subject: "SYNTH ONE's summary")
        #expect(receipt.recipients == ["yot"])
        let delivered = await collect(yot, count: 1, timeout: .seconds(10))
        // The envelope is minimised too: no free-text subject, and no other recipients named.
        #expect(delivered.first?.envelope.subject == nil)
        #expect(delivered.first?.envelope.recipients.map(\.rawValue) == ["yot"])
        let view = try JSONValue.parse(delivered.first?.body ?? [])
        #expect(view == (try JSONValue.parse(#"{"period":"2026-autumn-1","pupils":[{"upn":"Q926200024001","attendance":88.0}]}"#)))

        let decision = try #require(try running.audit().first { $0.event.kind == .decision && $0.event.recipient == "yot" })
        let record = try JSONValue.parse(decision.event.detail ?? "")
        #expect(record["agreement"] == .string("yot-protocol"))
        #expect(record["version"] == .string("1.3"))
        #expect(record["flow"] == .string("caseload-attendance"))
        #expect(record["released"] == .number(1))
        #expect(record["withheld"] == .number(1))
        #expect(record["fields_withheld"] == .array([.string("/pupils/*/name"), .string("/pupils/*/notes")]))
        #expect(record["children"]?.arrayValue?.count == 1)
        #expect(try running.audit().allSatisfy { !"\($0)".contains("Q926200024001") }, "a UPN reached the audit log")
        await yot.close()
        await npas.close()
    }

    @Test func anAgencyDeniedAmongOthersPermittedReceivesNothing() async throws {
        // Two flows for one type: the YOT's condition is met, the court's is not. With no recipients named,
        // the message goes to the YOT only, and the court must not fall back to the unminimised body.
        let running = try await start(extraFlow: """

              - id: court-list
                from: npas
                to: courts
                types: [test.summary]
                purpose: Children on the court's list
                records: /pupils
                where:
                  - in_cohort: court-list
                    key: /upn
                fields: [/pupils/*/upn]
            """)
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        try await registerCaseload(yot, ["Q926200024001"])
        let npas = try await running.hub.connect("npas")
        let receipt = try await npas.send(type: "test.summary", to: [], body: Array(summary.utf8))
        #expect(receipt.recipients == ["yot"])
        let courts = try await running.hub.connect("courts")
        #expect(await collect(courts, count: 1, timeout: .seconds(1)).isEmpty)
        #expect(await collect(yot, count: 1, timeout: .seconds(5)).count == 1)
        let courtDecision = try running.audit().first { $0.event.kind == .decision && $0.event.recipient == "courts" }
        #expect(courtDecision?.event.code == 451)
        await yot.close()
        await npas.close()
        await courts.close()
    }

    @Test func aSubjectAccessRequestListsEveryReleaseOfOneChild() async throws {
        let running = try await start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        try await registerCaseload(yot, ["Q926200024001"])
        let npas = try await running.hub.connect("npas")
        for index in 0..<2 { _ = try await npas.send(type: "test.summary", to: [], body: Array(summary.utf8), id: "summary-\(index)") }
        await yot.close()
        await npas.close()

        let json = try await LiaisonExecutable.run(["audit", "subject", "--config", running.hub.configPath, "--upn", "Q926200024001"])
        #expect(json.status == 0, "\(json.output)")
        let report = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let releases = report?["releases"] as? [[String: Any]] ?? []
        #expect(releases.count == 2)
        #expect(releases.allSatisfy { $0["to"] as? String == "yot" && $0["agreement"] as? String == "yot-protocol" })
        #expect(releases.first?["lawful_basis"] as? String == "Crime and Disorder Act 1998 s115")
        #expect(releases.first?["fields"] as? [String] == ["/period", "/pupils/*/upn", "/pupils/*/attendance"])
        #expect((releases.first?["inclusion_proof"] as? [String: Any])?["root"] != nil)
        // The other child was never released: an empty answer, not an error.
        let none = try await LiaisonExecutable.run(["audit", "subject", "--config", running.hub.configPath, "--upn", "B801200005001"])
        #expect(none.output.contains("\"releases\" : [\n\n  ]") || none.output.contains("\"releases\" : []"), "\(none.output)")
        let html = try await LiaisonExecutable.run(["audit", "subject", "--config", running.hub.configPath, "--upn", "Q926200024001", "--format", "html"])
        #expect(html.output.contains("<strong>2 releases found.</strong>"))
        #expect(!html.output.contains("Q926200024001"), "the report does not repeat the UPN")

        let query = try await LiaisonExecutable.run([
            "audit", "query", "--config", running.hub.configPath, "--agreement", "yot-protocol", "--permitted", "--format", "csv",
        ])
        #expect(query.output.split(separator: "\n").count == 3, "\(query.output)")  // header and two decisions
    }

    @Test func aDeniedMessageIsRejectedWithItsReasonsAndAudited() async throws {
        let running = try await start()
        defer { running.finish() }
        let npas = try await running.hub.connect("npas")
        do {
            _ = try await npas.send(type: "test.summary", to: ["courts"], body: Array(summary.utf8))
            Issue.record("a message no flow covers was accepted")
        } catch {
            #expect(error.protocolError?.code == .denied)
            #expect(error.protocolError?.message.contains("no agreement has a flow from npas to courts") == true)
        }
        let decisions = try running.audit().filter { $0.event.kind == .decision }
        #expect(decisions.map(\.event.code) == [451])
        #expect(try running.audit().contains { $0.event.kind == .rejected && $0.event.code == 451 })
        await npas.close()
    }

    @Test func aTypeNoAgreementCoversNeverLeavesTheBroker() async throws {
        let running = try await start()
        defer { running.finish() }
        let npas = try await running.hub.connect("npas")
        await #expect { _ = try await npas.send(type: "referral", to: [], body: Array("{}".utf8)) } throws: { error in
            (error as? AdapterError)?.protocolError?.code == .denied
        }
        await #expect { _ = try await npas.send(type: "referral", to: ["yot"], body: Array("{}".utf8)) } throws: { error in
            (error as? AdapterError)?.protocolError?.message.contains("do not cover 'referral'") == true
        }
        let yot = try await running.hub.connect("yot")
        #expect(await collect(yot, count: 1, timeout: .seconds(1)).isEmpty)
        await yot.close()
        await npas.close()
    }

    @Test func rulesDiffReplaysHeldMessagesUnderAProposal() async throws {
        let running = try await start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        try await registerCaseload(yot, ["Q926200024001"])
        await yot.close()
        let npas = try await running.hub.connect("npas")
        _ = try await npas.send(type: "test.summary", to: [], body: Array(summary.utf8))
        await npas.close()
        // The proposal drops attendance from what the YOT sees, and widens the records to every pupil.
        let proposed = try TemporaryFolder("proposal")
        defer { proposed.remove() }
        let proposal = proposed.path
        try Self.agreement
            .replacingOccurrences(of: "fields: [/period, /pupils/*/upn, /pupils/*/attendance]", with: "fields: [/period, /pupils/*/upn]")
            .replacingOccurrences(of: "            where:\n              - in_cohort: yot-caseload\n                key: /upn\n", with: "")
            .replacingOccurrences(of: "    where:\n      - in_cohort: yot-caseload\n        key: /upn\n", with: "")
            .write(toFile: "\(proposal)/yot.yaml", atomically: true, encoding: .utf8)
        let result = try await LiaisonExecutable.run(["rules", "diff", "--config", running.hub.configPath, "--proposed", proposal])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Replayed 2 held messages"), "\(result.output)")
        #expect(result.output.contains("yot:"))
        #expect(result.output.contains("+ 1 records gained"), "\(result.output)")
        #expect(result.output.contains("- field /pupils/*/attendance"), "\(result.output)")
    }

    @Test func aResentCohortUpdateIsNotAppliedAgain() async throws {
        let running = try await start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let add = Array(#"{"cohort":"yot-caseload","operation":"add","members":[{"upn":"Q926200024001"}]}"#.utf8)
        let remove = Array(#"{"cohort":"yot-caseload","operation":"remove","members":[{"upn":"Q926200024001"}]}"#.utf8)
        _ = try await yot.send(type: "cohort.update", to: [], body: add, id: "cohort-add")
        _ = try await yot.send(type: "cohort.update", to: [], body: remove, id: "cohort-remove")
        let again = try await yot.send(type: "cohort.update", to: [], body: add, id: "cohort-add")  // a late resend
        #expect(again.duplicate)
        let npas = try await running.hub.connect("npas")
        await #expect { _ = try await npas.send(type: "test.summary", to: ["yot"], body: Array(summary.utf8)) } throws: { error in
            (error as? AdapterError)?.protocolError?.code == .denied
        }
        let unknown = Array(#"{"cohort":"yot-caseload","operation":"delete","members":[]}"#.utf8)
        await #expect { _ = try await yot.send(type: "cohort.update", to: [], body: unknown) } throws: { error in
            (error as? AdapterError)?.protocolError?.code == .schemaViolation
        }
        await yot.close()
        await npas.close()
    }

    @Test func aResendIsAnsweredWithTheFirstReceiptNotDecidedAgain() async throws {
        let running = try await start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        try await registerCaseload(yot, ["Q926200024001"])
        let npas = try await running.hub.connect("npas")
        // Two callers with the same id at once, then a late resend: one message, one decision record.
        async let first = npas.send(type: "test.summary", to: [], body: Array(summary.utf8), id: "once")
        async let second = npas.send(type: "test.summary", to: [], body: Array(summary.utf8), id: "once")
        let (a, b) = try await (first, second)
        #expect(a.sequence == b.sequence)
        let late = try await npas.send(type: "test.summary", to: [], body: Array(summary.utf8), id: "once")
        #expect(late.duplicate && late.sequence == a.sequence && late.recipients == ["yot"])
        let decisions = try running.audit().filter { $0.event.kind == .decision && $0.event.messageID == "once" }
        #expect(decisions.count == 1)
        await yot.close()
        await npas.close()
    }

    @Test func cohortsSurviveARestart() async throws {
        let running = try await start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        _ = try await yot.send(
            type: "cohort.update", to: [],
            body: Array(#"{"cohort":"yot-caseload","operation":"add","members":[{"upn":"B801200005001"}]}"#.utf8))
        await yot.close()
        await running.broker.stop()
        try await running.broker.start()
        let npas = try await running.hub.connect("npas")
        let receipt = try await npas.send(type: "test.summary", to: ["yot"], body: Array(summary.utf8))
        #expect(receipt.recipients == ["yot"])
        let again = try await running.hub.connect("yot")
        let delivered = await collect(again, count: 1)
        let upns = try JSONValue.parse(delivered.first?.body ?? [])["pupils"]?.arrayValue?.compactMap { $0["upn"]?.stringValue }
        #expect(upns == ["B801200005001"])
        #expect(try running.audit().contains { $0.event.kind == .cohortUpdated && $0.event.detail == "yot-caseload: add 1" })
        await npas.close()
        await again.close()
    }
}
