import ArgumentParser
import LiaisonAdapterKit
import LiaisonConfig
import LiaisonMetrics

/// Options for commands that act as an agency's adapter (`send`, `listen`, `adapter`).
struct AdapterOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("The agency to act as; its secret key must be at hand.", valueName: "agency"))
    var agency: String?

    @Option(help: ArgumentHelp("The agency's secret key file (default: KEYS_DIR/AGENCY.key from the hub configuration).", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The hub's public key file (default: KEYS_DIR/hub.pub).", valueName: "file"))
    var hubKey: String?

    @Option(help: ArgumentHelp("The hub's endpoint (default: from the hub configuration).", valueName: "endpoint"))
    var endpoint: String?

    func adapterConfiguration(
        hub: HubConfiguration, name: String, consumes: [String] = ["*"], credit: Int = 64, defaultAgency: String? = nil
    ) throws -> AdapterConfiguration {
        guard let agency = agency ?? defaultAgency else { throw UserFacingError("--as AGENCY is required: the agency to act as.") }
        do {
            var configuration = try AdapterConfiguration(
                endpoint: endpoint ?? hub.endpoint, hubPublicKeyFile: hubKey ?? hub.hubPublicKeyPath,
                secretKeyFile: key ?? "\(hub.keysDirectory)/\(agency).key", adapterName: name, consumes: consumes,
                credit: credit)
            // --endpoint names one hub; without it, the hub's standby brokers too.
            if endpoint == nil { configuration.standbyEndpoints = hub.standbyEndpoints }
            return configuration
        } catch {
            throw UserFacingError("keys: \(error.message)")
        }
    }
}

/// Options for adapters that read files from a drop folder (`adapter schools-mis`, `courts`, `partner`).
struct DropFolderOptions: ParsableArguments {
    /// The most `--max-file-mib` may be: 4 GiB, beyond any one school's or agency's export.
    static let largest = 4096

    @Option(
        help: ArgumentHelp(
            "The largest inbox file read, in MiB (1-\(largest)); a larger one goes to failed/ unread, saying so.",
            valueName: "MiB"))
    var maxFileMib: Int = DropFolder.defaultMaximumFileSize >> 20

    func validate() throws {
        guard (1...Self.largest).contains(maxFileMib) else {
            throw ValidationError("--max-file-mib must be between 1 and \(Self.largest) (MiB), not \(maxFileMib).")
        }
    }

    /// The adapter's drop folder at `root`, with this cap.
    func dropFolder(root: String) throws -> DropFolder {
        try DropFolder(root: root, maximumFileSize: maxFileMib << 20)
    }
}

/// `--metrics-listen HOST:PORT` for `liaison adapter …`: serve this adapter's counters as `/metrics` (Prometheus text).
struct MetricsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve this adapter's metrics as /metrics (Prometheus text format) on this loopback address, e.g. 127.0.0.1:9465.",
            valueName: "host:port"))
    var metricsListen: String?

    func validate() throws {
        _ = try address()
    }

    /// The address to serve on, or nil for none.
    func address() throws -> MetricsAddress? {
        guard let metricsListen else { return nil }
        do { return try MetricsAddress(parsing: metricsListen) } catch { throw ValidationError("--metrics-listen: \(error.description)") }
    }
}
