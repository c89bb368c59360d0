import Foundation
import LiaisonMetrics
import LiaisonProtocol

/// The hub's configuration (`config/hub.yaml`). Relative paths are resolved against the file's folder.
///
/// ```yaml
/// endpoint: tcp://127.0.0.1:5570
/// data_dir: ../var/hub
/// keys_dir: keys
/// agencies_file: agencies.yaml
/// heartbeat_ms: 1000
/// limits: { max_body_bytes: 1048576, max_envelope_bytes: 16384, max_credit: 1000, batch_size: 512 }
/// delivery: { default_ttl: 7d, max_attempts: 5, retry_backoff: 1s, ttl: { attendance.return: 30d } }
/// retention: { sweep_interval: 1m }
/// metrics_listen: 127.0.0.1:9464
/// # store: postgresql://liaison@db1:5432/hub?password_file=/etc/liaison/pg.pass   (default: SQLite in data_dir)
/// ```
public struct HubConfiguration: Sendable {
    /// The file this was read from (for messages), or a description.
    public var source: String
    /// Where the broker binds and adapters connect: `tcp://HOST:PORT` or `ipc://PATH`.
    public var endpoint: String
    /// The broker's working folder, and the folder of the hub's SQLite store unless `store:` names PostgreSQL.
    public var dataDirectory: String
    /// The PostgreSQL store's URLs (`store:`): the primary and its standbys, tried in turn for the writable one. Empty
    /// for the SQLite store in `dataDirectory`.
    public var storeURLs: [String] = []
    /// Folder of key files: the hub's `hub.key`/`hub.pub`, and local adapters' `ID.key`.
    public var keysDirectory: String
    public var agenciesFile: String
    /// Folder of the message types' JSON Schemas; `nil` accepts any type without checking bodies.
    public var schemasDirectory: String?
    /// Folder of the sharing agreements; when set, every message is routed by their decisions.
    public var agreementsDirectory: String?
    public var heartbeatMilliseconds: Int = 1000
    public var maxBodyBytes: Int = 1 << 20
    public var maxEnvelopeBytes: Int = 16 << 10
    public var maxCredit: Int = 1000
    /// The most messages read in one poll cycle and committed in one transaction.
    public var batchSize: Int = 512
    /// The most the store may grow to (`limits.max_store_mib`), or nil for no limit but the disk's. Past it a
    /// commit fails as on a full disk: SENDs are answered 503 and nothing is lost; raise it and send SIGHUP.
    public var maxStoreBytes: Int?
    public var defaultTTLMilliseconds: Int64 = 7 * 86_400_000
    public var ttlMilliseconds: [MessageType: Int64] = [:]
    public var maxAttempts: Int = 5
    public var retryBackoffMilliseconds: Int64 = 1000

    public init(endpoint: String, dataDirectory: String, keysDirectory: String, agenciesFile: String, source: String = "(built in)") {
        self.endpoint = endpoint
        self.dataDirectory = dataDirectory
        self.keysDirectory = keysDirectory
        self.agenciesFile = agenciesFile
        self.source = source
    }

    public var hubSecretKeyPath: String { "\(keysDirectory)/hub.key" }
    public var hubPublicKeyPath: String { "\(keysDirectory)/hub.pub" }
    public var databasePath: String { "\(dataDirectory)/hub.sqlite" }

    /// Where the hub's store is.
    public enum StoreLocation: Sendable, Equatable {
        /// SQLite: `hub.sqlite` in this folder.
        case sqlite(directory: String)
        /// PostgreSQL: the primary and its standbys (docs/operations.md).
        case postgresql(urls: [String])
    }

