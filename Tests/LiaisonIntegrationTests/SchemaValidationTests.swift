import Foundation
import LiaisonAdapterKit
import LiaisonProtocol
import LiaisonTestSupport
import Testing

@Suite("Bodies checked against their type's schema", .timeLimit(.minutes(2)), .realProcesses)
struct SchemaValidationTests {
    static let schema = #"""
        {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:liaison:schema:yot.case-update:1",
         "type":"object","additionalProperties":false,"required":["upn","status"],
         "properties":{"upn":{"type":"string","pattern":"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$"},
                       "status":{"enum":["open","closed"]}}}
        """#

    func hubWithSchemas() async throws -> RunningHub {
        let schemas = try TemporaryFolder("schemas")
        let folder = schemas.path
        try Self.schema.write(toFile: "\(folder)/yot.case-update.schema.json", atomically: true, encoding: .utf8)
        return try await RunningHub.start(extraConfig: "schemas_dir: \(folder)\n", removing: [schemas])
    }

    func rejection(_ client: AdapterClient, type: String = "yot.case-update", body: String) async -> ProtocolError? {
        do {
            _ = try await client.send(type: type, to: ["npas"], body: Array(body.utf8))
            return nil
        } catch {
            return error.protocolError
        }
    }

    @Test func aValidBodyIsAcceptedAndDelivered() async throws {
        let running = try await hubWithSchemas()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let receipt = try await yot.send(type: "yot.case-update", to: ["npas"], body: Array(#"{"upn":"Q926200024001","status":"open"}"#.utf8))
        #expect(receipt.recipients == ["npas"])
        await yot.close()
    }

    @Test func aViolationIsRejectedWithThePointerKeywordAndExpectation() async throws {
        let running = try await hubWithSchemas()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let error = await rejection(yot, body: #"{"upn":"nonsense","status":"open","extra":1}"#)
        #expect(error?.code == .schemaViolation)
        #expect(error?.message.contains("urn:liaison:schema:yot.case-update:1") == true)
        #expect(error?.message.contains("/upn: pattern: expected a string matching") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("/extra: additionalProperties") == true)
        let missing = await rejection(yot, body: #"{"upn":"Q926200024001"}"#)
        #expect(missing?.message.contains("/status: required") == true)
        await yot.close()
        await running.broker.stop()
        // The first 422 of the minute is audited in full, the second counted in one aggregate (docs/protocol.md §7).
        let audited = try running.audit().filter { $0.event.kind == .rejected }
        #expect(audited.compactMap(\.event.code).allSatisfy { $0 == 422 })
        #expect(audited.first?.event.detail == "schema-violation")
        #expect(audited.count == 2 && audited.last?.event.detail?.hasPrefix("1 more in the minute") == true
            || audited.count == 2 && audited.last?.event.detail == "schema-violation", "\(audited.map(\.event.detail))")
    }

    @Test func aTypeWithoutASchemaAndABodyThatIsNotJSONAreRefused() async throws {
        let running = try await hubWithSchemas()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        #expect(await rejection(yot, type: "made.up", body: "{}")?.code == .unknownType)
        #expect(await rejection(yot, body: "not json")?.code == .bodyNotJSON)
        // A key named twice: the hub could check one value while the recipient reads the other.
        let twice = #"{"upn":"N926400123002","case_reference":"YOT-1","status":"opened","effective_date":"2026-01-05","upn":"Q926200024001"}"#
        #expect(await rejection(yot, body: twice)?.code == .bodyNotJSON)
        await yot.close()
    }
}
