import LiaisonProtocol
import Testing

/// Envelopes and HELLOs are read strictly: one reading, which the hub then forwards rebuilt, so no recipient can
/// read an attribute differently from the hub (issue 11, items 2, 11 and 1).
@Suite("Strict envelopes and HELLO")
struct StrictInputTests {
    static let valid = #"{"specversion":"1.0","id":"m-1","source":"yot","type":"yot.case-update","recipients":"npas"}"#

    func code(_ text: String) -> (number: Int, reference: String, message: String)? {
        do {
            _ = try Envelope.decode(Array(text.utf8))
            return nil
        } catch {
            return (error.code.number, error.reference, error.message)
        }
    }

    @Test func anAttributeGivenTwiceIs411AndNamesIt() {
        let twice = #"{"specversion":"1.0","id":"m-1","source":"yot","source":"courts","type":"t.x","recipients":"npas"}"#
        let result = code(twice)
        #expect(result?.number == 411)
        #expect(result?.message.contains("'source' twice") == true)
        #expect(result?.reference == "m-1")
    }

    @Test func anIdGivenTwiceIsNotQuotedAsTheReference() {
        let twice = #"{"specversion":"1.0","id":"a","id":"b","source":"yot","type":"t.x","recipients":"npas"}"#
        #expect(code(twice)?.number == 411)
        #expect(code(twice)?.reference == "")
    }

    @Test(arguments: [
        ("\u{FEFF}" + StrictInputTests.valid, "byte-order mark"),
        ("null", "not null"),
        ("[]", "not array"),
        ("\"text\"", "not string"),
        ("{not json", "not valid JSON"),
    ])
    func notAJSONObjectIs410(text: String, says: String) {
        let result = code(text)
        #expect(result?.number == 410)
        #expect(result?.message.contains(says) == true, "\(result?.message ?? "accepted")")
    }