    public var store: StoreLocation { storeURLs.isEmpty ? .sqlite(directory: dataDirectory) : .postgresql(urls: storeURLs) }
    /// The hub's secret for keyed pseudonyms of children in the audit (made on first start).
    public var pseudonymKeyPath: String { "\(keysDirectory)/pseudonym.key" }
    /// The hub's Ed25519 key for signing audit checkpoints (made on first start), and its public half.
    public var checkpointKeyPath: String { "\(keysDirectory)/checkpoint.key" }
    public var checkpointPublicKeyPath: String { "\(keysDirectory)/checkpoint.pub" }
    /// The origin line of the hub's checkpoints.
    public var checkpointOrigin: String = "liaison-hub"
    /// A checkpoint is signed after this many new audit entries, or this long after the last, and at shutdown.
    public var checkpointEntries: Int = 1000
    public var checkpointIntervalMilliseconds: Int64 = 10_000
    /// Whether audit entries become leaves of the Merkle tree. Always true for a hub: only `make bench` turns
    /// it off, to measure in the same run what the tree costs. A log without its tree proves nothing.
    package var buildsAuditTree = true
    /// How often the broker deletes message bodies whose agreement's `body_retention` has ended.
    public var retentionSweepMilliseconds: Int64 = 60_000
    /// Where the broker serves `/metrics` in the Prometheus text format (`metrics_listen`, loopback only), or nil
    /// for no metrics endpoint.
    public var metricsListen: MetricsAddress?
    /// The broker's admin interface (`admin_endpoint`, `ipc://` only): a ZeroMQ REP socket the broker binds in a
    /// folder it makes 0700, the socket 0600, so only the hub's OS user reaches it (docs/protocol.md, "Admin
    /// interface"). Nil for none.
    public var adminEndpoint: String?
    /// Where adapters look for the hub after `endpoint` (`standby_endpoints`): the endpoints of standby brokers,
    /// tried in turn each time the connection is lost (docs/operations.md, "A standby broker"). Brokers ignore it.
    public var standbyEndpoints: [String] = []
    /// Whether this broker waits for the store's lease when another broker holds it, and takes over when that one
    /// stops or dies (`liaison broker --standby`), instead of refusing to start.
    public var waitsForLease = false

    /// Every endpoint an adapter may find the hub on, in the order it tries them.
    public var adapterEndpoints: [String] { [endpoint] + standbyEndpoints }

    public func ttl(for type: MessageType) -> Int64 { ttlMilliseconds[type] ?? defaultTTLMilliseconds }

