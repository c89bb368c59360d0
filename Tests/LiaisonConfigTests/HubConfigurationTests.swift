import Foundation
import LiaisonConfig
import LiaisonTestSupport
import Testing

@Suite("Hub configuration")
struct HubConfigurationTests {
    /// The folders `write` makes, removed when the test ends.
    let temporary = TemporaryFolders()

    func write(_ text: String, name: String = "hub.yaml") throws -> String {
        let directory = try temporary.make("liaison-config").path
        let path = "\(directory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func loadError(_ text: String) throws -> ConfigurationError? {
        let path = try write(text)
        do {
            _ = try HubConfiguration.load(path: path)
            return nil
        } catch { return error }
    }

    let minimal = """
        endpoint: tcp://127.0.0.1:5570
        data_dir: data
        keys_dir: keys
        agencies_file: agencies.yaml

        """

    @Test func aFullConfigurationLoadsWithPathsResolvedAgainstItsFolder() throws {
        let path = try write(minimal + """
            heartbeat_ms: 500
            limits:
              max_body_bytes: 2048
              batch_size: 64
            delivery:
              default_ttl: 12h
              max_attempts: 3
              retry_backoff: 250ms
              ttl:
                attendance.return: 30d
            """)
        let configuration = try HubConfiguration.load(path: path)
        let folder = (path as NSString).deletingLastPathComponent
        #expect(configuration.dataDirectory == "\(folder)/data")
        #expect(configuration.hubSecretKeyPath == "\(folder)/keys/hub.key")
        #expect(configuration.heartbeatMilliseconds == 500)
        #expect(configuration.maxBodyBytes == 2048)
        #expect(configuration.batchSize == 64)
        #expect(configuration.defaultTTLMilliseconds == 12 * 3_600_000)
        #expect(configuration.retryBackoffMilliseconds == 250)
        #expect(configuration.ttl(for: .init("attendance.return")!) == 30 * 86_400_000)
        #expect(configuration.ttl(for: .init("referral")!) == 12 * 3_600_000)
    }

    @Test func anUnknownKeyIsAnErrorNamingFileLineAndKey() throws {
        let error = try loadError(minimal + "limits:\n  max_body_byte: 10\n")
        #expect(error?.code == .unknownKey)
        #expect(error?.line == 6)
        #expect(error?.key == "limits.max_body_byte")
        #expect(error?.description.contains("hub.yaml:6: 'limits.max_body_byte'") == true, "\(String(describing: error))")
        #expect(error?.message.contains("max_body_bytes") == true)
    }

    @Test func aMissingKeyIsNamed() throws {
        let error = try loadError("endpoint: tcp://127.0.0.1:1\ndata_dir: d\nkeys_dir: k\n")
        #expect(error?.code == .missingKey)
        #expect(error?.key == "agencies_file")
    }

    @Test(arguments: [
        ("heartbeat_ms: 10\n", "heartbeat_ms"),
        ("delivery:\n  default_ttl: soon\n", "delivery.default_ttl"),
        ("delivery:\n  ttl:\n    Bad Type: 1d\n", "delivery.ttl.Bad Type"),
        ("limits:\n  max_credit: [1]\n", "limits.max_credit"),
    ])
    func invalidValuesAreNamed(extra: String, key: String) throws {
        let error = try loadError(minimal + extra)
        #expect(error?.code == .invalidValue)
        #expect(error?.key == key)
    }

    @Test func aBadEndpointIsRefused() throws {
        let error = try loadError(minimal.replacingOccurrences(of: "tcp://127.0.0.1:5570", with: "http://x"))
        #expect(error?.key == "endpoint")
    }

    @Test func aYAMLSyntaxErrorGivesItsLine() throws {
        let error = try loadError(minimal + "limits: [unclosed\n")
        #expect(error?.code == .syntax)
        #expect(error?.line != nil)
    }

    @Test func duplicateKeysAreRefused() throws {
        let error = try loadError(minimal + "heartbeat_ms: 100\nheartbeat_ms: 200\n")
        #expect(error != nil)
    }