    @Test func aValueThatIsNotAStringIs411AndNamesTheAttribute() {
        let result = code(#"{"specversion":"1.0","id":"m-1","source":"yot","type":"t.x","recipients":null}"#)
        #expect(result?.number == 411)
        #expect(result?.message.contains("'recipients' must be a string") == true)
    }

    @Test(arguments: ["id", "correlationid", "subject"])
    func aUPNShapedTokenInAnIdOrSubjectIs419(attribute: String) {
        let base = #"{"specversion":"1.0","source":"yot","type":"t.x","recipients":"npas""#
        let text = attribute == "id"
            ? base + #","id":"care-alert-A123456789012-2026-11-30"}"#
            : base + #","id":"m-9",""# + attribute + #"":"about t123456789012x"}"#
        let tokenless = attribute == "id" ? nil : text.replacingOccurrences(of: "t123456789012x", with: "pupil")
        let result = code(text)
        if attribute == "id" {
            #expect(result?.number == 419)
            // The id is the personal data: the rejection does not echo it (its reference is audited).
            #expect(result?.reference == "")
        } else {
            // 14 characters is not a UPN's shape; 13 between delimiters is.
            #expect(result == nil)
            let upn = text.replacingOccurrences(of: "t123456789012x", with: "T12345678901Z")
            #expect(code(upn)?.number == 419)
            #expect(code(upn)?.reference == "m-9")
            #expect(code(tokenless!) == nil)
        }
    }

    @Test func readIDNeverReturnsAUPNShapedId() {
        let text = #"{"id":"A123456789012","bad":1}"#
        #expect(Envelope.readID(Array(text.utf8)) == nil)
        #expect(Envelope.readID(Array(#"{"id":"m-2"}"#.utf8)) == "m-2")
    }

    @Test func theRebuiltEnvelopeIsCanonical() throws {
        let spaced = #"{ "recipients" : " npas ,yot", "type":"t.x","id":"m-1","specversion":"1.0","source":"yot","purpose":"p" }"#
        let envelope = try Envelope.decode(Array(spaced.utf8))
        #expect(String(decoding: envelope.encoded(), as: UTF8.self)
            == #"{"specversion":"1.0","id":"m-1","source":"yot","type":"t.x","recipients":"npas,yot","purpose":"p"}"#)
    }

    // MARK: UPN-shaped tokens

    @Test func upnShapedTokensAreFoundWhereverTheyStand() {
        #expect(UPNShapedToken.find(in: "care-alert-A123456789012-2026").map(String.init) == ["A123456789012"])
        #expect(UPNShapedToken.find(in: "x:b12345678901c/y").map(String.init) == ["b12345678901c"])
        #expect(UPNShapedToken.find(in: "A123456789012 and Z98765432109K").count == 2)
        // Not the shape: too long, too short, digits first, a hex digest.
        #expect(UPNShapedToken.find(in: "AA123456789012").isEmpty)
        #expect(UPNShapedToken.find(in: "A12345678901").isEmpty)
        #expect(UPNShapedToken.find(in: "1123456789012").isEmpty)
        #expect(UPNShapedToken.find(in: "care-alert-9f86d081884c7d659a2feaa0c55ad015").isEmpty)
        #expect(UPNShapedToken.find(in: "2026-11-30T10:00:00Z").isEmpty)
        #expect(UPNShapedToken.masked("A123456789012"[...]).hasPrefix("A"))
        #expect(!UPNShapedToken.masked("A123456789012"[...]).contains("1"))
    }

    // MARK: HELLO

    func helloCode(_ text: String) -> (Int, String)? {
        do {
            _ = try WireCodec.decodeAdapterCommand([Array("LHP01".utf8), [0x01], Array(text.utf8)][...])
            return nil
        } catch {
            return (error.code.number, error.message)
        }
    }

    @Test(arguments: [
        (#"{"adapter":"a","adapter":"b","version":"1","consumes":[],"credit":1}"#, "'adapter' twice"),
        ("\u{FEFF}" + #"{"adapter":"a","version":"1","consumes":[],"credit":1}"#, "byte-order mark"),
        ("null", "not null"),
        (#"{"adapter":"a","version":"1","consumes":[],"credit":"64"}"#, "'credit'"),
        (#"{"adapter":"a","version":"1","consumes":"*","credit":64}"#, "'consumes' must be an array"),
        (#"{"adapter":"a","version":"1","consumes":["Bad Type"],"credit":64}"#, "'consumes'[0]"),
        (#"{"adapter":"a","version":7,"consumes":[],"credit":64}"#, "'version' must be a string"),
        (#"{"adapter":"a","version":"1","consumes":[],"credit":64.5}"#, "'credit'"),
        (#"{"adapter":"a","version":"1","consumes":[],"credit":64,"x":1}"#, "unknown key 'x'"),
    ])
    func aBadHelloIs402NamingItsRealFault(text: String, says: String) {
        let result = helloCode(text)
        #expect(result?.0 == 402)
        #expect(result?.1.contains(says) == true, "\(result?.1 ?? "accepted")")
    }

    @Test func helloLengthsAreCountedInUTF8Bytes() {
        // 22 characters, 66 bytes: over the 64-byte limit although under 64 characters.
        let name = String(repeating: "→", count: 22)
        let result = helloCode(#"{"adapter":""# + name + #"","version":"1","consumes":[],"credit":1}"#)
        #expect(result?.0 == 402)
        #expect(result?.1.contains("66 bytes") == true)
        #expect(helloCode(#"{"adapter":"a","version":"1","consumes":["*"],"credit":10000}"#) == nil)
    }
}

@Suite("Silence judged after reading")
struct SilenceTests {
    let limits = PeerSession.Limits(hubName: "t", heartbeatMilliseconds: 100, maxBodyBytes: 1000, maxEnvelopeBytes: 600, maxCredit: 10)

    @Test func aPeerIsNotSilentForWhatTheBrokerHasNotReadYet() {
        var session = PeerSession(agency: AgencyID("yot")!, limits: limits, now: 0)
        _ = session.receive(.success(.hello(Hello(adapter: "a", version: "1", consumes: ["*"], credit: 1))), now: 100)
        // The broker was busy from 150 to 2,000 and last caught up at 150: the peer's heartbeats may be waiting.
        if case .close = session.tick(now: 2_000, readUpTo: 150) { Issue.record("expired a peer the broker had not read") }
        #expect(session.state == .ready)
        // Once the broker has read everything (at 2,000) and still heard nothing since 100, the peer is gone.
        if case .close(_, let reason) = session.tick(now: 2_000, readUpTo: 2_000) { #expect(reason == .silent) } else {
            Issue.record("a peer silent for 3 intervals of read input was kept")
        }
    }
}
