import Foundation
import LiaisonTestSupport
import Testing

/// `liaison listen --out` acknowledges a delivery only once its body is on disk: written whole, owner-only, under
/// the hub's sequence number, file and folder flushed. A body it cannot write is not acknowledged, so the hub
/// delivers it again.
@Suite("liaison listen --out", .timeLimit(.minutes(1)), .realProcesses)
struct ListenOutTests {
    @Test func aBodyThatCannotBeWrittenIsNotAcknowledgedAndOneThatCanIsWholeAndPrivate() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let config = running.hub.configPath
        let bodyPath = "\(running.hub.directory)/update.json"
        try #"{"note":"synthetic"}"#.write(toFile: bodyPath, atomically: true, encoding: .utf8)
        let sent = try await LiaisonExecutable.run([
            "send", "--config", config, "--as", "yot", "--type", "yot.case-update", "--to", "npas", "--file", bodyPath, "--id", "durable-1",
        ])
        #expect(sent.status == 0, "\(sent.output)")

        // The first listener cannot write (its temporary file's name is taken by a folder): it must not acknowledge.
        let out = "\(running.hub.directory)/received"
        try FileManager.default.createDirectory(atPath: "\(out)/1.body.part", withIntermediateDirectories: true)
        let failed = try await LiaisonExecutable.run(["listen", "--config", config, "--as", "npas", "--count", "1", "--timeout", "10", "--out", out])
        #expect(failed.status != 0)
        #expect(failed.output.contains("1.body.part") && failed.output.contains("not acknowledged"), "\(failed.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/1.body"))

        // The next one gets the same message again, and writes it.
        try FileManager.default.removeItem(atPath: "\(out)/1.body.part")
        let listened = try await LiaisonExecutable.run(["listen", "--config", config, "--as", "npas", "--count", "1", "--timeout", "10", "--out", out])
        #expect(listened.status == 0, "\(listened.output)")
        #expect(listened.output.contains("id durable-1"), "\(listened.output)")
        #expect(try String(contentsOfFile: "\(out)/1.body", encoding: .utf8) == #"{"note":"synthetic"}"#)
        let mode = (try FileManager.default.attributesOfItem(atPath: "\(out)/1.body")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["1.body"], "a temporary file was left behind")
    }
}
