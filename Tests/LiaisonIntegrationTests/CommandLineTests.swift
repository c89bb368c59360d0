import Foundation
import LiaisonTestSupport
import Testing

/// The `liaison` executable, run as a user would run it.
@Suite("The liaison command line", .timeLimit(.minutes(2)), .realProcesses(.long))
struct CommandLineTests {
    @Test func helpListsEverySubcommand() async throws {
        let result = try await LiaisonExecutable.run(["--help"])
        #expect(result.status == 0)
        for command in ["broker", "keys", "send", "listen", "audit", "config"] {
            #expect(result.output.contains(command), "help does not mention \(command)")
        }
    }

    @Test func configCheckAcceptsAGoodConfigurationAndNamesTheLineOfABadKey() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let good = try await LiaisonExecutable.run(["config", "check", "--config", hub.configPath])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("agencies        4"))

        try (try String(contentsOfFile: hub.configPath, encoding: .utf8) + "hearbeat_ms: 100\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let bad = try await LiaisonExecutable.run(["config", "check", "--config", hub.configPath])
        #expect(bad.status != 0)
        #expect(bad.output.contains("hub.yaml:6: 'hearbeat_ms': Unknown key"), "\(bad.output)")
    }

    @Test func keysGenerateWritesAPairAndWillNotOverwriteIt() async throws {
        let keys = try TemporaryFolder("cli-keys", create: false)
        defer { keys.remove() }
        let directory = keys.path
        let first = try await LiaisonExecutable.run(["keys", "generate", "--agency", "yot", "--out", directory])
        #expect(first.status == 0)
        let publicKey = try String(contentsOfFile: "\(directory)/yot.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(publicKey.count == 40)
        #expect(first.output.contains(publicKey))
        let second = try await LiaisonExecutable.run(["keys", "generate", "--agency", "yot", "--out", directory])
        #expect(second.status != 0)
        #expect(second.output.contains("--force"))
    }

    @Test func sendListenAndAuditTailWorkTogether() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let config = running.hub.configPath
        let bodyPath = "\(running.hub.directory)/update.json"
        try #"{"note":"synthetic"}"#.write(toFile: bodyPath, atomically: true, encoding: .utf8)
        let sent = try await LiaisonExecutable.run([
            "send", "--config", config, "--as", "yot", "--type", "yot.case-update", "--to", "npas", "--file", bodyPath,
            "--id", "cli-1",
        ])
        #expect(sent.status == 0, "\(sent.output)")
        #expect(sent.output.contains("accepted: sequence 1, recipients npas"))

        let outFolder = "\(running.hub.directory)/received"
        let listened = try await LiaisonExecutable.run([
            "listen", "--config", config, "--as", "npas", "--count", "1", "--timeout", "10", "--out", outFolder,
        ])
        #expect(listened.status == 0, "\(listened.output)")
        #expect(listened.output.contains("delivery 1: yot.case-update from yot, id cli-1"))
        #expect(try String(contentsOfFile: "\(outFolder)/1.body", encoding: .utf8) == #"{"note":"synthetic"}"#)

        let rejected = try await LiaisonExecutable.run([
            "send", "--config", config, "--as", "yot", "--type", "yot.case-update", "--to", "nobody", "--file", bodyPath,
        ])
        #expect(rejected.status != 0)
        #expect(rejected.output.contains("414 unknown-recipient"))

        let tail = try await LiaisonExecutable.run(["audit", "tail", "--config", config, "-n", "50"])
        #expect(tail.status == 0)
        for kind in ["configuration-loaded", "accepted", "delivered", "acknowledged", "rejected"] {
            #expect(tail.output.contains(kind), "audit tail lacks \(kind)")
        }
    }

    @Test func listenGivesUpAfterItsTimeout() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let result = try await LiaisonExecutable.run([
            "listen", "--config", running.hub.configPath, "--as", "courts", "--count", "1", "--timeout", "1",
        ])
        #expect(result.status != 0)
        #expect(result.output.contains("stopped after 0 of 1"))
    }

    @Test func sendingWithAnUnlistedKeySaysWhatToCheck() async throws {
        let running = try await RunningHub.start(agencies: ["npas"])
        defer { running.finish() }
        let keys = "\(running.hub.directory)/elsewhere"
        _ = try await LiaisonExecutable.run(["keys", "generate", "--agency", "npas", "--out", keys])
        let bodyPath = "\(running.hub.directory)/b.json"
        try "{}".write(toFile: bodyPath, atomically: true, encoding: .utf8)
        let result = try await LiaisonExecutable.run([
            "send", "--config", running.hub.configPath, "--as", "npas", "--key", "\(keys)/npas.key", "--type", "t.x",
            "--to", "npas", "--file", bodyPath,
        ])
        #expect(result.status != 0)
        // At once, from the handshake's refusal (not after the HELLO timeout), naming the key to list.
        #expect(result.output.contains("refused this adapter's key") && result.output.contains("agencies.yaml"), "\(result.output)")
    }
}

