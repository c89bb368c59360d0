import Foundation
import LiaisonStore
import LiaisonStorePostgres
import Testing

/// The throwaway database the PostgreSQL suites run against: `LIAISON_TEST_POSTGRES_URL` (set by `make test-postgres`,
/// scripts/postgres-cluster.sh). Without it the suites are skipped, unless `LIAISON_REQUIRE_POSTGRES=1`, which
/// `make test-postgres` sets so that a missing database fails the run instead of passing it silently.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["LIAISON_TEST_POSTGRES_URL"]
    static let required = ProcessInfo.processInfo.environment["LIAISON_REQUIRE_POSTGRES"] == "1"

    /// Whether the suites run: with a URL, or when one is required (then `open` fails the test for want of it).
    static var enabled: Bool { url != nil || required }

    /// A store in a schema of its own (tests run in parallel on one database), dropped by `drop(_:)`.
    static func open(_ name: String) throws -> PostgresHubStore {
        guard let url else {
            Issue.record("LIAISON_REQUIRE_POSTGRES=1 but LIAISON_TEST_POSTGRES_URL is not set: run make test-postgres.")
            throw StoreError(.cannotOpen, "no test database")
        }
        let schema = "t_\(name)_\(UInt32.random(in: 0...UInt32.max))"
        let separator = url.contains("?") ? "&" : "?"
        return try PostgresHubStore(url: "\(url)\(separator)schema=\(schema)")
    }

    /// The URL of `store`'s schema, for a broker's hub.yaml.
    static func url(of store: PostgresHubStore) -> String {
        let base = url ?? ""
        return "\(base)\(base.contains("?") ? "&" : "?")schema=\(store.configuration.schema)"
    }

    /// Drops the store's schema (its triggers do not stop a DROP) and closes it.
    static func drop(_ store: PostgresHubStore) {
        try? store.execute("DROP SCHEMA \(store.configuration.schema) CASCADE")
        store.close()
    }
}
