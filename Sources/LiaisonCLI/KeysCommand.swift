import ArgumentParser
import LiaisonConfig

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage CURVE keys.",
        subcommands: [Generate.self, Rotate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a CURVE keypair for an agency (or for the hub itself: --agency hub).",
            discussion: """
                Writes ID.key (the secret key, mode 0600: keep it on the agency's machine) and ID.pub (the public \
                key: list it in the hub's agencies.yaml) as Z85 text. Refuses to overwrite unless --force.
                """)

        @Option(help: "The agency id, e.g. yot, or 'hub' for the broker's own keys.")
        var agency: String

        @Option(help: "The folder to write the key files to.")
        var out: String

        @Flag(help: "Replace existing key files.")
        var force = false

        func run() throws {
            do {
                let pair = try KeyFiles.generate(name: agency, directory: out, overwrite: force)
                print("Wrote \(out)/\(agency).key (secret, mode 0600) and \(out)/\(agency).pub")
                print("Public key: \(pair.publicKeyZ85)")
            } catch {
                throw UserFacingError("keys: \(error)")
            }
        }
    }
}
