import Foundation
import LiaisonAdapterKit
import LiaisonConfig
import ZeroMQ

/// A hub laid out in a fresh temporary folder for one test: keys for the hub and each agency, a
/// `hub.yaml` with an `ipc://` endpoint inside the folder, and an `agencies.yaml` listing them. The test removes it
/// with `remove()` once every process using it has stopped (`defer { hub.remove() }`, or `RunningHub.finish()`).
package struct TemporaryHub: Sendable {
    package let directory: String
    package let agencies: [String]
    package var configPath: String { "\(directory)/hub.yaml" }
    package var keysDirectory: String { "\(directory)/keys" }
    package var endpoint: String { "ipc://\(directory)/hub.ipc" }
    package var databasePath: String { "\(directory)/data/hub.sqlite" }

    /// Creates the folder and its files. `extraConfig` is appended to hub.yaml as is.
    package init(
        agencies: [String] = ["npas", "yot", "courts", "schools-mis"], heartbeatMilliseconds: Int = 250,
        extraConfig: String = ""
    ) throws {
        let base = FileManager.default.temporaryDirectory.path
        directory = "\(base)/liaison-test-\(UUID().uuidString.prefix(8))"
        self.agencies = agencies
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try KeyFiles.generate(name: "hub", directory: "\(directory)/keys")
            var agencyLines = "agencies:\n"
            for agency in agencies {
                try KeyFiles.generate(name: agency, directory: "\(directory)/keys")
                agencyLines += "  \(agency):\n    name: Test agency \(agency)\n    public_key_file: keys/\(agency).pub\n"
            }
            try agencyLines.write(toFile: "\(directory)/agencies.yaml", atomically: true, encoding: .utf8)
            let hub = """
                endpoint: ipc://hub.ipc
                data_dir: data
                keys_dir: keys
                agencies_file: agencies.yaml
                heartbeat_ms: \(heartbeatMilliseconds)

                """ + extraConfig
            try hub.write(toFile: configPath, atomically: true, encoding: .utf8)
        } catch {
            remove()  // half made: no test has its path to remove it
            throw error
        }
    }

    /// A copy of `other`'s folder, taken while no broker runs on it, in a fresh temporary folder: the same keys,
    /// configuration and store (hub.yaml names them relative to its folder), for a test to change as it likes.
    /// Folders and regular files are copied; a socket a broker left (`hub.ipc`) is not.
    package init(copying other: TemporaryHub) throws {
        directory = "\(FileManager.default.temporaryDirectory.path)/liaison-test-\(UUID().uuidString.prefix(8))"
        agencies = other.agencies
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            for path in try files.subpathsOfDirectory(atPath: other.directory).sorted() {
                let type = try files.attributesOfItem(atPath: "\(other.directory)/\(path)")[.type] as? FileAttributeType
                if type == .typeDirectory {
                    try files.createDirectory(atPath: "\(directory)/\(path)", withIntermediateDirectories: true)
                } else if type == .typeRegular {
                    try files.copyItem(atPath: "\(other.directory)/\(path)", toPath: "\(directory)/\(path)")
                }
            }
        } catch {
            remove()
            throw error
        }
    }

    /// An adapter configuration for `agency`, with its keys from this hub's folder.
    package func adapterConfiguration(
        _ agency: String, consumes: [String] = ["*"], credit: Int = 64, name: String? = nil
    ) throws -> AdapterConfiguration {
        var configuration = try AdapterConfiguration(
            endpoint: endpoint, hubPublicKeyFile: "\(keysDirectory)/hub.pub", secretKeyFile: "\(keysDirectory)/\(agency).key",
            adapterName: name ?? "test-\(agency)", consumes: consumes, credit: credit)
        configuration.helloTimeout = .seconds(10)
        configuration.resendAfter = .seconds(3)
        return configuration
    }

    /// A connected adapter client for `agency`.
    package func connect(_ agency: String, consumes: [String] = ["*"], credit: Int = 64) async throws -> AdapterClient {
        let client = AdapterClient(configuration: try adapterConfiguration(agency, consumes: consumes, credit: credit))
        try await client.connect()
        return client
    }

    /// Removes the folder.
    package func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
