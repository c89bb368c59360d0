import Foundation
import LiaisonProtocol
import Testing

@Suite("LHP/1 frames")
struct WireCodecTests {
    let signature = Array("LHP01".utf8)

    func decode(_ frames: [[UInt8]]) -> Result<AdapterCommand, ProtocolError> {
        Result { () throws(ProtocolError) in try WireCodec.decodeAdapterCommand(frames[...]) }
    }

    func code(_ frames: [[UInt8]]) -> Int? {
        if case .failure(let error) = decode(frames) { return error.code.number }
        return nil
    }

    @Test(arguments: [
        AdapterCommand.hello(Hello(adapter: "x", version: "1.0", consumes: ["case.feedback"], credit: 5)),
        .hello(Hello(adapter: "x", version: "1.0", consumes: ["*"], credit: 1)),
        .hello(Hello(adapter: "x", version: "1.0", consumes: [], credit: 10_000)),
        .send(envelope: Array("{}".utf8), body: [0, 1, 2]),
        .ack(tag: 42),
        .nack(tag: 7, disposition: .reject, reason: "cannot parse"),
        .heartbeat,
        .goodbye,
    ])
    func adapterCommandsRoundTrip(command: AdapterCommand) throws {
        #expect(try WireCodec.decodeAdapterCommand(WireCodec.encode(command)[...]) == command)
    }

    @Test(arguments: [
        HubCommand.welcome(Welcome(agency: "yot", hub: "h", heartbeatMilliseconds: 1000, maxBodyBytes: 10, maxEnvelopeBytes: 5, credit: 3)),
        .accepted(messageID: "m-1", receipt: Receipt(sequence: 3, recipients: ["npas"], duplicate: true)),
        .accepted(messageID: "m-2", receipt: Receipt(sequence: 4, recipients: [], duplicate: false, auditEntry: 99)),
        .rejected(reference: "m-2", code: .spoofedSource, reason: "no"),
        .deliver(tag: 9, envelope: Array("{}".utf8), body: [9], auditEntry: 42),
        .deliver(tag: 10, envelope: Array("{}".utf8), body: [], auditEntry: nil),
        .heartbeat,
        .goodbye,
    ])
    func hubCommandsRoundTrip(command: HubCommand) throws {
        #expect(try WireCodec.decodeHubCommand(WireCodec.encode(command)) == command)
    }

    @Test func theWireLayoutIsAsDocumented() {
        let frames = WireCodec.encode(HubCommand.rejected(reference: "id-1", code: .tooLarge, reason: "big"))
        #expect(frames == [signature, [0x05], Array("id-1".utf8), Array("413".utf8), Array("big".utf8)])
        #expect(WireCodec.encode(AdapterCommand.ack(tag: 17)) == [signature, [0x07], Array("17".utf8)])
    }

    @Test func wrongSignatureIs400() {
        #expect(code([Array("LHP02".utf8), [0x09]]) == 400)
        #expect(code([]) == 400)
    }

    @Test func unknownOrMissingCommandIs401() {
        #expect(code([signature]) == 401)
        #expect(code([signature, [0x02]]) == 401)  // WELCOME is the hub's, not an adapter's
        #expect(code([signature, [0x03, 0x03]]) == 401)
    }

    @Test func wrongFrameCountsAre402() {
        #expect(code([signature, [0x03], Array("{}".utf8)]) == 402)
        #expect(code([signature, [0x07]]) == 402)
        #expect(code([signature, [0x09], []]) == 402)
        #expect(code([signature, [0x08], Array("1".utf8), Array("later".utf8), []]) == 402)
    }

    @Test(arguments: ["", "12a", "-1", "99999999999999999999"])
    func badDeliveryTagsAre402(tag: String) {
        #expect(code([signature, [0x07], Array(tag.utf8)]) == 402)
    }

    @Test(arguments: [
        "not json", "[]", #"{"adapter":"a","version":"1","consumes":["*"]}"#,
        #"{"adapter":"a","version":"1","consumes":["*"],"credit":0}"#,
        #"{"adapter":"a","version":"1","consumes":["*"],"credit":true}"#,
        #"{"adapter":"a","version":"1","consumes":["*"],"credit":"5"}"#,
        #"{"adapter":"a","version":"1","consumes":["*"],"credit":10001}"#,
        #"{"adapter":"a","version":"1","consumes":["Bad Type"],"credit":5}"#,
        #"{"adapter":"a","version":"1","consumes":["*"],"credit":5,"extra":1}"#,
        #"{"adapter":"","version":"1","consumes":["*"],"credit":5}"#,
    ])
    func badHellosAre402(json: String) {
        #expect(code([signature, [0x01], Array(json.utf8)]) == 402)
    }
}
