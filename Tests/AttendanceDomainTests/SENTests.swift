import AttendanceDomain
import Foundation
import Testing

@Suite("Special educational needs from CTF and CSV")
struct SENTests {
    let reader = MISReader(directory: TestSupport.fixtureDirectory)

    @Test("A CTF's SENhistory gives the latest provision and the need ranked first; no SENhistory is no SEN")
    func ctf() throws {
        var text = try String(contentsOfFile: TestSupport.fixture("ctf-valid-v25.xml"), encoding: .utf8)
        let history = """
            <SENhistory>
              <SEN><StartDate>2025-01-10</StartDate><SENprovision>E</SENprovision></SEN>
              <SEN><StartDate>2023-09-01</StartDate><SENprovision>K</SENprovision></SEN>
              <SENneeds>
                <SENneed><SENtypeRank>2</SENtypeRank><SENtype>ASD</SENtype></SENneed>
                <SENneed><SENtypeRank>1</SENtypeRank><SENtype>SEMH</SENtype></SENneed>
              </SENneeds>
            </SENhistory>
            <Address>
            """
        text = text.replacingOccurrences(of: "<LookedAfter><InCare>false</InCare></LookedAfter>\n      <Address>",
                                         with: "<LookedAfter><InCare>false</InCare></LookedAfter>\n" + history)
        #expect(text.contains("SENhistory"))
        let result = reader.readCTF(bytes: Array(text.utf8))
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.pupils[0].sen == SENRecord(provision: .ehcPlan, primaryNeed: "SEMH"))
        #expect(result.pupils[1].sen == SENRecord.none)
        // The marks are read as before: the SEN history's StartDate is not the attendance start date.
        let without = reader.read(path: TestSupport.fixture("ctf-valid-v25.xml"))
        #expect(result.pupils[0].figures == without.pupils[0].figures)
        // A file with no SEN section at all was exported without it: its pupils' SEN is not known.
        #expect(without.pupils.allSatisfy { $0.sen == nil })
    }

    @Test("CSV: sen_provision and sen_need when the export has them; unknown without them; a bad code is reported")
    func csv() throws {
        let header = "laestab,upn,date,session,code,sen_provision,sen_need\n"
        let rows = [
            "9262001,Q926200024001,2025-09-03,AM,/,K,spld", "9262001,B801200005001,2025-09-03,AM,/,,",
            "9262001,N926400123002,2025-09-03,AM,/,X,",
        ]
        let result = reader.readCSV(text: header + rows.joined(separator: "\n") + "\n")
        let sen = Dictionary(uniqueKeysWithValues: result.pupils.map { ($0.upn, $0.sen) })
        #expect(sen["Q926200024001"] == SENRecord(provision: .senSupport, primaryNeed: "SPLD"))
        #expect(sen["B801200005001"] == SENRecord.none)
        #expect(sen["N926400123002"] == .some(nil))
        #expect(result.problems.contains { $0.code == .fieldMalformed && $0.message.contains("SEN provision \"X\"") })

        let without = reader.readCSV(text: "laestab,upn,date,session,code\n9262001,Q926200024001,2025-09-03,AM,/\n")
        #expect(without.pupils.count == 1 && without.pupils[0].sen == nil)
    }

    @Test("The synthetic county's CTF and CSV agree on every pupil's SEN, at about the national shares")
    func synthetic() throws {
        let folder = TestSupport.temporaryFolder("sen")
        defer { try? FileManager.default.removeItem(at: folder) }
        let county = try CountySynthesizer(.init(schools: 6, pupils: 1200, seed: 9, academicYear: 2025, halfTerms: 1)).write(to: folder)
        var all: [SENRecord] = []
        for (ctf, csv) in zip(county.ctfFiles.sorted(), county.csvFiles.sorted()) {
            let fromCTF = MISReader().read(path: folder.appendingPathComponent(ctf).path).pupils
            let fromCSV = MISReader().read(path: folder.appendingPathComponent(csv).path).pupils
            #expect(fromCTF.map(\.upn) == fromCSV.map(\.upn))
            #expect(fromCTF.map(\.sen) == fromCSV.map(\.sen))
            all += fromCTF.compactMap(\.sen)
        }
        #expect(all.count == 1200)
        let plans = Double(all.filter { $0.provision == .ehcPlan }.count) / 1200, support = Double(all.filter { $0.provision == .senSupport }.count) / 1200
        #expect((0.03...0.07).contains(plans) && (0.10...0.17).contains(support), "EHC plans \(plans), SEN support \(support)")
        #expect(all.allSatisfy { ($0.provision == .none) == ($0.primaryNeed == nil) })
    }
}
