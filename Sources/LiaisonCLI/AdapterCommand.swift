import AdvisoryServiceAdapter
import ArgumentParser
import AttendanceDomain
import CourtsAdapter
import PartnerAdapter
import Foundation
import LiaisonAdapterKit
import LiaisonMetrics
import LiaisonMessages
import Logging
import NPASDesk
import SchoolsMISAdapter
import ServiceLifecycle

/// `liaison adapter NAME`: runs one agency's adapter as its own process, until SIGTERM or SIGINT.
struct AdapterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapter",
        abstract: "Run an agency's adapter: it connects to the hub with the agency's key and works its folder.",
        discussion: """
            Each adapter works in a folder (--folder) with inbox/, processing/, processed/, failed/ and outbox/ \
            (see adapters/NAME/README.md). With --metrics-listen it serves its counters as /metrics on that loopback \
            address. It stops cleanly on SIGTERM or SIGINT.
            """,
        subcommands: [SchoolsMIS.self, Desk.self, Advisory.self, Courts.self, Partner.self])

    struct Common: ParsableArguments {
        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @Option(help: ArgumentHelp("The adapter's working folder.", valueName: "dir"))
        var folder: String
        @OptionGroup var log: LogOptions
        @OptionGroup var metrics: MetricsOptions

        /// Runs `agencyAdapter` (its name, agency and types are its own declaration) until SIGTERM or SIGINT.
        func run(_ agencyAdapter: some Adapter, credit: Int = 16) async throws {
            let label = agencyAdapter.name
            let logger = log.bootstrap(label: label)
            let hub = try loadHub(options.config, requireKeys: false)
            let client = AdapterClient(
                configuration: try adapter.adapterConfiguration(
                    hub: hub.configuration, name: label, consumes: agencyAdapter.consumes, credit: credit,
                    defaultAgency: agencyAdapter.agency),
                logger: logger)
            let service = AdapterService(adapter: agencyAdapter, client: client, logger: logger)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: service)]
            if let address = try metrics.address() {
                services.append(.init(service: MetricsEndpoint(registry: client.metricsRegistry, address: address, logger: logger)))
            }
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            logger.info("Adapter running", metadata: ["adapter": "\(label)", "folder": "\(folder)"])
            do { try await group.run() } catch let error as AdapterError {
                throw UserFacingError("\(label): \(error.message)")
            }
        }
    }

    struct SchoolsMIS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schools-mis",
            abstract: "The schools' MIS import: CTF and CSV register exports and referrals in, letters to schools out.")

        @OptionGroup var common: Common
        @OptionGroup var files: DropFolderOptions
        @Option(help: ArgumentHelp("The county's schools (schools.csv): a file for a school not listed is refused.", valueName: "file"))
        var schools: String?

        func run() async throws {
            let directory = try schools.map { path in
                do { return try SchoolDirectory(contentsOf: URL(fileURLWithPath: path)) } catch {
                    throw UserFacingError("schools-mis: \(error)")
                }
            }
            let folder = try files.dropFolder(root: common.folder)
            let adapter: SchoolsMISAdapter
            do { adapter = try SchoolsMISAdapter(folder: folder, directory: directory, logger: Logger(label: "liaison.schools-mis")) } catch let error as MessageIDKeyError {
                // Its ids would change with a new key, and a file taken up again would be imported twice: it must not start.
                throw UserFacingError("schools-mis: \(error.message)")
            }
            try await common.run(adapter)
        }
    }

    struct Desk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "npas-desk",
            abstract: "The attendance service's desk: keeps the returns and referrals it receives in FOLDER/desk.sqlite.")

        @OptionGroup var common: Common

        func run() async throws {
            let store = try DeskStore(path: "\(common.folder)/desk.sqlite")
            let desk = NPASDesk(store: store, logger: Logger(label: "liaison.npas-desk"))
            try await common.run(desk)
        }
    }

    struct Advisory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "advisory-service",
            abstract: "The Advisory Service: each termly feed it receives is written to FOLDER/outbox as CSV and JSON.")

        @OptionGroup var common: Common

        func run() async throws {
            let adapter = AdvisoryServiceAdapter(folder: try DropFolder(root: common.folder))
            try await common.run(adapter)
        }
    }

    struct Courts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "courts",
            abstract: "The Magistrates' Courts: prosecution files become bundles for the clerk; outcomes files become court.outcome.")

        @OptionGroup var common: Common
        @OptionGroup var files: DropFolderOptions
        @Option(help: ArgumentHelp(
            "The Chromium that prints each bundle's PDFs (default: chromium on PATH; without one the bundles say their PDFs are missing and why).",
            valueName: "path"))
        var chromium: String?

        func run() async throws {
            let adapter: CourtsAdapter
            do {
                adapter = try CourtsAdapter(
                    folder: try files.dropFolder(root: common.folder), logger: Logger(label: "liaison.courts"), chromium: chromium)
            } catch let error as MessageIDKeyError {
                // Its ids would change with a new key, and outcomes taken up again would be sent twice: it must not start.
                throw UserFacingError("courts: \(error.message)")
            }
            try await common.run(adapter)
        }
    }

    struct Partner: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "partner",
            abstract: "Social Services, the YOT or Connexions: their lists of children in, what they receive out.",
            discussion: "AGENCY is social-services (children-in-care), yot (yot-caseload) or connexions (connexions-opt-outs).")

        @Argument(help: "social-services, yot or connexions.") var agency: String
        @OptionGroup var common: Common
        @OptionGroup var files: DropFolderOptions

        func run() async throws {
            guard let profile = PartnerAdapter.profiles[agency] else {
                throw UserFacingError("partner: AGENCY is one of \(PartnerAdapter.profiles.keys.sorted().joined(separator: ", ")).")
            }
            let adapter: PartnerAdapter
            do {
                adapter = try PartnerAdapter(profile: profile, folder: try files.dropFolder(root: common.folder), logger: Logger(label: "liaison.\(agency)"))
            } catch let error as MessageIDKeyError {
                // Its ids would change with a new key, and lists sent again would count as new: it must not start.
                throw UserFacingError("\(agency): \(error.message)")
            }
            try await common.run(adapter)
        }
    }
}
