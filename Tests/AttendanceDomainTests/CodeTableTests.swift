import AttendanceDomain
import Testing

@Suite("Register codes")
struct CodeTableTests {
    let table = CodeTable.standard
    let before2024 = SchoolDate(parsing: "2024-08-18")!
    let from2024 = SchoolDate(parsing: "2024-08-19")!

    @Test("The shipped table loads every code with its category")
    func loads() {
        #expect(table.codes.count == 39)
        #expect(table.code("I")?.category == .authorised)
        #expect(table.code("J1")?.category == .authorised)
        #expect(table.code("J")?.category == .aea)
        #expect(table.code("Y4")?.category == .notCounted)
        #expect(table.code("-")?.category == .missing)
        #expect(table.code("X")?.countsAsPossibleSession == false)
    }

    @Test("J, H and Y are valid only before 19 August 2024", arguments: ["J", "H", "Y"])
    func withdrawnCodes(symbol: String) {
        #expect(table.lookup(symbol, on: before2024) == .valid(table.code(symbol)!))
        #expect(table.lookup(symbol, on: from2024) == .notValidOnDate(table.code(symbol)!, from2024))
    }

    @Test("The 2024 codes are valid only from 19 August 2024", arguments: ["J1", "C1", "C2", "K", "Q", "Y1", "Y4", "Y7"])
    func newCodes(symbol: String) {
        #expect(table.lookup(symbol, on: from2024) == .valid(table.code(symbol)!))
        #expect(table.lookup(symbol, on: before2024) == .notValidOnDate(table.code(symbol)!, before2024))
    }

    @Test("F is valid until 31 August 2013")
    func extendedHoliday() {
        #expect(table.lookup("F", on: SchoolDate(parsing: "2013-08-31")!) == .valid(table.code("F")!))
        if case .notValidOnDate = table.lookup("F", on: SchoolDate(parsing: "2013-09-01")!) {} else { Issue.record("F after 2013") }
    }

    @Test("An unknown code is not confused with one out of date")
    func unknown() {
        #expect(table.lookup("Y8", on: from2024) == .unknown("Y8"))
        #expect(table.lookup("i", on: from2024) == .unknown("i"))
    }

    @Test("Mark-string characters map both ways for the two-character codes")
    func markMapping() {
        for (code, character) in MarkStringMapping.multiCharacterCodes {
            #expect(MarkStringMapping.character(for: code) == character)
            #expect(MarkStringMapping.code(for: character) == code)
            #expect(table.code(markByte: character.asciiValue!)?.symbol == code)
        }
        #expect(table.code(markByte: UInt8(ascii: "I"))?.symbol == "I")
        #expect(table.code(markByte: UInt8(ascii: "A")) == nil)
    }

    @Test("A malformed table is rejected with its line")
    func malformedTable() {
        let csv = "code,meaning,category,in_possible_sessions,valid_from,valid_to,notes\n/,Present,present,yes,,,\nI,Illness,poorly,yes,,,\n"
        #expect {
            try CodeTable(csv: csv)
        } throws: { error in
            let error = error as! AttendanceDomainError
            return error.code == .codeTableInvalid && error.line == 3 && error.message.contains("poorly")
        }
    }
}
