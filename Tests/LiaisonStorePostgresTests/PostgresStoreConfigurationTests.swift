import Foundation
import LiaisonStore
import LiaisonStorePostgres
import Testing

/// Reading the store's `postgresql://` URL: no database needed, so these always run.
@Suite("The PostgreSQL store's URL and its password")
struct PostgresStoreConfigurationTests {
    @Test("A URL names the host, port, user, database, schema and TLS mode; the password comes from PGPASSWORD")
    func reads() throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgresql://hub@db.example.internal:6543/liaison?sslmode=require&schema=county", environment: ["PGPASSWORD": "from-env"])
        #expect(configuration.host == "db.example.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "hub")
        #expect(configuration.database == "liaison")
        #expect(configuration.schema == "county")
        #expect(configuration.sslMode == .require)
        #expect(!configuration.displayName.contains("from-env"))
        let defaults = try PostgresStoreConfiguration(url: "postgres://hub@localhost/liaison", environment: [:])
        #expect(defaults.port == 5432 && defaults.schema == "liaison" && defaults.sslMode == .prefer)
    }

    @Test("A password in the URL, an unknown key, a bad schema or not a postgresql URL are refused with what to do")
    func refusals() {
        for (url, words) in [
            ("postgresql://hub:secret@localhost/liaison", "password file"),
            ("postgresql://hub@localhost/liaison?sslmod=disable", "unknown key 'sslmod'"),
            ("postgresql://hub@localhost/liaison?schema=Drop_Tables", "schema must be"),
            ("postgresql://hub@localhost/liaison?sslmode=verify-full", "sslmode must be"),
            ("postgresql://localhost/liaison", "names no user"),
            ("postgresql://hub@localhost", "names no database"),
            ("/var/lib/liaison", "not a postgresql:// URL"),
        ] {
            #expect(throws: StoreError.self, "\(url)") { try PostgresStoreConfiguration(url: url, environment: [:]) }
            do {
                _ = try PostgresStoreConfiguration(url: url, environment: [:])
            } catch {
                #expect(error.message.contains(words), "\(url): \(error.message)")
                #expect(!error.message.contains("secret"))
            }
        }
    }

    @Test("A password file's first line is the password; one that group or others may read is refused")
    func passwordFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-pgpass-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/password"
        try Data("s3cret-synthetic\nignored\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let url = "postgresql://hub@localhost/liaison?password_file=\(path)"
        let configuration = try PostgresStoreConfiguration(url: url, environment: ["PGPASSWORD": "not-this-one"])
        #expect(configuration.password == "s3cret-synthetic")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: StoreError.self) { try PostgresStoreConfiguration(url: url, environment: [:]) }
        #expect(throws: StoreError.self) {
            try PostgresStoreConfiguration(url: "postgresql://hub@localhost/liaison?password_file=\(folder)/missing", environment: [:])
        }
    }

    @Test("The broker's grants give SELECT and INSERT on the audit tables and nothing more")
    func grants() {
        let grants = PostgresSchema.grants(to: "liaison_broker", in: "liaison")
        let audit = grants.filter { $0.contains("audit_log") }
        #expect(audit == ["GRANT SELECT, INSERT ON liaison.audit_log, liaison.merkle_nodes, liaison.checkpoints TO liaison_broker"])
        #expect(grants.allSatisfy { !$0.contains("TRUNCATE") })
    }
}
