import ArgumentParser
import Foundation
import LiaisonConfig

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the hub's configuration.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the hub configuration and its agencies, and report every problem with file, line and key.",
            discussion: "Exits 0 when the configuration is usable, 1 otherwise. Unknown keys are errors.")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let hub = try loadHub(options.config)
            let configuration = hub.configuration
            var problems: [String] = []
            if !FileManager.default.fileExists(atPath: configuration.hubSecretKeyPath) {
                problems.append(
                    "\(configuration.hubSecretKeyPath): the hub's secret key is missing; run `liaison keys generate --agency hub --out \(configuration.keysDirectory)`.")
            }
            print("Configuration \(options.config): OK")
            print("  endpoint        \(configuration.endpoint)")
            print("  data            \(configuration.databasePath)")
            print("  keys            \(configuration.keysDirectory)")
            print("  heartbeat       \(configuration.heartbeatMilliseconds) ms")
            print("  limits          body \(configuration.maxBodyBytes) B, envelope \(configuration.maxEnvelopeBytes) B, credit \(configuration.maxCredit), batch \(configuration.batchSize)")
            print("  agencies        \(hub.agencies.agencies.count): \(hub.agencies.agencies.map(\.id.rawValue).joined(separator: ", "))")
            for problem in problems { print("problem: \(problem)") }
            if !problems.isEmpty { throw ExitCode.failure }
        }
    }
}
