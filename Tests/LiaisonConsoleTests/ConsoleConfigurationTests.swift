import Foundation
import LiaisonConsole
import Testing

@Suite("Console configuration")
struct ConsoleConfigurationTests {
    func error(_ yaml: String, file: String = "config/console.yaml") -> String? {
        do {
            _ = try ConsoleConfiguration.parse(yaml, file: file)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("the defaults, and paths resolved against the file's folder")
    func defaults() throws {
        let configuration = try ConsoleConfiguration.parse("desk: ../demo/npas\nstate: /var/console\n", file: "config/console.yaml")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.tls == nil && configuration.idleMinutes == 30 && configuration.hubStorePath == nil)
        #expect(configuration.deskStorePath == "config/../demo/npas/desk.sqlite")
        #expect(configuration.stateDirectory == "/var/console")
        #expect(configuration.url == "http://127.0.0.1:8080/")
    }

    @Test("a non-loopback address without TLS is refused, with the file and line; with TLS it is accepted")
    func loopbackOnly() throws {
        let message = try #require(error("desk: d\nstate: s\nlisten: 0.0.0.0:8443\n"))
        #expect(message.hasPrefix("config/console.yaml:3: 'listen': 0.0.0.0 is not a loopback address"))
        #expect(message.contains("add tls:"))
        #expect(error("desk: d\nstate: s\nlisten: 192.0.2.1:80\n") != nil)
        #expect(error("desk: d\nstate: s\nlisten: localhost:9000\n") == nil)
        #expect(error("desk: d\nstate: s\nlisten: '[::1]:9000'\n") == nil)
        let tls = try ConsoleConfiguration.parse(
            "desk: d\nstate: s\nlisten: 0.0.0.0:8443\ntls:\n  certificate: tls/console.pem\n  key: tls/console.key\n", file: "c/console.yaml")
        #expect(tls.tls == .init(certificate: "c/tls/console.pem", key: "c/tls/console.key"))
        #expect(tls.url == "https://0.0.0.0:8443/")
    }

    @Test("strict: an unknown key, a missing key, a bad value each name the file and line")
    func strict() {
        #expect(error("desk: d\nstate: s\nidle_minuts: 5\n") == "config/console.yaml:3: 'idle_minuts': unknown key: the console reads desk, hub_config, idle_minutes, imports, listen, schools, state, tls.")
        #expect(error("desk: d\n")?.hasPrefix("config/console.yaml:1: 'state': missing") == true)
        #expect(error("desk: d\nstate: s\nidle_minutes: 0\n")?.hasPrefix("config/console.yaml:3: 'idle_minutes': expected a whole number") == true)
        #expect(error("desk: d\nstate: s\nlisten: 8080\n")?.hasPrefix("config/console.yaml:3: 'listen': '8080' is not HOST:PORT") == true)
        #expect(error("desk: d\nstate: s\ntls:\n  certificate: c.pem\n")?.hasPrefix("config/console.yaml:3: 'tls': write both") == true)
        #expect(error("desk: [d\n")?.hasPrefix("config/console.yaml:") == true)
    }

    @Test("hub_config gives the hub's store from its data_dir, and its admin_endpoint")
    func hubStore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("console-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "endpoint: tcp://127.0.0.1:5570\ndata_dir: data\nkeys_dir: keys\nagencies_file: agencies.yaml\n"
            .write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
        let configuration = try ConsoleConfiguration.parse("desk: d\nstate: s\nhub_config: hub.yaml\n", file: "\(folder)/console.yaml")
        #expect(configuration.hubStorePath == "\(folder)/data/hub.sqlite")
        #expect(configuration.adminEndpoint == nil)
        try "endpoint: tcp://127.0.0.1:5570\ndata_dir: data\nkeys_dir: keys\nagencies_file: agencies.yaml\nadmin_endpoint: ipc://admin/hub.ipc\n"
            .write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
        let withAdmin = try ConsoleConfiguration.parse("desk: d\nstate: s\nhub_config: hub.yaml\n", file: "\(folder)/console.yaml")
        #expect(withAdmin.adminEndpoint == "ipc://\(folder)/admin/hub.ipc")
        #expect(error("desk: d\nstate: s\nhub_config: missing.yaml\n", file: "\(folder)/console.yaml")?.contains(":3: 'hub_config'") == true)
        // A hub whose store is on PostgreSQL: no hub.sqlite path at all, and the reason the pages will give.
        try "endpoint: tcp://127.0.0.1:5570\ndata_dir: data\nkeys_dir: keys\nagencies_file: agencies.yaml\nstore: postgresql://liaison@db1:5432/hub\n"
            .write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
        let onPostgres = try ConsoleConfiguration.parse("desk: d\nstate: s\nhub_config: hub.yaml\n", file: "\(folder)/console.yaml")
        #expect(onPostgres.hubStorePath == nil)
        #expect(onPostgres.hubStoreElsewhere?.contains("on PostgreSQL") == true)
    }

    @Test("the repository's config/console.yaml reads")
    func sample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let text = try String(contentsOfFile: "\(root)/config/console.yaml", encoding: .utf8)
        // hub_config names the demo's hub.yaml, which `make demo` writes: read the rest without it.
        let configuration = try ConsoleConfiguration.parse(
            text.split(separator: "\n").filter { !$0.hasPrefix("hub_config:") }.joined(separator: "\n"), file: "config/console.yaml")
        #expect(configuration.deskDirectory == "config/../demo-output/agencies/npas")
        #expect(configuration.host == "127.0.0.1")
    }
}
