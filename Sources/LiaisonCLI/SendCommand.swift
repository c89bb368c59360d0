import ArgumentParser
import Foundation
import LiaisonAdapterKit
import Logging

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one message through the hub, as an agency, and wait until the hub has accepted it.",
        discussion: """
            Prints the hub's receipt (its sequence number and the recipients). Exits 1 with the hub's code and \
            reason if it rejects the message. Example:
              liaison send --as yot --type yot.case-update --to npas --file update.json
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var adapter: AdapterOptions

    /// What `send` says it consumes: a type no agency sends, so the hub delivers it nothing. Without it, sending as an
    /// agency with messages waiting would take them into a connection that never acknowledges them: each audited as
    /// delivered, and counted as an attempt towards its dead letter (docs/protocol.md, HELLO).
    static let sendsOnly = "liaison.sends-only"

    @Option(help: "The message type, e.g. attendance.return.")
    var type: String

    @Option(help: ArgumentHelp("The recipient agencies, comma-separated; \"\" lets the sharing rules choose.", valueName: "agencies"))
    var to: String

    @Option(help: ArgumentHelp("The file holding the body ('-' for standard input).", valueName: "file"))
    var file: String

    @Option(help: "The message id (default: a new UUID). Re-using an id re-sends the same message.")
    var id: String?

    @Option(help: "A short, non-personal subject (e.g. a LAESTAB or case reference).")
    var subject: String?

    @Option(help: "The id of the message this one answers.")
    var correlationId: String?

    @Option(help: "The purpose of the share, as the agreement names it.")
    var purpose: String?

    @Option(help: "The body's media type.")
    var contentType: String = "application/json"

    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.bootstrap(label: "liaison.send")
        let hub = try loadHub(options.config)
        let body: Data?
        if file == "-" {
            body = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            body = FileManager.default.contents(atPath: file)
        }
        guard let body else { throw UserFacingError("send: cannot read \(file).") }
        let client = AdapterClient(
            configuration: try adapter.adapterConfiguration(
                hub: hub.configuration, name: "liaison-send", consumes: [SendCommand.sendsOnly], credit: 1),
            logger: logger)
        do {
            try await client.connect()
            let receipt = try await client.send(
                type: type, to: to.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                body: Array(body), id: id ?? UUID().uuidString.lowercased(), subject: subject, correlationID: correlationId,
                purpose: purpose, dataContentType: contentType)
            await client.close()
            let recipients = receipt.recipients.isEmpty ? "none (kept by the hub)" : receipt.recipients.joined(separator: ",")
            let entry = receipt.auditEntry.map { ", audit entry \($0)" } ?? ""
            print("accepted: sequence \(receipt.sequence), recipients \(recipients)\(entry)\(receipt.duplicate ? " (duplicate: already held)" : "")")
        } catch {
            await client.close()
            throw UserFacingError("send: \(error.message)")
        }
    }
}
