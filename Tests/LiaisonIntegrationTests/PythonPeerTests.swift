import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// The reference Python adapter (adapters/reference-python), written from docs/protocol.md alone with
/// pyzmq, is an independent implementation of the protocol: these tests make it talk to the Swift
/// broker and a Swift adapter.
@Suite("An independent pyzmq adapter", .timeLimit(.minutes(2)), .realProcesses)
struct PythonPeerTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = repository.appendingPathComponent("adapters/reference-python/liaison_client.py").path
    static let python = ProcessInfo.processInfo.environment["LIAISON_PYTHON"] ?? "/usr/bin/python3"

    /// Runs the Python client as agency `agency` with `arguments` after its common options.
    func runPython(_ running: RunningHub, as agency: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let result = try await ChildProcess.run(Self.python, [
            Self.script, "--endpoint", running.hub.endpoint, "--server-key", "\(running.hub.keysDirectory)/hub.pub",
            "--key", "\(running.hub.keysDirectory)/\(agency).key",
        ] + arguments, mergingErrors: true)
        return (result.status, result.output)
    }

    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func pythonSendsAndASwiftAdapterReceives() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let body = #"{"case":"SYNTH-0001","status":"open"}"#
        let bodyPath = "\(running.hub.directory)/body.json"
        try body.write(toFile: bodyPath, atomically: true, encoding: .utf8)
        let result = try await runPython(
            running, as: "yot", ["send", "--type", "yot.case-update", "--to", "npas", "--file", bodyPath, "--id", "py-1"])
        #expect(result.status == 0, "\(result.output)")
        let answer = jsonLines(result.output).first
        let receipt = answer?["accepted"] as? [String: Any]
        #expect(receipt?["recipients"] as? [String] == ["npas"])
        let npas = try await running.hub.connect("npas")
        let deliveries = await collect(npas, count: 1, timeout: .seconds(10))
        #expect(deliveries.first?.envelope.id == "py-1")
        #expect(deliveries.first?.envelope.source.rawValue == "yot")
        #expect(deliveries.first.map { String(decoding: $0.body, as: UTF8.self) } == body)
        #expect(deliveries.first?.tag == (receipt?["sequence"] as? NSNumber)?.int64Value)
        await npas.close()
    }

    @Test func aSwiftAdapterSendsAndPythonReceivesAndAcknowledges() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let npas = try await running.hub.connect("npas")
        var sent: [String] = []
        for index in 0..<3 {
            let receipt = try await npas.send(
                type: "case.feedback", to: ["schools-mis"], body: Array("{\"n\":\(index)}".utf8), id: "sw-\(index)")
            sent.append("sw-\(index)")
            #expect(!receipt.duplicate)
        }
        let result = try await runPython(running, as: "schools-mis", ["receive", "--count", "3", "--timeout", "20"])
        #expect(result.status == 0, "\(result.output)")
        let lines = jsonLines(result.output)
        #expect(lines.compactMap { ($0["envelope"] as? [String: Any])?["id"] as? String } == sent)
        #expect(lines.compactMap { $0["body"] as? String } == ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"])
        // Python acknowledged them: the hub recorded it, and nothing is left to deliver.
        let acknowledged = try await running.waitForAudit { record in
            record.event.kind == .acknowledged && record.event.messageID == "sw-2"
        }
        #expect(acknowledged?.event.agency == "schools-mis")
        let again = try await running.hub.connect("schools-mis")
        #expect(await collect(again, count: 1, timeout: .seconds(1)).isEmpty)
        await again.close()
        await npas.close()
    }

    @Test func pythonSeesTheHubsRejectionCodes() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let bodyPath = "\(running.hub.directory)/body.json"
        try "{}".write(toFile: bodyPath, atomically: true, encoding: .utf8)
        let result = try await runPython(
            running, as: "yot", ["send", "--type", "yot.case-update", "--to", "nobody", "--file", bodyPath])
        #expect(result.status == 1)
        #expect(jsonLines(result.output).first?["rejected"] as? Int == 414)
    }
}
