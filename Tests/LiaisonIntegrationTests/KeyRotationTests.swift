import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonProtocol
import LiaisonTestSupport
import Testing

/// An agency's key is rotated while it sends (issue 11, item 7): both keys work during the rotation, the
/// broker reloads on SIGHUP without dropping anyone, the old key's sessions end at the finish, nothing is lost.
@Suite("Key rotation", .timeLimit(.minutes(2)), .realProcesses(.long))
struct KeyRotationTests {
    func client(_ running: RunningHub, secretKey: String, name: String) throws -> AdapterClient {
        var configuration = try AdapterConfiguration(
            endpoint: running.hub.endpoint, hubPublicKeyFile: "\(running.hub.keysDirectory)/hub.pub", secretKeyFile: secretKey,
            adapterName: name, consumes: ["*"], credit: 64)
        configuration.helloTimeout = .seconds(3)
        configuration.resendAfter = .seconds(3)
        return AdapterClient(configuration: configuration)
    }

    @Test func aKeyRotatedWhileSendingLosesNothing() async throws {
        let running = try await RunningHub.start(agencies: ["npas", "yot"])
        defer { running.finish() }
        let npas = try await running.hub.connect("npas")
        let old = try client(running, secretKey: "\(running.hub.keysDirectory)/yot.key", name: "yot-old")
        try await old.connect()
        let keysFolder = running.hub.keysDirectory

        // The old key sends throughout the first half of the rotation.
        let sending = Task {
            var accepted: [String] = []
            for index in 0..<150 {
                let id = "old-\(index)"
                _ = try await old.send(type: "t.x", to: ["npas"], body: Array("{}".utf8), id: id)
                accepted.append(id)
                if index % 10 == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
            return accepted
        }
        let begin = try await LiaisonExecutable.run(["keys", "rotate", "--agency", "yot", "--config", running.hub.configPath])
        #expect(begin.status == 0, "\(begin.output)")
        #expect(begin.output.contains("Asked the broker"), "\(begin.output)")
        #expect(try await running.waitForAudit { $0.event.detail?.hasPrefix("reloaded") == true } != nil)
        #expect(FileManager.default.fileExists(atPath: "\(keysFolder)/yot.next.key"))

        // During the rotation both keys connect, as the same agency.
        let new = try client(running, secretKey: "\(keysFolder)/yot.next.key", name: "yot-new")
        try await new.connect()
        var accepted = try await sending.value
        for index in 0..<50 {
            _ = try await new.send(type: "t.x", to: ["npas"], body: Array("{}".utf8), id: "new-\(index)")
            accepted.append("new-\(index)")
        }

        let finish = try await LiaisonExecutable.run(["keys", "rotate", "--agency", "yot", "--finish", "--config", running.hub.configPath])
        #expect(finish.status == 0, "\(finish.output)")
        let ended = try await running.waitForAudit { $0.event.detail?.contains("1 sessions of removed keys ended") == true }
        let reloads = try running.audit().compactMap(\.event.detail).filter { $0.hasPrefix("reload") }
        #expect(ended != nil, "\(reloads)")
        #expect(FileManager.default.fileExists(atPath: "\(keysFolder)/yot.pub"))
        #expect(!FileManager.default.fileExists(atPath: "\(keysFolder)/yot.next.pub"))
        let agencies = try String(contentsOfFile: "\(running.hub.directory)/agencies.yaml", encoding: .utf8)
        #expect(!agencies.contains("next_public_key_file"))

        // The new key (now yot.key) still sends; the retired key is refused.
        _ = try await new.send(type: "t.x", to: ["npas"], body: Array("{}".utf8), id: "after-finish")
        accepted.append("after-finish")
        let retired = try FileManager.default.contentsOfDirectory(atPath: keysFolder).first { $0.hasPrefix("yot.retired-") && $0.hasSuffix(".key") }
        let stale = try client(running, secretKey: "\(keysFolder)/\(try #require(retired))", name: "yot-stale")
        await #expect { try await stale.connect() } throws: { ($0 as? AdapterError)?.code == .keyRefused }

        // Nothing accepted was lost: npas receives every message, each once or more (at least once).
        let delivered = await collect(npas, count: accepted.count, timeout: .seconds(30))
        #expect(Set(delivered.map(\.envelope.id)) == Set(accepted))
        // No session of the new key was dropped by the reloads.
        let gone = try running.audit().filter { $0.event.kind == .adapterGone && $0.event.detail?.hasPrefix("yot-new") == true }
        #expect(gone.isEmpty)
        await old.close()
        await new.close()
        await npas.close()
    }

    @Test func aReloadWithABrokenAgenciesFileKeepsTheRunningConfiguration() async throws {
        let running = try await RunningHub.start(agencies: ["npas", "yot"])
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let path = "\(running.hub.directory)/agencies.yaml"
        let good = try String(contentsOfFile: path, encoding: .utf8)
        try (good + "  bad agency:\n    name: x\n").write(toFile: path, atomically: true, encoding: .utf8)
        running.broker.signal(SIGHUP)
        #expect(try await running.waitForAudit { $0.event.detail?.hasPrefix("reload refused") == true } != nil)
        _ = try await yot.send(type: "t.x", to: ["npas"], body: [1])
        await yot.close()
    }

    @Test func aConnectionMadeBeforeItsKeyWasRemovedCannotOpenASessionAfter() async throws {
        let running = try await RunningHub.start(agencies: ["npas", "yot"], heartbeatMilliseconds: 30_000)
        defer { running.finish() }
        // Connected (the handshake done) with the key about to be retired, but silent: no session yet.
        let early = try RawPeer(hub: running.hub, agency: "yot")
        try await Task.sleep(for: .milliseconds(500))
        for arguments in [["keys", "rotate", "--agency", "yot"], ["keys", "rotate", "--agency", "yot", "--finish"]] {
            let result = try await LiaisonExecutable.run(arguments + ["--config", running.hub.configPath])
            #expect(result.status == 0, "\(result.output)")
        }
        // Both reloads applied (the rotation's start and its finish).
        for _ in 0..<200 where try running.audit().filter({ $0.event.detail?.hasPrefix("reloaded") == true }).count < 2 {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try running.audit().filter { $0.event.detail?.hasPrefix("reloaded") == true }.count == 2)
        try early.send(.hello(Hello(adapter: "early", version: "1", consumes: ["*"], credit: 1)))
        #expect(try await early.next(timeout: .seconds(2)) == nil, "a removed key opened a session")
        #expect(try running.audit().contains { $0.event.kind == .adapterConnected && $0.event.detail?.hasPrefix("early") == true } == false)
    }
}
