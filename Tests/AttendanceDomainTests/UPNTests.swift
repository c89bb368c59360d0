import AttendanceDomain
import Foundation
import Testing

@Suite("UPN and LAESTAB")
struct UPNTests {
    @Test("The README's worked examples")
    func workedExamples() throws {
        #expect(UPN.checkLetter(body: Array("926200024001".utf8)) == UInt8(ascii: "Q"))
        #expect(try UPN("Q926200024001").laNumber == "926")
        #expect(try UPN("B801200005001").establishmentNumber == "2000")
        #expect(UPN.check("A801200005001") == .invalid(.badCheckLetter(found: "A", expected: "B")))
    }

    @Test("Each kind of fault has its own reason")
    func reasons() throws {
        #expect(UPN.check("Q92620002400") == .invalid(.wrongLength(12)))
        #expect(UPN.check("Q9262000240011") == .invalid(.wrongLength(14)))
        #expect(UPN.check("I926200024001") == .invalid(.badCharacter(position: 1, found: "I")))
        #expect(UPN.check("Q92620X024001") == .invalid(.badCharacter(position: 7, found: "X")))
        #expect(UPN.check("Q92620002400S") == .invalid(.badCharacter(position: 13, found: "S")))
        let temporary = UPN.make(la: "926", estab: "2001", year: "25", serial: "00A")!
        #expect(temporary.isTemporary)
        #expect(try UPN(temporary.value) == temporary)
        #expect(try !UPN("Q926200024001").isTemporary)
    }

    @Test("LAESTAB is 7 digits")
    func laestab() throws {
        let school = try LAESTAB("9262001")
        #expect(school.laNumber == "926" && school.establishment == "2001")
        #expect(throws: LAESTAB.Invalid.self) { try LAESTAB("926200") }
        #expect(throws: LAESTAB.Invalid.self) { try LAESTAB("92620A1") }
        #expect(throws: LAESTAB.Invalid.self) { try LAESTAB(la: "92", establishment: "2001") }
    }

    @Test("The check agrees with python-stdnum on generated valid and corrupted UPNs")
    func agreesWithStdnum() async throws {
        var random = SeededGenerator(seed: 2025)
        let laNumbers = ["926", "801", "202", "330", "873", "935"]  // all in stdnum's list of LA numbers
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        var candidates: [String] = []
        for index in 0..<400 {
            let serial = index % 10 == 0 ? String(format: "%02d", random.uniform(100)) + String(letters[random.uniform(23)])
                : String(format: "%03d", random.uniform(1000))
            let upn = UPN.make(la: random.pick(laNumbers), estab: String(format: "%04d", random.uniform(10000)),
                               year: String(format: "%02d", random.uniform(100)), serial: serial)!.value
            candidates.append(upn)
            var corrupted = Array(upn)
            switch index % 4 {
            case 0: corrupted[0] = letters[(letters.firstIndex(of: corrupted[0])! + 1 + random.uniform(22)) % 23]  // wrong letter
            case 1:  // change one digit of the estab/year/serial
                let position = 4 + random.uniform(7)
                corrupted[position] = Character(String((Int(String(corrupted[position]))! + 1 + random.uniform(9)) % 10))
            case 2:  // swap two different neighbouring digits
                let position = 4 + random.uniform(6)
                corrupted.swapAt(position, position + 1)
            default: corrupted[5] = "X"  // a letter in the digits
            }
            candidates.append(String(corrupted))
        }
        let script = """
            import sys
            from stdnum.gb import upn
            for line in sys.stdin.read().split():
                print(line, 1 if upn.is_valid(line) else 0)
            """
        let output = try await TestSupport.python(["-c", script], input: candidates.joined(separator: "\n"))
        var compared = 0, valid = 0
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let text = String(parts[0])
            let stdnumValid = parts[1] == "1"
            let ours: Bool
            if case .valid = UPN.check(text) { ours = true } else { ours = false }
            #expect(ours == stdnumValid, "\(text): ours \(ours), stdnum \(stdnumValid)")
            compared += 1
            if ours { valid += 1 }
        }
        #expect(compared == candidates.count)
        #expect(valid >= 400 && valid < 800)  // every generated UPN, and a few swaps of equal digits
    }
}
