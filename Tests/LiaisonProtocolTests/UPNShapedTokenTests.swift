import AttendanceDomain
import Testing

@testable import LiaisonProtocol

/// A UPN written into a longer run of letters and digits is still a child's UPN: found when it is whole (capitals and
/// a check letter that agrees), and never in a run of hex digits, so opaque ids do not trip it.
@Suite("UPN-shaped tokens inside longer runs")
struct UPNShapedTokenTests {
    @Test(arguments: [
        ("pupilQ926200024001", "Q926200024001"), ("Q9262000240012026", "Q926200024001"), ("retB801200005001x", "B801200005001"),
        ("care-alert-forQ926200024001", "Q926200024001"), ("xxQ926200024001yyB801200005001", "Q926200024001"),
        // A check letter of A-F makes a run of hex digits: still found when nothing else in the run is a letter.
        ("B8012000050012026", "B801200005001"), ("20260115B801200005001", "B801200005001"),
    ])
    func aWholeUPNInsideALongerRunIsFound(text: String, upn: String) {
        #expect(UPNShapedToken.find(in: text).map(String.init).first == upn, "\(text)")
        #expect(UPNShapedToken.occurs(in: text))
    }

    @Test func twoUPNsGluedTogetherAreBothFound() {
        #expect(UPNShapedToken.find(in: "xxQ926200024001yyB801200005001").map(String.init) == ["Q926200024001", "B801200005001"])
    }

    @Test(arguments: [
        "pupilA926200024001",  // the check letter does not agree: chance, not a UPN
        "pupilq926200024001",  // not as a school writes it
        "ABCB801200005001",  // a run of hex digits with other letters in it: a digest
        "9f86d081884c7d659a2feaa0c55ad015B801200005001",  // all hex too
        "case-2026-0001234567890123",
    ])
    func notFoundWhereItCannotBeToldFromChance(text: String) {
        #expect(UPNShapedToken.find(in: text).isEmpty, "\(text)")
    }

    /// The token's check letter arithmetic is AttendanceDomain's `UPN.check` (itself held to python-stdnum), on whole
    /// UPNs and on ones with one character changed.
    @Test func theCheckLetterAgreesWithTheDomainsUPN() {
        var random = SeededGenerator(seed: 419)
        let alphabet = Array("ABCDEFGHJKLMNPQRTUVWXYZ".utf8)
        for round in 0..<5_000 {
            var body = (0..<11).map { _ in UInt8(0x30 + random.uniform(10)) }
            body.append(random.chance(0.2) ? random.pick(alphabet) : UInt8(0x30 + random.uniform(10)))
            var bytes = [UPN.checkLetter(body: body)!] + body
            if round % 2 == 1 { bytes[random.uniform(13)] = random.pick(alphabet + Array("0123456789".utf8)) }
            let text = String(decoding: bytes, as: UTF8.self)
            let domain: Bool
            if case .valid = UPN.check(text) { domain = true } else { domain = false }
            #expect(UPNShapedToken.isWholeUPN(text[...].utf8) == domain, "\(text)")
            #expect(UPNShapedToken.occurs(in: "ref" + text + "x") == domain, "\(text)")
        }
    }

    /// Opaque ids: hex digests in either case and random capitals-and-digits never trip the longer-run rule.
    @Test func opaqueIdsAreNotTakenForUPNs() {
        var random = SeededGenerator(seed: 7)
        let hex = Array("0123456789abcdef".utf8), upperHex = Array("0123456789ABCDEF".utf8)
        for _ in 0..<2_000 {
            let lower = String(decoding: (0..<64).map { _ in random.pick(hex) }, as: UTF8.self)
            let upper = String(decoding: (0..<64).map { _ in random.pick(upperHex) }, as: UTF8.self)
            #expect(!UPNShapedToken.occurs(in: "care-alert-" + lower))
            #expect(!UPNShapedToken.occurs(in: "m-" + upper))
        }
    }

    /// A NACK's reason is cut at 1,024 bytes; a cut inside a run of letters and digits drops the run, so the first twelve
    /// characters of a UPN are not kept where the hub's masking would no longer see a UPN.
    @Test func aReasonCutInsideAUPNLosesTheWholeRun() throws {
        let upn = "Q926200024001"
        for offset in 1..<13 {
            let text = String(repeating: "x", count: 1000) + " " + String(repeating: "y", count: 23 - offset) + " " + upn + " more"
            let frames: [[UInt8]] = [Array("LHP01".utf8), [0x08], Array("7".utf8), Array("reject".utf8), Array(text.utf8)]
            guard case .nack(_, _, let reason) = try WireCodec.decodeAdapterCommand(frames[...]) else {
                Issue.record("not a NACK")
                return
            }
            #expect(reason.utf8.count <= 1024)
            #expect(!reason.contains(String(upn.prefix(3))), "offset \(offset): \(reason.suffix(20))")
        }
        let short = WireCodec.cut(Array("ends with Q926200024001".utf8), at: 100)
        #expect(String(decoding: short, as: UTF8.self) == "ends with Q926200024001")
    }
}