    /// Loads and checks a hub configuration file.
    ///
    /// - Throws: `ConfigurationError` naming the file, line and key of the first problem.
    public static func load(path: String) throws(ConfigurationError) -> HubConfiguration {
        let root = try ConfigNode.load(path: path)
        let folder = (path as NSString).deletingLastPathComponent
        func resolve(_ relative: String) -> String {
            let base = folder.isEmpty ? "." : folder
            return relative.hasPrefix("/") ? relative : (("\(base)/\(relative)") as NSString).standardizingPath
        }
        let top = try root.mapping()
        let endpointNode = try top.required("endpoint")
        let endpoint = try endpointNode.string()
        guard endpoint.hasPrefix("tcp://") || endpoint.hasPrefix("ipc://") else {
            throw endpointNode.error(.invalidValue, "Expected tcp://HOST:PORT or ipc://PATH.")
        }
        var configuration = HubConfiguration(
            endpoint: endpoint.hasPrefix("ipc://") && !endpoint.hasPrefix("ipc:///")
                ? "ipc://" + resolve(String(endpoint.dropFirst(6))) : endpoint,
            dataDirectory: try HubConfiguration.dataDirectory(top, resolve: resolve),
            keysDirectory: resolve(try top.required("keys_dir").string()),
            agenciesFile: resolve(try top.required("agencies_file").string()),
            source: path)
        if let node = top.optional("schemas_dir") { configuration.schemasDirectory = resolve(try node.string()) }
        if let node = top.optional("agreements_dir") { configuration.agreementsDirectory = resolve(try node.string()) }
        if let node = top.optional("heartbeat_ms") { configuration.heartbeatMilliseconds = try node.int(in: 50...60_000) }
        var maxStoreNode: ConfigNode?
        if let limits = try top.optional("limits")?.mapping() {
            if let node = limits.optional("max_body_bytes") { configuration.maxBodyBytes = try node.int(in: 1...(256 << 20)) }
            if let node = limits.optional("max_envelope_bytes") { configuration.maxEnvelopeBytes = try node.int(in: 512...(1 << 20)) }
            if let node = limits.optional("max_credit") { configuration.maxCredit = try node.int(in: 1...10_000) }
            if let node = limits.optional("batch_size") { configuration.batchSize = try node.int(in: 1...10_000) }
            if let node = limits.optional("max_store_mib") {
                configuration.maxStoreBytes = try node.int(in: 1...(1 << 24)) << 20
                maxStoreNode = node
            }
            try limits.finish()
        }
        if let delivery = try top.optional("delivery")?.mapping() {
            if let node = delivery.optional("default_ttl") { configuration.defaultTTLMilliseconds = try node.durationMilliseconds() }
            if let node = delivery.optional("max_attempts") { configuration.maxAttempts = try node.int(in: 1...100) }
            if let node = delivery.optional("retry_backoff") { configuration.retryBackoffMilliseconds = try node.durationMilliseconds() }
            if let ttl = delivery.optional("ttl") {
                for (key, node) in try ttl.entries() {
                    guard let type = MessageType(key) else {
                        throw node.error(.invalidValue, "'\(key)' is not a message type (lower-case letters, digits, '.', '-').")
                    }
                    configuration.ttlMilliseconds[type] = try node.durationMilliseconds()
                }
            }
            try delivery.finish()
        }
        if let retention = try top.optional("retention")?.mapping() {
            if let node = retention.optional("sweep_interval") { configuration.retentionSweepMilliseconds = try node.durationMilliseconds() }
            try retention.finish()
        }
        if let node = top.optional("metrics_listen") {
            let text = try node.string()
            do throws(MetricsAddressError) { configuration.metricsListen = try MetricsAddress(parsing: text) } catch {
                throw node.error(.invalidValue, error.description)
            }
        }
        if let node = top.optional("standby_endpoints") {
            for item in try node.sequence() {
                let text = try item.string()
                guard text.hasPrefix("tcp://") || text.hasPrefix("ipc://") else {
                    throw item.error(.invalidValue, "Expected tcp://HOST:PORT or ipc://PATH: a standby broker's endpoint.")
                }
                configuration.standbyEndpoints.append(
                    text.hasPrefix("ipc://") && !text.hasPrefix("ipc:///") ? "ipc://" + resolve(String(text.dropFirst(6))) : text)
            }
        }
        if let node = top.optional("store") {
            configuration.storeURLs = try HubConfiguration.storeURLs(node)
            if let maxStoreNode, !configuration.storeURLs.isEmpty {
                throw maxStoreNode.error(
                    .invalidValue, "max_store_mib limits the SQLite store only: a PostgreSQL store's size is the database's to limit.")
            }
        }
        if let node = top.optional("admin_endpoint") {
            let text = try node.string()
            guard text.hasPrefix("ipc://"), text.count > 6 else {
                throw node.error(.invalidValue, "Expected ipc://PATH: the admin interface is reachable only through a local socket file.")
            }
            configuration.adminEndpoint = "ipc://" + resolve(String(text.dropFirst(6)))
        }
        try top.finish()
        return configuration
    }

    /// `data_dir`, or `store:` when that names a folder (SQLite); one of them, not both.
    static func dataDirectory(_ top: MappingReader, resolve: (String) -> String) throws(ConfigurationError) -> String {
        let dataNode = top.optional("data_dir")
        if let node = top.optional("store"), let text = try? node.string(), !isPostgresURL(text) {
            guard dataNode == nil else {
                throw node.error(.invalidValue, "Give the SQLite store's folder once: as data_dir or as store, not both.")
            }
            return resolve(text)
        }
        return resolve(try top.required("data_dir").string())
    }

    static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// `store:`'s PostgreSQL URLs (one, or a list: the primary and its standbys); none when it names a folder.
    static func storeURLs(_ node: ConfigNode) throws(ConfigurationError) -> [String] {
        let items: [ConfigNode]
        if let text = try? node.string() {
            guard isPostgresURL(text) else { return [] }
            items = [node]
        } else {
            items = try node.sequence()
        }
        guard !items.isEmpty else { throw node.error(.invalidValue, "Expected a folder, a postgresql:// URL or a list of them.") }
        return try items.map { (item) throws(ConfigurationError) in
            let text = try item.string()
            guard isPostgresURL(text), let components = URLComponents(string: text), components.host?.isEmpty == false else {
                throw item.error(.invalidValue, "Expected postgresql://USER@HOST:PORT/DATABASE (a list names the primary and its standbys).")
            }
            guard components.password == nil else {
                throw item.error(
                    .invalidValue, "The store URL carries a password: remove it, and give it in a password file (?password_file=PATH, mode 0600) or PGPASSWORD.")
            }
            return text
        }
    }
}
