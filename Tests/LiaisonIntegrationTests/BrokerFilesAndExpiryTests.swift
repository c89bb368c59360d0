import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonTestSupport
import Testing

/// The real broker and its files at rest: created owner-only whatever the umask; a store or secret key that
/// others can read, or a key that exists but cannot be used, stops start-up with what to do; and an expired
/// delivery still in flight is dead-lettered, so its body goes at the end of its retention.
@Suite("The broker's files at rest, and expiry in flight", .timeLimit(.minutes(2)), .realProcesses)
struct BrokerFilesAndExpiryTests {
    static let child = "Q926200024001"

    /// A folder holding the YOT agreement (bodies kept for no time), for a broker that makes pseudonyms; the
    /// caller removes it once the broker has stopped.
    func agreements() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("agreements")
        try SharingRulesTests.agreement.replacingOccurrences(of: "retention: 2y\n", with: "retention: 2y\nbody_retention: P0D\n")
            .write(toFile: folder.appending("yot.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    func mode(_ path: String) throws -> Int {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    /// Runs `liaison` with `arguments` under umask 000.
    func withOpenUmask(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let result = try await ChildProcess.run(
            "/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", try LiaisonExecutable.path()] + arguments, mergingErrors: true)
        return (result.status, result.output)
    }

    /// Starts the broker expecting it to refuse, and returns what it said.
    func refusal(_ hub: TemporaryHub) async throws -> String {
        let broker = BrokerProcess(hub: hub)
        do {
            try await broker.start(timeout: .seconds(15))
        } catch {
            return "\(error)"
        }
        await broker.stop()
        Issue.record("the broker started")
        return ""
    }

    @Test func underAnOpenUmaskTheStoreAndSecretKeysAreOwnerOnly() async throws {
        let rules = try agreements()
        defer { rules.remove() }
        let hub = try TemporaryHub(extraConfig: "agreements_dir: \(rules.path)\n")
        defer { hub.remove() }
        // `liaison keys generate` and the broker, both with umask 000.
        let keys = "\(hub.directory)/fresh-keys"
        let generate = try await withOpenUmask(["keys", "generate", "--agency", "yot", "--out", keys])
        #expect(generate.status == 0, "\(generate.output)")
        #expect(try mode(keys) == 0o700)
        #expect(try mode("\(keys)/yot.key") == 0o600)

        let broker = Process()
        broker.executableURL = URL(fileURLWithPath: "/bin/sh")
        broker.arguments = ["-c", "umask 000; exec \"$0\" \"$@\"", try LiaisonExecutable.path(), "broker", "--config", hub.configPath]
        broker.environment = ChildProcess.environment()
        let log = Pipe()
        broker.standardOutput = log
        broker.standardError = log
        try broker.run()
        defer {
            if broker.isRunning { broker.terminate() }
            broker.reapInBackground()
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, !FileManager.default.fileExists(atPath: "\(hub.directory)/hub.ipc") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(broker.isRunning)
        // A connection, audited, so that the write-ahead log and its index exist.
        let npas = try await hub.connect("npas")
        await npas.close()
        #expect(try mode("\(hub.directory)/data") == 0o700)
        for file in ["hub.sqlite", "hub.sqlite-wal", "hub.sqlite-shm"] {
            #expect(try mode("\(hub.directory)/data/\(file)") == 0o600, "\(file)")
        }
        for key in ["pseudonym.key", "checkpoint.key", "hub.key"] {
            #expect(try mode("\(hub.keysDirectory)/\(key)") == 0o600, "\(key)")
        }
    }

    @Test func aSecretKeyOrStoreOthersCanReadStopsStartUpNamingTheChmod() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        chmod("\(hub.keysDirectory)/hub.key", 0o644)
        let key = try await refusal(hub)
        #expect(key.contains("chmod 600 \(hub.keysDirectory)/hub.key"), "\(key)")

        chmod("\(hub.keysDirectory)/hub.key", 0o600)
        try FileManager.default.createDirectory(atPath: "\(hub.directory)/data", withIntermediateDirectories: true)
        chmod("\(hub.directory)/data", 0o755)
        let store = try await refusal(hub)
        #expect(store.contains("chmod 700 \(hub.directory)/data"), "\(store)")

        chmod("\(hub.directory)/data", 0o700)
        let broker = BrokerProcess(hub: hub)
        try await broker.start()  // and once fixed, it starts
        await broker.stop()
    }

    /// Tests run as root, who can read any file: a key that "exists but cannot be read" is made with a folder
    /// in its place, or a file that is not a key. Each stops start-up, and is left as it was.
    @Test func aPseudonymOrCheckpointKeyThatCannotBeUsedStopsStartUpAndIsNotReplaced() async throws {
        let rules = try agreements()
        defer { rules.remove() }
        let hub = try TemporaryHub(extraConfig: "agreements_dir: \(rules.path)\n")
        defer { hub.remove() }
        let pseudonymKey = "\(hub.keysDirectory)/pseudonym.key"
        try FileManager.default.createDirectory(atPath: pseudonymKey, withIntermediateDirectories: false)
        let folder = try await refusal(hub)
        #expect(folder.contains("pseudonym key") && folder.contains("not a regular file"), "\(folder)")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: pseudonymKey, isDirectory: &isDirectory) && isDirectory.boolValue)

        try FileManager.default.removeItem(atPath: pseudonymKey)
        try PrivateFile.create(pseudonymKey, bytes: Array(repeating: 1, count: 12))
        let short = try await refusal(hub)
        #expect(short.contains("shorter than a pseudonym key"), "\(short)")
        #expect(try PrivateFile.read(pseudonymKey) == Array(repeating: 1, count: 12))

        try FileManager.default.removeItem(atPath: pseudonymKey)
        let checkpointKey = "\(hub.keysDirectory)/checkpoint.key"
        try PrivateFile.create(checkpointKey, bytes: Array("restored badly\n".utf8))
        let malformed = try await refusal(hub)
        #expect(malformed.contains("checkpoint key") && malformed.contains("never replaced"), "\(malformed)")
        #expect(try PrivateFile.read(checkpointKey) == Array("restored badly\n".utf8))
    }

    /// A recipient that takes a delivery and never settles it: at the end of the message's time to live it
    /// becomes a dead letter though still in flight, the body goes at the end of its retention, and the late
    /// ACK changes nothing and harms nothing (the session carries on).
    @Test func anExpiredDeliveryInFlightIsDeadLetteredAndItsLateAckIsHarmless() async throws {
        let rules = try agreements()
        let running = try await RunningHub.start(
            extraConfig: "agreements_dir: \(rules.path)\nretention: { sweep_interval: 100ms }\n"
                + "delivery: { ttl: { test.summary: 2s } }\n", removing: [rules])
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        try await SharingRulesTests().registerCaseload(yot, [Self.child])
        let npas = try await running.hub.connect("npas")
        let body = Array(#"{"period":"2026-autumn-1","pupils":[{"upn":"\#(Self.child)","attendance":81.5}]}"#.utf8)
        let sent = try await npas.send(type: "test.summary", to: [], body: body)
        let delivery = try #require(await collect(yot, count: 1, ack: false).first)

        let expired = try await running.waitForAudit { $0.event.kind == .expired && $0.event.sequence == sent.sequence }
        #expect(expired != nil, "the delivery in flight was not dead-lettered at the end of its time to live")
        var deleted = false
        for _ in 0..<100 where !deleted {
            deleted = try !HubStore(path: running.hub.databasePath, readOnly: true).holdsBody(sequence: sent.sequence)
            if !deleted { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(deleted, "the body was pinned by a delivery in flight")

        yot.ack(delivery)  // late
        let next = try await npas.send(type: "test.summary", to: [], body: body)
        let after = await collect(yot, count: 1)
        #expect(after.map(\.tag) == [next.sequence], "the session did not carry on after the late ACK")
        _ = try await running.waitForAudit { $0.event.kind == .acknowledged && $0.event.sequence == next.sequence }
        await yot.close()
        await npas.close()
        await running.broker.stop()
        let log = try running.audit()
        #expect(!log.contains { $0.event.kind == .acknowledged && $0.event.sequence == sent.sequence }, "the late ACK was recorded")
        #expect(log.filter { $0.event.kind == .expired && $0.event.sequence == sent.sequence }.count == 1)
    }
}
