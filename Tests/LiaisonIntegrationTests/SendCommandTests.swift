import Foundation
import GRDB
import LiaisonTestSupport
import Testing

/// `liaison send` acts as an agency to send one message; it must not take the agency's waiting deliveries into a
/// connection that never acknowledges them (each would be audited as delivered and counted towards a dead letter).
@Suite("liaison send", .timeLimit(.minutes(2)), .realProcesses)
struct SendCommandTests {
    @Test func sendingAsAnAgencyLeavesItsWaitingDeliveriesAlone() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let broker = BrokerProcess(hub: hub)
        try await broker.start()
        let yot = try await hub.connect("yot")
        _ = try await yot.send(type: "test.message", to: ["npas"], body: Array("{\"n\":1}".utf8), id: "waiting-1")
        await yot.close()

        let body = "\(hub.directory)/body.json"
        try "{\"n\":2}".write(toFile: body, atomically: true, encoding: .utf8)
        let sent = try await LiaisonExecutable.run(
            ["send", "--config", hub.configPath, "--as", "npas", "--type", "test.message", "--to", "yot", "--file", body, "--id", "from-npas"])
        #expect(sent.status == 0 && sent.output.contains("accepted"), "\(sent.output)")

        let npas = try await hub.connect("npas")
        let deliveries = await collect(npas, count: 1, timeout: .seconds(10))
        #expect(deliveries.map(\.envelope.id) == ["waiting-1"])
        await npas.close()
        await broker.stop()
        let queue = try DatabaseQueue(path: hub.databasePath)
        let delivered = try await queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE kind = 'delivered' AND recipient = 'npas'") ?? 0
        }
        #expect(delivered == 1, "delivered once, to the adapter, never to the send command's connection")
    }
}
