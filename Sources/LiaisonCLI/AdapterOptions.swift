import ArgumentParser
import LiaisonAdapterKit
import LiaisonConfig

/// Options for commands that act as an agency's adapter (`send`, `listen`).
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
            return try AdapterConfiguration(
                endpoint: endpoint ?? hub.endpoint, hubPublicKeyFile: hubKey ?? hub.hubPublicKeyPath,
                secretKeyFile: key ?? "\(hub.keysDirectory)/\(agency).key", adapterName: name, consumes: consumes,
                credit: credit)
        } catch {
            throw UserFacingError("keys: \(error.message)")
        }
    }
}
