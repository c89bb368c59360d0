import Foundation
import LiaisonProtocol
import Testing

@Suite("Envelopes")
struct EnvelopeTests {
    let valid = #"{"specversion":"1.0","id":"m-1","source":"yot","type":"yot.case-update","recipients":"npas, courts","time":"2026-11-29T10:00:00Z","correlationid":"m-0"}"#

    func failure(_ json: String) -> ProtocolError? {
        do {
            _ = try Envelope.decode(Array(json.utf8))
            return nil
        } catch { return error }
    }

    @Test func aValidEnvelopeDecodes() throws {
        let envelope = try Envelope.decode(Array(valid.utf8))
        #expect(envelope.id == "m-1")
        #expect(envelope.source == AgencyID("yot"))
        #expect(envelope.type == MessageType("yot.case-update"))
        #expect(envelope.recipients == [AgencyID("npas")!, AgencyID("courts")!])
        #expect(envelope.correlationID == "m-0")
    }

    @Test func encodingRoundTrips() throws {
        let envelope = try Envelope.decode(Array(valid.utf8))
        #expect(try Envelope.decode(envelope.encoded()) == envelope)
    }

    @Test func awkwardCharactersSurviveEncoding() throws {
        var envelope = try Envelope.decode(Array(valid.utf8))
        envelope.subject = "quote \" backslash \\ newline \n tab \t bell \u{07} é 学校"
        let encoded = envelope.encoded()
        #expect(try Envelope.decode(encoded) == envelope)
        // An independent parser agrees that the writer produced valid JSON.
        let parsed = try JSONSerialization.jsonObject(with: Data(encoded)) as? [String: Any]
        #expect(parsed?["subject"] as? String == envelope.subject)
    }

    @Test(arguments: ["", "nope", "[1]", "\"text\""])
    func notAJSONObjectIs410(json: String) {
        #expect(failure(json)?.code == .invalidJSON)
    }

    @Test(arguments: [
        ("specversion", #"{"id":"m","source":"yot","type":"t","recipients":"npas"}"#),
        ("specversion", #"{"specversion":"0.3","id":"m","source":"yot","type":"t","recipients":"npas"}"#),
        ("'id'", #"{"specversion":"1.0","source":"yot","type":"t","recipients":"npas"}"#),
        ("'id'", #"{"specversion":"1.0","id":"has space","source":"yot","type":"t","recipients":"npas"}"#),
        ("'source'", #"{"specversion":"1.0","id":"m","source":"Y O T","type":"t","recipients":"npas"}"#),
        ("'type'", #"{"specversion":"1.0","id":"m","source":"yot","type":"Bad","recipients":"npas"}"#),
        ("'recipients'", #"{"specversion":"1.0","id":"m","source":"yot","type":"t"}"#),
        ("'recipients'", #"{"specversion":"1.0","id":"m","source":"yot","type":"t","recipients":"npas,,x"}"#),
        ("'time'", #"{"specversion":"1.0","id":"m","source":"yot","type":"t","recipients":"npas","time":"yesterday"}"#),
        ("'subject'", #"{"specversion":"1.0","id":"m","source":"yot","type":"t","recipients":"npas","subject":5}"#),
        ("'data'", #"{"specversion":"1.0","id":"m","source":"yot","type":"t","recipients":"npas","data":{}}"#),
    ])
    func invalidEnvelopesAre411AndNameTheAttribute(expected: String, json: String) {
        let error = failure(json)
        #expect(error?.code == .invalidEnvelope)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
    }

    @Test func theReferenceIsTheIdWhenItCanBeRead() {
        #expect(failure(#"{"specversion":"1.0","id":"m-9","source":"yot","type":"Bad","recipients":"npas"}"#)?.reference == "m-9")
    }

    @Test func emptyRecipientsDecodeToNone() throws {
        let envelope = try Envelope.decode(Array(#"{"specversion":"1.0","id":"m","source":"yot","type":"t","recipients":""}"#.utf8))
        #expect(envelope.recipients.isEmpty)
    }

    @Test(arguments: ["yot", "schools-mis", "a1"])
    func validAgencyIDs(text: String) { #expect(AgencyID(text) != nil) }

    @Test(arguments: ["", "YOT", "-x", "a b", "a_b", String(repeating: "a", count: 65)])
    func invalidAgencyIDs(text: String) { #expect(AgencyID(text) == nil) }

    @Test func errorCodesAreClassified() {
        #expect(ProtocolError.Code.storeUnavailable.isTransient)
        #expect(!ProtocolError.Code.spoofedSource.isTransient)
        #expect(ProtocolError.Code(number: 412) == .spoofedSource)
        #expect(ProtocolError.Code(number: 499).name == "code-499")
    }
}
