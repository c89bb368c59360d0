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
        abstract: "The attendance service's desk: what it holds, and the termly and annual feeds to the Advisory Service.",
        subcommands: [TermEnd.self, Returns.self])

    /// Sends one message as the attendance service on a short-lived connection of its own, and waits for
    /// the hub's receipt. The connection consumes a type the desk is never sent, so it takes none of the
    /// desk adapter's deliveries.
    static func send(
        _ options: ConfigOptions, _ adapter: AdapterOptions, logger: Logger, type: String, to recipient: String, body: [UInt8], id: String
    ) async throws(AdapterError) -> Receipt {
        try await sendAll(options, adapter, logger: logger, [(type, recipient, body, id)])[0]
    }

    /// Sends several messages, one after another, on one short-lived connection (the awards' lists, one per
    /// school), and returns the hub's receipt for each, in order. Stops at the first the hub refuses.
    static func sendAll(
        _ options: ConfigOptions, _ adapter: AdapterOptions, logger: Logger, _ messages: [(type: String, to: String, body: [UInt8], id: String)]
    ) async throws(AdapterError) -> [Receipt] {
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
            var receipts: [Receipt] = []
            for message in messages {
                receipts.append(try await client.send(type: message.type, to: [message.to], body: message.body, id: message.id))
            }
            await client.close()
            return receipts
        } catch {
            await client.close()
            throw error
        }
    }

    struct TermEnd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "term-end",
            abstract: "Build the Advisory Service's feed for a term (--term) or the whole year (--year-end) from the returns held, and send it.",
            discussion: """
                Per school: name, phase, pupils, possible sessions, attendance, authorised and unauthorised absence, \
                persistent and severe absence counts and rates, and the Advisers' flags (below_county, \
                persistent_absence_rising); the county's figures overall and per phase; the national comparison. \
                Nothing about any one pupil, and counts of 1 or 2 (and what would reveal them) are withheld as null. \
                --year-end covers all six half terms and stops, naming them, if any has no returns; --partial sends \
                it over the half terms held. Safe while the desk runs (its store is read read-only). With --dry-run, \
                prints the feed instead of sending it.
                """)

        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @Option(help: ArgumentHelp("The desk's working folder (as for `liaison adapter npas-desk`).", valueName: "dir"))
        var folder: String
        @Option(help: "The academic year's start year (2025 is 2025/26).") var year: Int
        @Option(help: "autumn, spring or summer (or --year-end).") var term: String?
        @Flag(help: "The whole year's feed (term full_year): all six half terms.") var yearEnd = false
        @Flag(help: "With --year-end: send over the half terms held when some have no returns.") var partial = false
        @Option(help: ArgumentHelp(
            "Flag a school below_county when its attendance rate is this many points or more below its phase's in the county.",
            valueName: "points"))
        var belowCountyMargin: Double = 2.0
        @Option(help: ArgumentHelp("The county's schools (schools.csv), for each school's name and phase.", valueName: "file"))
        var schools: String
        @Flag(help: "Print the feed; send nothing.") var dryRun = false
        @OptionGroup var log: LogOptions

        func validate() throws {
            if yearEnd == (term != nil) { throw ValidationError("Give --term autumn|spring|summer or --year-end (one of them).") }
            if partial && !yearEnd { throw ValidationError("--partial goes with --year-end.") }
            if !(belowCountyMargin >= 0 && belowCountyMargin <= 100) { throw ValidationError("--below-county-margin is 0 to 100 points.") }
        }

        func run() async throws {
            let logger = log.bootstrap(label: "liaison.desk")
            var chosen: Term?
            if let term {
                guard let known = Term(rawValue: term) else { throw UserFacingError("desk term-end: --term is autumn, spring or summer.") }
                chosen = known
            }
            let directory: SchoolDirectory
            do { directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: schools)) } catch {
                throw UserFacingError("desk term-end: \(error)")
            }
            let store = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
            let builder = TermlyFeedBuilder(directory: directory, settings: .init(belowCountyMargin: belowCountyMargin))
            let feed: TermlyFeed
            do {
                if let chosen {
                    feed = try builder.feed(from: store, academicYear: year, term: chosen)
                } else {
                    feed = try builder.yearFeed(from: store, academicYear: year, partial: partial)
                }
            } catch {
                throw UserFacingError("desk term-end: \(error)")
            }
            let body = try MessageCoding.encode(feed)
            if dryRun {
                print(String(decoding: try MessageCoding.encode(feed, pretty: true), as: UTF8.self))
                return
            }
            let name = chosen?.rawValue ?? "full_year"
            let receipt: Receipt
            do {
                receipt = try await DeskCommand.send(
                    options, adapter, logger: logger, type: TermlyFeed.type, to: "advisory-service", body: body,
                    id: "termly-feed-\(year)-\(name)-\(Digest.sha256Hex(body).prefix(12))")
            } catch {
                throw UserFacingError("desk term-end: \(error.message)")
            }
            let halfTerms = feed.period.halfTerms ?? []
            let covered = chosen != nil || halfTerms.count == 6 ? "" : " over half terms \(halfTerms.map(String.init).joined(separator: ", "))"
            let pupils = feed.county.overall.pupils.map { "\($0) pupils" } ?? "pupils withheld"
            let flagged = feed.schools.filter { !($0.flags ?? []).isEmpty }.count
            print("Sent the \(chosen.map(\.rawValue) ?? "year's") \(year) feed\(covered) (\(feed.schools.count) schools, \(pupils), "
                + "\(flagged) flagged): hub sequence \(receipt.sequence)"
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
