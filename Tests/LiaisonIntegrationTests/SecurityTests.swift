import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonConfig
import LiaisonProtocol
import LiaisonTestSupport
import Testing
import ZeroMQ

@Suite("Security and bad input", .timeLimit(.minutes(2)), .realProcesses)
struct SecurityTests {
    @Test func aKeyNoAgencyListsIsRefusedAndTheRefusalIsAudited() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        // A well-formed CURVE key that agencies.yaml does not list: libzmq 4.3.4 with no ZAP handler
        // would let it in. The hub must not.
        let stranger = try KeyFiles.generate(name: "stranger", directory: "\(running.hub.directory)/outsider")
        var configuration = try running.hub.adapterConfiguration("npas")
        configuration = AdapterConfiguration(
            endpoint: configuration.endpoint, hubPublicKey: configuration.hubPublicKey, publicKey: stranger.publicKey,
            secretKey: stranger.secretKey, adapterName: "stranger")
        // Long enough that only the handshake's refusal, seen by the adapter kit's socket monitor, can end the wait.
        configuration.helloTimeout = .seconds(60)
        let client = AdapterClient(configuration: configuration)
        await #expect {
            try await client.connect()
        } throws: { error in
            let refusal = error as? AdapterError
            return refusal?.code == .keyRefused && refusal?.message.contains(Z85.encode(stranger.publicKey)) == true
        }
        let record = try await running.waitForAudit { $0.event.kind == .handshakeRefused }
        let fingerprint = Digest.fingerprint(ofKey: stranger.publicKey)
        #expect(record?.event.detail?.contains(fingerprint) == true)
        #expect(record?.event.peer != nil)
        #expect(try running.audit().contains { $0.event.kind == .adapterConnected } == false)
    }

    @Test func aSpoofedSourceIsRejectedAndAudited() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let envelope = Envelope(id: "spoof-1", source: AgencyID("courts")!, type: MessageType("court.outcome")!, recipients: [AgencyID("npas")!])
        do {
            _ = try await yot.sendRaw(id: "spoof-1", envelope: envelope.encoded(), body: [1])
            Issue.record("a spoofed source was accepted")
        } catch {
            #expect(error.protocolError?.code == .spoofedSource)
        }
        let record = try await running.waitForAudit { $0.event.kind == .rejected && $0.event.code == 412 }
        #expect(record?.event.agency == "yot")
        #expect(record?.event.messageID == "spoof-1")
        await yot.close()
    }

    @Test func unknownAndMissingRecipientsAreRejected() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        await #expect { try await yot.send(type: "t.x", to: ["nobody"], body: []) } throws: { error in
            (error as? AdapterError)?.protocolError?.code == .unknownRecipient
        }
        await #expect { try await yot.send(type: "t.x", to: [], body: []) } throws: { error in
            (error as? AdapterError)?.protocolError?.code == .noRecipients
        }
        await yot.close()
    }

    @Test func malformedFramesGetTheirSpecificCodesAndTheBrokerKeepsServing() async throws {
        let running = try await RunningHub.start(extraConfig: "limits:\n  max_body_bytes: 4096\n")
        defer { running.finish() }
        let raw = try RawPeer(hub: running.hub, agency: "yot")
        func code(after frames: [[UInt8]]) throws -> Int? {
            try raw.send(frames)
            if case .rejected(_, let code, _)? = try raw.receive() { return code.number }
            return nil
        }
        let signature = Array("LHP01".utf8)
        #expect(try code(after: [Array("HELLO".utf8), [1]]) == 400)
        #expect(try code(after: [signature]) == 401)
        #expect(try code(after: [signature, [0x03], Array("{}".utf8), []]) == 403)  // SEND before HELLO
        #expect(try raw.hello() != nil)
        #expect(try code(after: [signature, [0x03], Array("{}".utf8)]) == 402)  // SEND without its body frame
        #expect(try code(after: [signature, [0x03], Array("{not json".utf8), []]) == 410)
        #expect(try code(after: [signature, [0x03], Array(#"{"specversion":"1.0"}"#.utf8), []]) == 411)
        let envelope = Envelope(id: "big", source: AgencyID("yot")!, type: MessageType("t.x")!, recipients: [AgencyID("npas")!])
        #expect(try code(after: [signature, [0x03], envelope.encoded(), [UInt8](repeating: 65, count: 5000)]) == 413)
        #expect(try code(after: [signature, [0x07], Array("12345".utf8)]) == 420)
        #expect(try code(after: [signature, [0x7F]]) == 401)

        // The broker is unharmed: a normal exchange still works, on this connection and others.
        try raw.send(.send(envelope: envelope.encoded(), body: [1]))
        guard case .accepted(let id, _)? = try raw.receive() else {
            Issue.record("the broker stopped serving after bad input")
            return
        }
        #expect(id == "big")
        let npas = try await running.hub.connect("npas")
        #expect(await collect(npas, count: 1).map(\.envelope.id) == ["big"])
        await npas.close()
        await running.broker.stop()
        // Each code's first rejection in a minute is audited in full; the second 401 is counted in an aggregate
        // written when its minute closes (here, at the broker's stop).
        let rejected = try running.audit().filter { $0.event.kind == .rejected }
        #expect(rejected.prefix(8).compactMap(\.event.code) == [400, 401, 403, 402, 410, 411, 413, 420])
        #expect(rejected.dropFirst(8).contains { $0.event.code == 401 && $0.event.detail?.hasPrefix("1 more in the minute") == true })
    }

    @Test func theAuditLogHoldsNoBodies() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        let secret = "Pupil SYNTHETIC-NAME-4471 date of birth 2012-03-04"
        let receipt = try await yot.send(type: "yot.case-update", to: ["npas"], body: Array(secret.utf8))
        await yot.close()
        let records = try running.audit()
        let accepted = records.first { $0.event.sequence == receipt.sequence && $0.event.kind == .accepted }
        #expect(accepted?.event.bodyDigest == Digest.sha256Hex(Array(secret.utf8)))
        let everything = records.map { "\($0)" }.joined()
        #expect(!everything.contains("SYNTHETIC-NAME-4471"))
        #expect(!running.broker.log.contains("SYNTHETIC-NAME-4471"))
    }
}
