import ArgumentParser
import Foundation
import Logging

/// `liaison`: the hub's command line.
public struct LiaisonCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "liaison",
        abstract: "Liaison: a secure, audited integration hub for a county's attendance service and its partners.",
        discussion: """
            The broker routes typed messages between agencies' adapters over CURVE-encrypted ZeroMQ, stores each one \
            durably before acknowledging it, and audits every exchange. See README.md and docs/protocol.md.
            """,
        subcommands: [
            BrokerCommand.self, KeysCommand.self, SendCommand.self, ListenCommand.self, AuditCommand.self,
            ConfigCommand.self, RulesCommand.self, SynthCommand.self, MISCommand.self, AdapterCommand.self,
            DeskCommand.self, CaseCommand.self, ReportCommand.self, ConsoleCommand.self, StoreCommand.self,
        ]
    )

    public init() {}
}

/// Options shared by commands that read the hub's configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The hub configuration file.", valueName: "file"))
    var config: String = ProcessInfo.processInfo.environment["LIAISON_CONFIG"] ?? "config/hub.yaml"
}

/// Options for the log level.
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func bootstrap(label: String) -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Prints an error the way every subcommand reports one, and exits non-zero.
struct UserFacingError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension LiaisonCommand {
    /// The executable's entry point: parses the arguments and runs the async subcommand. With
    /// `LIAISON_EXIT_WITH_PARENT=PID` (the tests set it) the process stops once process PID has ended
    /// (``ParentWatch``).
    public static func start() async {
        ParentWatch.startIfAsked()
        await main() as Void
    }
}
