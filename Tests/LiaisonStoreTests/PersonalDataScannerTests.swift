import LiaisonStore
import Testing

/// `liaison audit scan`'s detectors: each kind found in the places an older log put it, and none of the hub's
/// own tokens (timestamps, digests, pseudonyms, sequence lists, fingerprints) mistaken for personal data.
@Suite("Personal data in audit text")
struct PersonalDataScannerTests {
    func kinds(_ text: String, year: Int = 2026) -> [PersonalDataScanner.Kind] {
        PersonalDataScanner.find(in: text, year: year).map(\.kind)
    }

    @Test(arguments: [
        "care-alert-Q926200024001-3",  // the desk's care alerts before ids were opaque
        "yot-summary-q926200024001",  // any case
        "case-update-B80120000500A-2026",  // a temporary UPN ends in a letter
        "Q926200024001",
        "Q9262000240011",  // a whole UPN with a digit after it
    ])
    func aUPNShapedTokenIsFound(_ text: String) {
        #expect(kinds(text) == [.upn])
    }

    @Test(arguments: [
        "A9262000240011",  // 14 characters, and no whole UPN inside (the check letter does not agree)
        "QQ26200024001",  // second character a letter
        "m-2d5f0c1e9a7b4c3d8e6f",
    ])
    func aRunOfAnotherShapeIsNotAUPN(_ text: String) {
        #expect(!kinds(text).contains(.upn))
    }

    @Test func eachOtherKindIsFound() {
        #expect(kinds("sent to jo.bloggs@example.org.") == [.email])
        #expect(kinds("call 07700 900123 after 4") == [.phone])
        #expect(kinds("call 07700900123") == [.phone])
        #expect(kinds("ring +44 1632 960123") == [.phone])
        #expect(kinds("lives at SW1A 1AA now") == [.postcode])
        #expect(kinds("postcode m1 1ae") == [.postcode])
        #expect(kinds("LS11UR") == [.postcode])
        #expect(kinds("born 2012-03-14") == [.dateOfBirth])
        #expect(kinds("dob 14/03/2012") == [.dateOfBirth])
        #expect(kinds("dob 4.3.2012") == [.dateOfBirth])
        #expect(kinds("born 14 March 2012") == [.dateOfBirth])
        #expect(kinds("born 14 mar 2012") == [.dateOfBirth])
    }

    @Test(arguments: [
        // ISO timestamps and dates that are not a child's birth date
        "2026-11-29T10:15:00.123Z", "2012-03-14T09:00:00Z", "review due 2026-12-01", "effective 2024-09-01", "born 1961-05-01",
        // hex digests, pseudonyms, rule set hashes, uuids, key fingerprints
        "5f2b8c0e4a7d9b1c3e6f0a2d4b8c1e7f9a0b3c5d7e9f1a2b4c6d8e0f1a3b5c7d", "psn-3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b",
        "E4B2FA1C-2D3E-4F5A-8B9C-0D1E2F3A4B5C", "AB12CD", "1E2DE", "z85:rq:3hAbZ1@", "pgp 4AE 4AE3F1",
        // the hub's own details
        #"{"agreement":"yot-protocol","version":"1.3","flow":"caseload-attendance","permitted":true,"sent":true,"released":2}"#,
        "[101,102,103,1048576,2097152]", "attempt 3", "yot-adapter: silent, 0 deliveries requeued",
        "tcp://127.0.0.1:5555", "ipc:///tmp/liaison-test-1a2b3c4d/hub.ipc", "1764412800000", "code 0123",
        "sequence 01234567", "2026-autumn-1", "m-7 of 10",
    ])
    func theHubsOwnTokensAreNotPersonal(_ text: String) {
        #expect(kinds(text).isEmpty, "\(PersonalDataScanner.find(in: text, year: 2026))")
    }

    @Test func aMaskedTokenNeverRepeatsTheWholeToken() {
        let upn = PersonalDataScanner.find(in: "care-alert-Q926200024001", year: 2026)[0]
        #expect(upn.masked == "Q92620…")
        #expect(!upn.masked.contains("4001"))
        for text in ["jo.bloggs@example.org", "07700 900123", "SW1A 1AA", "2012-03-14"] {
            let token = PersonalDataScanner.find(in: text, year: 2026)[0]
            #expect(token.masked != text && !token.masked.contains(text), "\(token)")
        }
    }

    @Test func redactionMasksEveryTokenAndKeepsTheRest() {
        let redacted = PersonalDataScanner.redacted("care-alert-Q926200024001-B801200005001-3", year: 2026)
        #expect(redacted == "care-alert-Q92620…-B80120…-3")
    }
}
