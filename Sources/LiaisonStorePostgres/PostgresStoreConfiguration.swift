import Foundation
import LiaisonStore
import NIOSSL
import PostgresNIO

/// Where the hub's PostgreSQL store is and how to reach it, read from a `postgresql://` URL.
///
/// `postgresql://USER@HOST:PORT/DATABASE?sslmode=disable|prefer|require&schema=NAME&password_file=PATH`
///
/// The URL never carries a password (hub.yaml is not a place for secrets): one in the URL is refused. The password,
/// if the server asks for one, comes from `password_file` (a file only its owner may read, its first line) or else
/// from the `PGPASSWORD` environment variable, as libpq's own tools take it. postgres-nio has no URL parser of its
/// own, so the URL is read here into postgres-nio's `PostgresConnection.Configuration`.
package struct PostgresStoreConfiguration: Sendable {
    package var host: String
    package var port: Int
    package var username: String
    package var database: String
    /// The PostgreSQL schema that holds the hub's tables (default `liaison`).
    package var schema: String
    package var sslMode: SSLMode
    /// Resolved from the password file or `PGPASSWORD`; never from the URL.
    package private(set) var password: String?

    /// How the connection uses TLS, as libpq's `sslmode` names it.
    package enum SSLMode: String, Sendable {
        case disable, prefer, require
    }

    /// The query keys a store URL may carry.
    static let knownKeys: Set<String> = ["sslmode", "schema", "password_file"]

    /// Reads `url`.
    ///
    /// - Throws: `StoreError` `.cannotOpen` naming what is wrong: not a `postgresql://` URL, a password in it, an
    ///   unknown query key, a bad port or schema name, or a password file that cannot be read or that group or others
    ///   may read.
    package init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgresql" || scheme == "postgres"
        else {
            throw StoreError(.cannotOpen, "The store URL is not a postgresql:// URL: write it as postgresql://USER@HOST:PORT/DATABASE.")
        }
        guard components.password == nil else {
            throw StoreError(
                .cannotOpen,
                "The store URL carries a password: remove it, and give it in a password file (?password_file=PATH, mode 0600) or PGPASSWORD.")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError(.cannotOpen, "The store URL names no host: write it as postgresql://USER@HOST:PORT/DATABASE.")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError(.cannotOpen, "The store URL names no user: write it as postgresql://USER@HOST:PORT/DATABASE.")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError(.cannotOpen, "The store URL names no database: write it as postgresql://USER@HOST:PORT/DATABASE.")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard PostgresStoreConfiguration.knownKeys.contains(item.name) else {
                throw StoreError(
                    .cannotOpen, "The store URL has an unknown key '\(item.name)': the keys are sslmode, schema and password_file.")
            }
            query[item.name] = item.value ?? ""
        }
        guard let mode = SSLMode(rawValue: query["sslmode"] ?? "prefer") else {
            throw StoreError(.cannotOpen, "The store URL's sslmode must be disable, prefer or require.")
        }
        let schema = query["schema"] ?? "liaison"
        guard PostgresStoreConfiguration.isPlainName(schema) else {
            throw StoreError(.cannotOpen, "The store URL's schema must be lower-case letters, digits and _ (starting with a letter).")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user
        self.database = database
        self.schema = schema
        self.sslMode = mode
        if let path = query["password_file"] {
            try PrivateFile.checkPrivate(path)
            guard let bytes = try PrivateFile.read(path) else {
                throw StoreError(.cannotOpen, "The store's password file \(path) does not exist: create it (mode 0600) or remove password_file.")
            }
            password = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        } else {
            password = environment["PGPASSWORD"]
        }
    }

    /// A schema name the store may put into SQL text (identifiers cannot be bind parameters).
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= 63 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// The URL without its query, for messages and logs (it never holds a password).
    package var displayName: String { "postgresql://\(username)@\(host):\(port)/\(database) (schema \(schema))" }

    /// postgres-nio's configuration for one connection.
    func connectionConfiguration() throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch sslMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw StoreError(.cannotOpen, "Cannot set up TLS for the store at \(displayName).", cause: error)
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = [("application_name", "liaison")]
        return configuration
    }
}
