import ArgumentParser
import Foundation
import LiaisonBroker
import LiaisonConfig

extension KeysCommand {
    /// `liaison keys rotate`: an agency's second key, then the switch to it, each followed by a live reload.
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rotate an agency's CURVE key without a moment when it cannot connect.",
            discussion: """
                Without --finish: writes a new keypair ID.next.key and ID.next.pub beside the agency's public key \
                file, lists it in agencies.yaml as next_public_key_file (from --from, if given), and asks the running \
                broker to reload (SIGHUP): the hub then accepts both keys. Give ID.next.key to the agency.

                With --finish: the next key becomes the agency's key (ID.key and ID.pub; the old pair is kept as \
                ID.retired-DATE.*), the next_ lines leave agencies.yaml, and the broker reloads: sessions still on \
                the old key end at once.
                """)

        @OptionGroup var options: ConfigOptions

        @Option(help: "The agency whose key to rotate, e.g. yot.")
        var agency: String

        @Flag(help: "Finish a rotation: make the next key the current one.")
        var finish = false

        @Option(name: .customLong("from"), help: "The first day (YYYY-MM-DD, UTC) the next key is accepted (default: at once).")
        var validFrom: String?

        func run() throws {
            let hub = try loadHub(options.config, requireKeys: false)
            do {
                if finish {
                    let retired = try KeyRotation.finish(
                        agency: agency, agenciesFile: hub.configuration.agenciesFile, date: String(Date().ISO8601Format().prefix(10)))
                    print("'\(agency)' now uses its new key; the old one is kept as \(retired.joined(separator: ", ")).")
                } else {
                    let begun = try KeyRotation.begin(agency: agency, agenciesFile: hub.configuration.agenciesFile, validFrom: validFrom)
                    print("Wrote \(begun.secretKeyPath) (secret, mode 0600: give it to \(agency)) and \(begun.publicKeyPath).")
                    print("Next public key: \(begun.publicKeyZ85)")
                }
            } catch {
                throw UserFacingError("keys rotate: \(error)")
            }
            // Reload a running broker, which the lock file in its data folder names.
            let lock = "\(hub.configuration.dataDirectory)/broker.lock"
            if let pid = InstanceLock.runningBroker(lockPath: lock) {
                guard kill(pid, SIGHUP) == 0 else {
                    throw UserFacingError("keys rotate: could not signal the broker (pid \(pid)): reload it with `kill -HUP \(pid)`.")
                }
                print("Asked the broker (pid \(pid)) to reload: \(finish ? "sessions on the old key end now" : "both keys are accepted").")
            } else {
                print("No broker is running on \(hub.configuration.dataDirectory): the change applies when it starts.")
            }
        }
    }
}