/// The repository's own sharing rules, through `liaison rules`, as the information governance officer
/// runs them (no keys needed).
@Suite("liaison rules", .timeLimit(.minutes(2)), .realProcesses)
struct RulesCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func liaison(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await LiaisonExecutable.run(arguments, currentDirectory: Self.repository)
    }

    @Test func theCountysAgreementsCheckClean() async throws {
        let result = try await liaison(["rules", "check", "--config", "config/hub.yaml", "--date", "2026-11-29"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("6 agreements, 21 flows, 19 schemas"), "\(result.output)")
    }

    @Test func theCountysPolicyTestsPass() async throws {
        let result = try await liaison(["rules", "test", "--config", "config/hub.yaml", "--date", "2026-11-29"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("12 passed, 0 failed") || result.output.contains(" passed, 0 failed"))
        #expect(!result.output.contains("FAIL"))
    }

    @Test func aBrokenPolicyTestFailsWithADiff() async throws {
        let tests = try TemporaryFolder("policy")
        defer { tests.remove() }
        let folder = tests.path
        try """
            name: wrongly expects the Advisory Service to get a pupil-level return
            date: 2026-11-29
            message:
              from: schools-mis
              type: attendance.return
              to: [advisory-service]
              body_file: \(Self.repository)/schemas/examples/attendance.return/valid-1.json
            expect:
              - recipient: advisory-service
                decision: permit
            """.write(toFile: "\(folder)/wrong.yaml", atomically: true, encoding: .utf8)
        let result = try await liaison(["rules", "test", "--config", "config/hub.yaml", "--date", "2026-11-29", "--tests", folder])
        #expect(result.status != 0)
        #expect(result.output.contains("FAIL: wrongly expects"))
        #expect(result.output.contains("- expected permit"))
        #expect(result.output.contains("+ got      deny"))
    }

    @Test func checkNamesAFieldTheSchemaDoesNotHave() async throws {
        let agreements = try TemporaryFolder("agreements")
        defer { agreements.remove() }
        let folder = agreements.path
        let original = try String(contentsOfFile: "\(Self.repository)/config/agreements/yot-protocol.yaml", encoding: .utf8)
        try original.replacingOccurrences(of: "/sen/status]", with: "/sen/statuss]")
            .write(toFile: "\(folder)/yot-protocol.yaml", atomically: true, encoding: .utf8)
        let result = try await liaison(["rules", "check", "--config", "config/hub.yaml", "--agreements", folder, "--date", "2026-11-29"])
        #expect(result.status != 0)
        #expect(result.output.contains("yot-protocol.yaml:"), "\(result.output)")
        #expect(result.output.contains("/sen/statuss is not a field of 'yot.attendance-summary'"))
    }

    @Test func explainSaysWhyNothingApplies() async throws {
        let result = try await liaison([
            "rules", "explain", "--config", "config/hub.yaml", "--date", "2026-11-29", "--from", "npas", "--to",
            "advisory-service", "--type", "attendance.return",
        ])
        #expect(result.status != 0)
        #expect(result.output.contains("its flows from npas to advisory-service do not cover 'attendance.return'"), "\(result.output)")
    }

    @Test func explainShowsWhatAMessageWouldRelease() async throws {
        let result = try await liaison([
            "rules", "explain", "--config", "config/hub.yaml", "--date", "2026-11-29", "--from", "npas", "--to", "yot", "--type",
            "yot.attendance-summary", "--message", "schemas/examples/yot.attendance-summary/valid-1.json", "--cohort",
            "yot:yot-caseload=N926400123002",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("decision: permit"))
        #expect(result.output.contains("fields withheld: /sen/primary_need"))
        // The broker's own decision path: the whole message's fate, the envelope and the audit record it would write.
        #expect(result.output.contains("message: shared with yot"))
        #expect(result.output.contains("envelope the recipient receives:"))
        #expect(result.output.contains("\"recipients\":\"yot\""), "\(result.output)")
        // The audit record names the child by keyed pseudonym only.
        let record = result.output.components(separatedBy: "audit record:\n").last ?? ""
        #expect(record.contains("\"children\":[\"psn-"), "\(result.output)")
        #expect(!record.contains("N926400123002"))
    }

    @Test func explainSaysTheWholeMessageIsRefusedForAChildOffTheCaseload() async throws {
        let result = try await liaison([
            "rules", "explain", "--config", "config/hub.yaml", "--date", "2026-11-29", "--from", "npas", "--to", "yot", "--type",
            "yot.attendance-summary", "--message", "schemas/examples/yot.attendance-summary/valid-1.json", "--cohort",
            "yot:yot-caseload=Q926200024001",
        ])
        #expect(result.status != 0)
        #expect(result.output.contains("decision: deny"))
        #expect(result.output.contains("message: refused, 451"), "\(result.output)")
    }
}
