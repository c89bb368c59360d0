import ArgumentParser
import AttendanceDomain
import Foundation
import LiaisonAdapterKit
import LiaisonAudit
import LiaisonMessages
import NPASDesk

/// `liaison desk`: the attendance service's own tasks on the desk's store.
struct DeskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desk",
        abstract: "The attendance service's desk: what it holds, and the termly feed to the Advisory Service.",
        subcommands: [TermEnd.self, Returns.self])

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
            let hub = try loadHub(options.config, requireKeys: false)
            let client = AdapterClient(
                configuration: try adapter.adapterConfiguration(hub: hub.configuration, name: "liaison-desk",
                    // A type the desk is never sent: this short-lived connection must take none of the desk's deliveries.
                    consumes: [TermlyFeed.type], defaultAgency: NPASDesk.agency),
                logger: logger)
            do {
                _ = try await client.connect()
                let receipt = try await client.send(
                    type: TermlyFeed.type, to: ["advisory-service"], body: body, id: "termly-feed-\(year)-\(term.rawValue)-\(Digest.sha256Hex(body).prefix(12))")
                await client.close()
                print("Sent the \(term.rawValue) \(year) feed (\(feed.schools.count) schools, \(feed.county.overall.pupils) pupils): hub sequence \(receipt.sequence)"
                    + (receipt.auditEntry.map { ", audit entry \($0)" } ?? "") + (receipt.duplicate ? " (already sent)" : "") + ".")
            } catch {
                await client.close()
                throw UserFacingError("desk term-end: \(error.message)")
            }
        }
    }

    struct Returns: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the returns the desk holds.")
        @Option(help: ArgumentHelp("The desk's working folder.", valueName: "dir")) var folder: String

        func run() throws {
            let store = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
            for held in try store.returns() {
                print("\(held.laestab)  \(held.academicYear)/\((held.academicYear + 1) % 100) half term \(held.halfTerm)  \(held.pupils) pupils")
            }
            let referrals = try store.referralCount()
            print("\(referrals) referral\(referrals == 1 ? "" : "s") held.")
        }
    }
}
