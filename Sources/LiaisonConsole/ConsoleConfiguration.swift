import Foundation
import LiaisonConfig
import Yams

/// The console's configuration, `config/console.yaml`: where it listens, its TLS files, the desk's folder, the hub's
/// configuration (for the hub's store), the console's own state folder, and how long an idle session lasts.
///
/// Read strictly: an unknown key, a missing `desk` or `state`, or a wrong value is an error naming the file and line.
/// Relative paths are resolved against the file's folder (as in `hub.yaml`). A listen address other than loopback
/// needs `tls`: the console refuses to serve staff's passwords and children's records in clear over a network.
public struct ConsoleConfiguration: Sendable {
    /// The certificate chain and private key files (PEM).
    public struct TLSFiles: Sendable, Equatable {
        public var certificate: String
        public var key: String
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// The file read, named in errors (`(built in)` when made in code).
    public var source: String = "(built in)"
    /// The host to listen on (default `127.0.0.1`).
    public var host: String = "127.0.0.1"
    /// The port to listen on (default 8080).
    public var port: Int = 8080
    /// The TLS files; nil serves plain HTTP, on loopback only.
    public var tls: TLSFiles?
    /// The desk's folder (its `desk.sqlite`).
    public var deskDirectory: String
    /// The hub's configuration file, when given.
    public var hubConfig: String?
    /// The hub's store, `hub.sqlite` in the hub's `data_dir`; nil without `hub_config`, or when the hub's store is on
    /// PostgreSQL (then `hubStoreElsewhere` says so).
    public var hubStorePath: String?
    /// Why the console does not read the hub's store although `hub_config` is given: its `store:` is PostgreSQL, and
    /// the pages that read the hub's store read SQLite only. Never a `hub.sqlite` left in `data_dir` instead, whose
    /// answers would be about the wrong store.
    public var hubStoreElsewhere: String?
    /// The broker's admin interface (the hub's `admin_endpoint`, `ipc://PATH`), through which the operator's pages
    /// ask who is connected and replay or discard dead letters; nil when `hub_config` is not given or sets none.
    public var adminEndpoint: String?
    /// The console's own folder: `console.sqlite` (users, sign-in attempts, the view log) and `view.key`.
    public var stateDirectory: String
    /// The schools-mis adapter's folder (its `processed/` and `failed/`), for the operator's imports page; nil: not shown.
    public var importsDirectory: String?
    /// The county's `schools.csv` (names, phases, districts), for the attendance pages; nil: phases are "not known".
    public var schoolsFile: String?
    /// Minutes of inactivity after which a session ends (default 30).
    public var idleMinutes: Int = 30

    /// The desk's store.
    public var deskStorePath: String { "\(deskDirectory)/desk.sqlite" }
    /// `http://HOST:PORT/` or `https://…`, for the log.
    public var url: String {
        "\(tls == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
    }

    public init(deskDirectory: String, stateDirectory: String) {
        self.deskDirectory = deskDirectory
        self.stateDirectory = stateDirectory
    }

