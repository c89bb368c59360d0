import ArgumentParser
import Foundation
import StrictJSON
import LiaisonStore
import LiaisonConfig
import LiaisonProtocol
import LiaisonRules

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, explain, test and compare the sharing rules (config/agreements).",
        subcommands: [Check.self, Explain.self, Test.self, Diff.self])

    /// Options every rules command shares.
    struct RulesOptions: ParsableArguments {
        @OptionGroup var options: ConfigOptions

        @Option(help: ArgumentHelp("The agreements folder (default: agreements_dir in the hub configuration).", valueName: "dir"))
        var agreements: String?

        @Option(help: "The date to decide on, YYYY-MM-DD (default: today).")
        var date: String = String(Date().ISO8601Format().prefix(10))

        /// The hub, its schemas, and the rule set with its problems.
        func load(agreementsOverride: String? = nil) throws -> (hub: HubConfiguration, agencies: AgencyDirectory, schemas: MessageSchemas?, result: RuleSetLoader.Result) {
            let hub = try loadHub(options.config, requireKeys: false)
            var schemas: MessageSchemas?
            if let directory = hub.configuration.schemasDirectory {
                do { schemas = try MessageSchemas.load(directory: directory) } catch { throw UserFacingError("schemas: \(error)") }
            }
            guard let directory = agreementsOverride ?? agreements ?? hub.configuration.agreementsDirectory else {
                throw UserFacingError("rules: no agreements folder: set agreements_dir in \(options.config) or pass --agreements.")
            }
            let result = RuleSetLoader.load(directory: directory, agencies: hub.agencies, schemas: schemas, today: date)
            return (hub.configuration, hub.agencies, schemas, result)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load every agreement and schema and report every problem with file, line and key.",
            discussion: """
                Reports unknown agencies, types and field paths (checked against the schemas), flows without a purpose, \
                agreements without a lawful basis, dates out of order, review dates already passed, unknown keys, and \
                agreements that contradict each other. Exits 1 if there is any problem.
                """)

        @OptionGroup var rules: RulesOptions

        func run() throws {
            let loaded = try rules.load()
            let ruleSet = loaded.result.ruleSet
            for problem in loaded.result.problems { print("problem: \(problem)") }
            let flows = ruleSet.agreements.reduce(0) { $0 + $1.flows.count }
            print("\(ruleSet.agreements.count) agreements, \(flows) flows, \(loaded.schemas?.types.count ?? 0) schemas; rule set \(ruleSet.hash.prefix(16))")
            for agreement in ruleSet.agreements {
                print("  \(agreement.id) v\(agreement.version): \(agreement.title) (review \(agreement.review), ends \(agreement.end))")
            }
            if !loaded.result.problems.isEmpty {
                print("\(loaded.result.problems.count) problem(s)")
                throw ExitCode.failure
            }
            print("OK")
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say which flow applies to an exchange, or why none does; for a message, what would be released and withheld.",
            discussion: """
                Without --message: the agreement and flow that permit --type from --from to --to, with its purpose, \
                conditions and fields, or every reason none applies. With --message FILE (a JSON body): the decision, \
                the records released and withheld, the fields withheld, and the view the recipient would receive. \
                Cohorts come from the hub's store when it has one, and from --cohort AGENCY:NAME=UPN,UPN.
                """)

        @OptionGroup var rules: RulesOptions

        @Option(help: "The sending agency.") var from: String
        @Option(help: "The receiving agency.") var to: String
        @Option(help: "The message type.") var type: String
        @Option(help: ArgumentHelp("A JSON body to decide on.", valueName: "file")) var message: String?
        @Option(help: ArgumentHelp("A cohort for the decision, e.g. yot:yot-caseload=Q926200024001,B801200005001.", valueName: "spec"))
        var cohort: [String] = []

        func run() throws {
            let loaded = try rules.load()
            for problem in loaded.result.problems { print("warning: \(problem)") }
            guard let sender = AgencyID(from), let recipient = AgencyID(to), let messageType = MessageType(type) else {
                throw UserFacingError("explain: --from and --to must be agency ids and --type a message type.")
            }
            let cohorts = try explainCohorts(loaded.hub)
            let body: JSONValue
            if let message {
                guard let data = FileManager.default.contents(atPath: message), let value = try? JSONValue.parse(Array(data)) else {
                    throw UserFacingError("explain: cannot read JSON from \(message).")
                }
                body = value
            } else {
                body = .object([:])
            }
            // The broker's own decision path: what is explained here is what the broker would enforce.
            let envelope = Envelope(id: "explain", source: sender, type: messageType, recipients: [recipient])
            let admission = SharingPolicy(ruleSet: loaded.result.ruleSet, pseudonymKey: Array("explain".utf8)).admit(
                envelope, body: body, receivedAt: Int64(Date().timeIntervalSince1970 * 1000), date: rules.date, cohorts: cohorts)
            let decision = admission.decisions.first ?? Decision(
                recipient: recipient, permitted: false,
                reasons: ["no agreement has a flow from \(sender) for '\(messageType)'"], ruleSetHash: loaded.result.ruleSet.hash)
            let flow = decision.flow ?? loaded.result.ruleSet.agreements.lazy.flatMap(\.flows)
                .first { $0.from == sender && $0.to == recipient && $0.types.contains(messageType) }
            if let flow, let agreement = decision.agreement ?? loaded.result.ruleSet.agreements.first(where: { $0.flows.contains { $0.id == flow.id } }) {
                print("flow: \(agreement.id) v\(agreement.version) / \(flow.id)")
                print("  lawful basis: \(agreement.lawfulBasis)")
                print("  purpose:      \(flow.purpose)")
                print("  records:      \(flow.records?.description ?? "the whole body")\(flow.conditions.isEmpty ? "" : " where " + flow.conditions.map(\.description).joined(separator: " and "))")
                print("  fields:       \(flow.fields.map(\.description).joined(separator: ", "))")
            }
            if message == nil && decision.flow == nil && !decision.permitted && flow == nil {
                print("denied: \(decision.reasons.joined(separator: "; "))")
                throw ExitCode.failure
            }
            guard message != nil else { return }
            print(decision.permitted ? "decision: permit" : "decision: deny")
            for reason in decision.reasons { print("  \(reason)") }
            print("records released: \(decision.recordsReleased), withheld: \(decision.recordsWithheld)")
            print("fields withheld: \(decision.fieldsWithheld.isEmpty ? "none" : decision.fieldsWithheld.map(\.description).joined(separator: ", "))")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            switch admission.verdict {
            case .refuse(let error):
                print("message: refused, \(error.code.number) \(error.code.name): \(error.message)")
            case .updateCohort(let name, let operation, let members, _):
                print("message: a cohort update (\(name): \(operation.rawValue) \(members.count)); nothing is delivered")
            case .share:
                print("message: shared with \(admission.recipients.map(\.rawValue).joined(separator: ", "))")
                if let view = decision.view {
                    print("view:")
                    print(String(decoding: (try? encoder.encode(view)) ?? Data(), as: UTF8.self))
                }
                if let own = admission.envelopes[recipient] {
                    print("envelope the recipient receives:")
                    print(String(decoding: own.encoded(), as: UTF8.self))
                }
            }
            if let record = admission.records.first {
                print("audit record:")
                print(record.detail)
            }
            if !decision.permitted { throw ExitCode.failure }
            if case .refuse = admission.verdict { throw ExitCode.failure }
        }

        func explainCohorts(_ hub: HubConfiguration) throws -> [AgencyID: [String: Set<String>]] {
            var cohorts: [AgencyID: [String: Set<String>]] = [:]
            if FileManager.default.fileExists(atPath: hub.databasePath), let store = try? HubStore(path: hub.databasePath, readOnly: true),
                let stored = try? store.cohorts()
            {
                for (owner, named) in stored { if let id = AgencyID(owner) { cohorts[id] = named } }
            }
            for spec in cohort {
                let parts = spec.split(separator: "=", maxSplits: 1)
                let head = parts.first?.split(separator: ":") ?? []
                guard parts.count == 2, head.count == 2, let owner = AgencyID(String(head[0])) else {
                    throw UserFacingError("explain: --cohort takes AGENCY:NAME=UPN,UPN; got \(spec).")
                }
                cohorts[owner, default: [:]][String(head[1])] = Set(parts[1].split(separator: ",").map(String.init))
            }
            return cohorts
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the policy tests (config/tests/*.yaml) against the rules, in the manner of `opa test`.",
            discussion: "Each test gives a message, its context (date, cohorts) and the decision expected per recipient. Exits 1 on any failure.")

        @OptionGroup var rules: RulesOptions

        @Option(help: ArgumentHelp("The policy tests folder (default: tests/ beside the hub configuration).", valueName: "dir"))
        var tests: String?

        func run() throws {
            let loaded = try rules.load()
            for problem in loaded.result.problems { print("problem: \(problem)") }
            let folder = tests ?? "\((rules.options.config as NSString).deletingLastPathComponent)/tests"
            let policyTests: [PolicyTest]
            do { policyTests = try PolicyTest.load(directory: folder) } catch { throw UserFacingError("rules test: \(error)") }
            var failed = 0
            for test in policyTests {
                let differences = test.run(loaded.result.ruleSet)
                if differences.isEmpty {
                    print("PASS: \(test.name)")
                } else {
                    failed += 1
                    print("FAIL: \(test.name) (\((test.file as NSString).lastPathComponent))")
                    for difference in differences { print("    \(difference)") }
                }
            }
            print("\(policyTests.count - failed) passed, \(failed) failed")
            if failed > 0 || policyTests.isEmpty || !loaded.result.problems.isEmpty { throw ExitCode.failure }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay the messages the hub still holds under a proposed rule set, and list what each agency would gain or lose.",
            discussion: """
                Reads the hub's store (read-only), decides every held message under the rules in force and under \
                --proposed, and reports per agency: messages newly permitted or denied, records gained or lost, and \
                fields it would newly see or no longer see. Nothing is changed or sent.
                """)

        @OptionGroup var rules: RulesOptions

        @Option(help: ArgumentHelp("The folder of the proposed agreements.", valueName: "dir"))
        var proposed: String

        func run() throws {
            let current = try rules.load()
            let candidate = try rules.load(agreementsOverride: proposed)
            for problem in candidate.result.problems { print("problem in the proposal: \(problem)") }
            let store = try current.hub.openSQLiteStore(command: "rules diff")
            let held = try store.heldMessages()
            var cohorts: [AgencyID: [String: Set<String>]] = [:]
            for (owner, named) in (try? store.cohorts()) ?? [:] { if let id = AgencyID(owner) { cohorts[id] = named } }
            let report = RuleDiff.compare(
                messages: held.compactMap { message in
                    guard let source = AgencyID(message.source), let type = MessageType(message.type), let body = try? JSONValue.parse(message.body)
                    else { return nil }
                    return RuleDiff.Message(sequence: message.sequence, source: source, type: type, body: body)
                },
                current: current.result.ruleSet, proposed: candidate.result.ruleSet,
                context: RuleSet.Context(date: rules.date, cohorts: cohorts, pseudonymKey: Array("diff".utf8)))
            print("Replayed \(held.count) held messages under the rules in force (\(current.result.ruleSet.hash.prefix(12))) and the proposal (\(candidate.result.ruleSet.hash.prefix(12))).")
            if report.isEmpty {
                print("No agency would gain or lose anything.")
                return
            }
            for change in report {
                print("\(change.agency):")
                if change.newlyPermitted > 0 { print("  + \(change.newlyPermitted) messages it would now receive") }
                if change.newlyDenied > 0 { print("  - \(change.newlyDenied) messages it would no longer receive") }
                if change.recordsGained > 0 { print("  + \(change.recordsGained) records gained") }
                if change.recordsLost > 0 { print("  - \(change.recordsLost) records lost") }
                for field in change.fieldsGained { print("  + field \(field)") }
                for field in change.fieldsLost { print("  - field \(field)") }
            }
        }
    }
}