    @Test func theStoreIsSQLiteInDataDirUnlessStoreNamesPostgreSQL() throws {
        let path = try write(minimal)
        let folder = (path as NSString).deletingLastPathComponent
        #expect(try HubConfiguration.load(path: path).store == .sqlite(directory: "\(folder)/data"))

        let one = try HubConfiguration.load(path: try write(minimal + "store: postgresql://hub@db1:5432/liaison?password_file=/etc/pg.pass\n"))
        #expect(one.store == .postgresql(urls: ["postgresql://hub@db1:5432/liaison?password_file=/etc/pg.pass"]))
        let two = try HubConfiguration.load(path: try write(minimal + "store:\n  - postgresql://hub@db1/liaison\n  - postgres://hub@db2/liaison\n"))
        #expect(two.store == .postgresql(urls: ["postgresql://hub@db1/liaison", "postgres://hub@db2/liaison"]))

        // A folder stands in for data_dir (relative to the file, as data_dir is).
        let withoutDataDir = minimal.replacingOccurrences(of: "data_dir: data\n", with: "")
        let folderPath = try write(withoutDataDir + "store: var/hub\n")
        let folderStore = try HubConfiguration.load(path: folderPath)
        #expect(folderStore.store == .sqlite(directory: "\((folderPath as NSString).deletingLastPathComponent)/var/hub"))
    }

    @Test(arguments: [
        ("store: postgresql://hub:secret@db1/liaison\n", "password"),
        ("store: [mysql://hub@db1/liaison]\n", "postgresql://"),
        ("store: postgresql://hub@db1/liaison\nlimits:\n  max_store_mib: 10\n", "SQLite store only"),
        ("store: elsewhere\n", "not both"),
        ("store: []\n", "Expected a folder"),
    ])
    func aStoreThatCannotBeUsedIsRefusedWithWhatToDo(extra: String, says: String) throws {
        let error = try loadError(minimal + extra)
        #expect(error?.code == .invalidValue, "\(String(describing: error))")
        #expect(error?.message.contains(says) == true, "\(String(describing: error))")
    }

    @Test func standbyEndpointsAreReadInOrderAndIpcPathsResolved() throws {
        let path = try write(minimal + "standby_endpoints: [tcp://10.0.0.2:5570, ipc://standby.ipc]\n")
        let folder = (path as NSString).deletingLastPathComponent
        let configuration = try HubConfiguration.load(path: path)
        #expect(configuration.adapterEndpoints == ["tcp://127.0.0.1:5570", "tcp://10.0.0.2:5570", "ipc://\(folder)/standby.ipc"])
        let error = try loadError(minimal + "standby_endpoints: [http://x]\n")
        #expect(error?.key == "standby_endpoints[0]" || error?.code == .invalidValue)
    }
}

@Suite("Agency directory")
struct AgencyDirectoryTests {
    @Test func agenciesLoadWithTheirKeysAndAreFoundByKey() throws {
        let hub = try TemporaryHub(agencies: ["npas", "yot"])
        defer { hub.remove() }
        let directory = try AgencyDirectory.load(path: "\(hub.directory)/agencies.yaml")
        #expect(directory.agencies.map(\.id.rawValue) == ["npas", "yot"])
        let yotKey = try KeyFiles.readPublicKey(path: "\(hub.keysDirectory)/yot.pub")
        #expect(directory.agency(publicKey: yotKey)?.id.rawValue == "yot")
        let hubKey = try KeyFiles.readPublicKey(path: "\(hub.keysDirectory)/hub.pub")
        #expect(directory.agency(publicKey: hubKey) == nil)
    }

    @Test func twoAgenciesMayNotShareAKey() throws {
        let hub = try TemporaryHub(agencies: ["npas"])
        defer { hub.remove() }
        let path = "\(hub.directory)/agencies.yaml"
        try """
            agencies:
              npas: {name: A, public_key_file: keys/npas.pub}
              yot: {name: B, public_key_file: keys/npas.pub}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try AgencyDirectory.load(path: path) }
    }

    @Test func aMissingKeyFileIsNamed() throws {
        let hub = try TemporaryHub(agencies: ["npas"])
        defer { hub.remove() }
        let path = "\(hub.directory)/agencies.yaml"
        try "agencies:\n  npas:\n    name: A\n    public_key_file: keys/nobody.pub\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try AgencyDirectory.load(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "agencies.npas.public_key_file")
            #expect(error.line == 4)
        }
    }

    @Test func anInlineKeyMustBeZ85() throws {
        let hub = try TemporaryHub(agencies: ["npas"])
        defer { hub.remove() }
        let path = "\(hub.directory)/agencies.yaml"
        try "agencies:\n  npas:\n    name: A\n    public_key: not-a-key\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try AgencyDirectory.load(path: path) }
    }

    @Test func keyFilesAreWrittenWithTheSecretPrivate() throws {
        let folder = try TemporaryFolder("keys", create: false)
        defer { folder.remove() }
        let directory = folder.path
        let pair = try KeyFiles.generate(name: "yot", directory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/yot.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try KeyFiles.readKeyPair(secretPath: "\(directory)/yot.key") == pair)
        #expect(try KeyFiles.readPublicKey(path: "\(directory)/yot.pub") == pair.publicKey)
        #expect(throws: ConfigurationError.self) { try KeyFiles.generate(name: "yot", directory: directory) }
    }
}