    /// Whether `host` is a loopback address (`127.0.0.0/8`, `::1`, `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Reads and checks `path`.
    ///
    /// - Throws: ``ConsoleError`` `config-invalid`: `FILE:LINE: 'key': what is wrong and what to write`.
    public static func load(path: String) throws(ConsoleError) -> ConsoleConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConsoleError(.configInvalid, "\(path): cannot read the console's configuration: check that it exists and is UTF-8.")
        }
        return try parse(text, file: path)
    }

    /// Parses `text`, the contents of `file` (named in errors; relative paths resolve against its folder).
    public static func parse(_ text: String, file: String) throws(ConsoleError) -> ConsoleConfiguration {
        let folder = (file as NSString).deletingLastPathComponent
        func fail(_ line: Int?, _ key: String?, _ message: String) -> ConsoleError {
            ConsoleError(.configInvalid, "\(file)\(line.map { ":\($0)" } ?? ""): \(key.map { "'\($0)': " } ?? "")\(message)")
        }
        func resolve(_ value: String) -> String {
            value.hasPrefix("/") || folder.isEmpty ? value : "\(folder)/\(value)"
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw fail(nil, nil, "the file is empty: write at least desk: and state:.") }
            root = node
        } catch let error as ConsoleError {
            throw error
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw fail(mark.line, nil, "YAML syntax error: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                throw fail(context.mark.line, nil, "\(duplicates.joined(separator: ", ")) written twice: keep one.")
            default: throw fail(nil, nil, "YAML syntax error: \(error)")
            }
        } catch {
            throw fail(nil, nil, "YAML syntax error: \(error)")
        }
        /// A mapping's scalar values and nested mappings, by key, with their lines; unknown keys refused.
        func entries(_ node: Node, path: String?, allowed: Set<String>) throws(ConsoleError) -> [String: (node: Node, line: Int?)] {
            guard let mapping = node.mapping else {
                throw fail(node.mark?.line, path, "expected a mapping of keys to values (\(allowed.sorted().joined(separator: ", "))).")
            }
            var found: [String: (node: Node, line: Int?)] = [:]
            for (key, value) in mapping {
                let name = key.string ?? ""
                let full = path.map { "\($0).\(name)" } ?? name
                guard allowed.contains(name) else {
                    throw fail(key.mark?.line, full, "unknown key: the console reads \(allowed.sorted().joined(separator: ", ")).")
                }
                found[name] = (value, key.mark?.line)
            }
            return found
        }
        func scalar(_ entry: (node: Node, line: Int?), _ key: String) throws(ConsoleError) -> String {
            guard case .scalar(let scalar) = entry.node, !scalar.string.isEmpty else {
                throw fail(entry.node.mark?.line ?? entry.line, key, "expected a single value.")
            }
            return scalar.string
        }
        let top = try entries(root, path: nil, allowed: ["listen", "tls", "desk", "hub_config", "imports", "schools", "state", "idle_minutes"])
        guard let desk = top["desk"] else { throw fail(root.mark?.line, "desk", "missing: write the desk's folder (the one holding desk.sqlite).") }
        guard let state = top["state"] else { throw fail(root.mark?.line, "state", "missing: write the console's own folder (users, view log).") }
        var configuration = ConsoleConfiguration(deskDirectory: resolve(try scalar(desk, "desk")), stateDirectory: resolve(try scalar(state, "state")))
        configuration.source = file
        if let listen = top["listen"] {
            let text = try scalar(listen, "listen")
            guard let (host, port) = Self.hostAndPort(text) else {
                throw fail(listen.node.mark?.line, "listen", "'\(text)' is not HOST:PORT: write, for example, 127.0.0.1:8080 (an IPv6 host in brackets, [::1]:8080).")
            }
            (configuration.host, configuration.port) = (host, port)
        }
        if let tls = top["tls"] {
            let files = try entries(tls.node, path: "tls", allowed: ["certificate", "key"])
            guard let certificate = files["certificate"], let key = files["key"] else {
                throw fail(tls.line, "tls", "write both certificate: and key: (PEM files), or leave tls out to serve on loopback only.")
            }
            configuration.tls = TLSFiles(certificate: resolve(try scalar(certificate, "tls.certificate")), key: resolve(try scalar(key, "tls.key")))
        }
        if let hub = top["hub_config"] {
            let path = resolve(try scalar(hub, "hub_config"))
            configuration.hubConfig = path
            let hubConfiguration: HubConfiguration
            do throws(ConfigurationError) { hubConfiguration = try HubConfiguration.load(path: path) } catch {
                throw fail(hub.node.mark?.line, "hub_config", "cannot read the hub's configuration \(path): \(error.message) Check the path (or leave hub_config out).")
            }
            switch hubConfiguration.store {
            case .sqlite(let directory):
                configuration.hubStorePath = "\(directory)/hub.sqlite"
            case .postgresql:
                configuration.hubStoreElsewhere =
                    "The hub's store is on PostgreSQL (store: in \(path)), and the console's audit, legal hold, subject access and operations pages read the hub's SQLite store only, so far. "
                    + "On PostgreSQL use liaison audit verify, proof, checkpoint, hold, release and holds on the hub's host (docs/operations.md)."
            }
            configuration.adminEndpoint = hubConfiguration.adminEndpoint
        }
        if let imports = top["imports"] {
            configuration.importsDirectory = resolve(try scalar(imports, "imports"))
        }
        if let schools = top["schools"] {
            configuration.schoolsFile = resolve(try scalar(schools, "schools"))
        }
        if let idle = top["idle_minutes"] {
            let text = try scalar(idle, "idle_minutes")
            guard let minutes = Int(text), (1...720).contains(minutes) else {
                throw fail(idle.node.mark?.line, "idle_minutes", "expected a whole number of minutes from 1 to 720, not \(text).")
            }
            configuration.idleMinutes = minutes
        }
        if configuration.tls == nil && !isLoopback(configuration.host) {
            throw fail(
                top["listen"]?.node.mark?.line, "listen",
                "\(configuration.host) is not a loopback address, and without TLS passwords and children's records would cross the network in clear: add tls: {certificate: FILE, key: FILE}, or listen on 127.0.0.1.")
        }
        return configuration
    }

    /// `HOST:PORT` or `[V6]:PORT`.
    static func hostAndPort(_ text: String) -> (String, Int)? {
        let host: Substring, port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else { return nil }
        return (String(host), number)
    }
}
