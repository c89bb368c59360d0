import ArgumentParser
import Foundation
import LiaisonConsole
import Logging

/// `liaison console`: the staff console (a web application on loopback, or anywhere under TLS), and its users.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The staff console: casework, attendance, the view log, in a browser (see docs/console.md).",
        discussion: """
            `liaison console --config config/console.yaml` serves the console until SIGTERM or SIGINT; it listens on \
            loopback unless the configuration has TLS. `liaison console user add|disable|reset` manage who may sign in.
            """,
        subcommands: [Serve.self, User.self],
        defaultSubcommand: Serve.self)

    struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("The console's configuration.", valueName: "file"))
        var config: String = "config/console.yaml"

        func load() throws -> ConsoleConfiguration {
            do { return try ConsoleConfiguration.load(path: config) } catch { throw UserFacingError(error.message) }
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the console (the default).")
        @OptionGroup var options: Options
        @OptionGroup var log: LogOptions

        /// Sends a case's messages as `liaison case feedback` and `case prosecute` do (the desk's key from the hub's
        /// configuration, one short connection per message); nil without `hub_config`.
        static func sender(_ configuration: ConsoleConfiguration, logger: Logger) throws -> CaseMessageSender? {
            guard let hub = configuration.hubConfig else { return nil }
            let options = try ConfigOptions.parse(["--config", hub]), adapter = try AdapterOptions.parse([])
            return { type, recipient, body, id in
                do {
                    let receipt = try await DeskCommand.send(options, adapter, logger: logger, type: type, to: recipient, body: body, id: id)
                    return "hub sequence \(receipt.sequence)" + (receipt.auditEntry.map { ", audit entry \($0)" } ?? "")
                } catch {
                    throw UserFacingError("\(type) not sent: \(error)")
                }
            }
        }

        func run() async throws {
            let logger = log.bootstrap(label: "liaison.console")
            do {
                let configuration = try options.load()
                try await ConsoleApplication.run(configuration: configuration, sender: try Self.sender(configuration, logger: logger), logger: logger)
            } catch let error as ConsoleError {
                throw UserFacingError(error.message)
            }
        }
    }

    struct User: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user", abstract: "Add, disable, or reset the password of a console user.",
            subcommands: [Add.self, Disable.self, Reset.self])

        /// The console's users, in the configuration's state folder.
        static func users(_ options: Options) throws -> ConsoleUsers {
            do { return try ConsoleUsers(folder: try options.load().stateDirectory) } catch let error as ConsoleError {
                throw UserFacingError(error.message)
            }
        }

        /// The password from `file` (its first line), or else one line from standard input.
        static func password(file: String?) throws -> String {
            let text: String?
            if let file {
                guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw UserFacingError("Cannot read the password file \(file): check that it exists and is UTF-8.")
                }
                text = contents.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
            } else {
                text = readLine(strippingNewline: true)
            }
            guard let text, !text.isEmpty else {
                throw UserFacingError("No password: give --password-file FILE, or write the password on one line of standard input.")
            }
            return text
        }

        static func perform(_ work: () async throws -> Void) async throws {
            do { try await work() } catch let error as ConsoleError { throw UserFacingError(error.message) }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a user with a role; the password from --password-file or standard input.")
            @OptionGroup var options: Options
            @Option(help: ArgumentHelp("The user name: lower-case letters, digits, '.', '-', '_'.", valueName: "name")) var name: String
            @Option(help: ArgumentHelp("esw, manager, ig or operator.", valueName: "role")) var role: String
            @Option(help: ArgumentHelp("A file whose first line is the password (else one line of standard input).", valueName: "file"))
            var passwordFile: String?

            func run() async throws {
                guard let role = ConsoleRole(rawValue: role) else {
                    throw UserFacingError("--role is one of \(ConsoleRole.allCases.map(\.rawValue).joined(separator: ", ")), not '\(role)'.")
                }
                let users = try User.users(options)
                let password = try User.password(file: passwordFile)
                try await User.perform { try await users.add(name: name, role: role, password: password) }
                print("Added \(name) (\(role.title)).")
            }
        }

        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Stop a user signing in; a running console ends their sessions at their next request.")
            @OptionGroup var options: Options
            @Option(help: ArgumentHelp("The user name.", valueName: "name")) var name: String

            func run() async throws {
                let users = try User.users(options)
                try await User.perform { try await users.disable(name: name) }
                print("Disabled \(name).")
            }
        }

        struct Reset: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set a new password (and enable the user again); from --password-file or standard input.")
            @OptionGroup var options: Options
            @Option(help: ArgumentHelp("The user name.", valueName: "name")) var name: String
            @Option(help: ArgumentHelp("A file whose first line is the password (else one line of standard input).", valueName: "file"))
            var passwordFile: String?

            func run() async throws {
                let users = try User.users(options)
                let password = try User.password(file: passwordFile)
                try await User.perform { try await users.reset(name: name, password: password) }
                print("Reset the password of \(name).")
            }
        }
    }
}
