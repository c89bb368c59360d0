import ArgumentParser
import AttendanceDomain
import Foundation
import LiaisonAdapterKit
import LiaisonProtocol
import Logging
import LiaisonStore
import LiaisonMessages
import NPASDesk

/// `liaison desk`: the attendance service's own tasks on the desk's store.
struct DeskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desk",
        abstract: "The attendance service's desk: what it holds, and the termly feed to the Advisory Service.",
        subcommands: [TermEnd.self, Returns.self])

    /// Sends one message as the attendance service on a short-lived connection of its own, and waits for
    /// the hub's receipt. The connection consumes a type the desk is never sent, so it takes none of the
    /// desk adapter's deliveries.
    static func send(
        _ options: ConfigOptions, _ adapter: AdapterOptions, logger: Logger, type: String, to recipient: String, body: [UInt8], id: String
    ) async throws(AdapterError) -> Receipt {
        let configuration: AdapterConfiguration
        do {
            let hub = try loadHub(options.config, requireKeys: false)
            configuration = try adapter.adapterConfiguration(
                hub: hub.configuration, name: "liaison-desk", consumes: [TermlyFeed.type], defaultAgency: NPASDesk.agency)
        } catch {
            throw AdapterError(.badKeys, "\(error)")
        }
        let client = AdapterClient(configuration: configuration, logger: logger)
        do {
            _ = try await client.connect()
            let receipt = try await client.send(type: type, to: [recipient], body: body, id: id)
            await client.close()
            return receipt
        } catch {
            await client.close()
            throw error
        }
    }

    struct TermEnd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "term-end",
            abstract: "Build the term's feed for the Advisory Service from the returns held, and send it.",
            discussion: """
                Per school: phase, pupils, possible sessions, attendance, authorised and unauthorised absence, \
                persistent and severe absence counts and rates; the county's figures overall and per phase; the \
                national comparison. Nothing about any one pupil. Safe while the desk runs (its store is read \
                read-only). With --dry-run, prints the feed instead of sending it.
                """)

        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @Option(help: ArgumentHelp("The desk's working folder (as for `liaison adapter npas-desk`).", valueName: "dir"))
        var folder: String
        @Option(help: "The academic year's start year (2025 is 2025/26).") var year: Int
        @Option(help: "autumn, spring or summer.") var term: String
        @Option(help: ArgumentHelp("The county's schools (schools.csv), for each school's phase.", valueName: "file"))
        var schools: String
        @Flag(help: "Print the feed; send nothing.") var dryRun = false
        @OptionGroup var log: LogOptions

        func run() async throws {
            let logger = log.bootstrap(label: "liaison.desk")
            guard let term = Term(rawValue: term) else { throw UserFacingError("desk term-end: --term is autumn, spring or summer.") }
            let directory: SchoolDirectory
            do { directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: schools)) } catch {
                throw UserFacingError("desk term-end: \(error)")
            }
            let store = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
            let feed: TermlyFeed
            do { feed = try TermlyFeedBuilder(directory: directory).feed(from: store, academicYear: year, term: term) } catch {
                throw UserFacingError("desk term-end: \(error)")
            }
            let body = try MessageCoding.encode(feed)
            if dryRun {
                print(String(decoding: try MessageCoding.encode(feed, pretty: true), as: UTF8.self))
                return
            }
            let receipt: Receipt
            do {
                receipt = try await DeskCommand.send(
                    options, adapter, logger: logger, type: TermlyFeed.type, to: "advisory-service", body: body,
                    id: "termly-feed-\(year)-\(term.rawValue)-\(Digest.sha256Hex(body).prefix(12))")
            } catch {
                throw UserFacingError("desk term-end: \(error.message)")
            }
            print("Sent the \(term.rawValue) \(year) feed (\(feed.schools.count) schools, \(feed.county.overall.pupils) pupils): hub sequence \(receipt.sequence)"
                + (receipt.auditEntry.map { ", audit entry \($0)" } ?? "") + (receipt.duplicate ? " (already sent)" : "") + ".")
        }
    }

    struct Returns: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the returns the desk holds.")
        @Option(help: ArgumentHelp("The desk's working folder.", valueName: "dir")) var folder: String

        func run() throws {
            let store = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
            for held in try store.returns() {
                print("\(held.laestab)  \(held.academicYear)/\((held.academicYear + 1) % 100) half term \(held.halfTerm)"
                    + (held.markedThrough.map { " to \($0)" } ?? "") + "  \(held.pupils) pupils"
                    + (held.roll ? "  with roll" : "  roll not yet received"))
            }
            let referrals = try store.referralCount()
            print("\(referrals) referral\(referrals == 1 ? "" : "s") held.")
            let shares = try store.shareCounts()
            if !shares.isEmpty {
                let names = ["yot": "YOT summaries", "connexions": "Connexions notifications"]
                print("Shared with partners: " + shares.map { "\(names[$0.kind] ?? $0.kind) \($0.outcome) \($0.count)" }.joined(separator: ", ") + ".")
            }
        }
    }
}
