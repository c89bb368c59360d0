import CourtsAdapter
import Foundation
import JSONSchema
import Testing

/// The clerk's bundle, held to golden files (set UPDATE_GOLDEN=1 to rewrite them after a deliberate change,
/// then read the diff), and the outcomes file, held to the court.outcome schema.
@Suite("The Courts' adapter")
struct CourtBundleTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repository = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func example() throws -> [UInt8] {
        Array(try Data(contentsOf: repository.appendingPathComponent("schemas/examples/prosecution.file/valid-1.json")))
    }

    @Test(arguments: ["prosecution-file.html", "prosecution-file.json", "register-extract.csv", "manifest.json"])
    func theBundleMatchesItsGoldenFile(name: String) throws {
        let bundle = try CourtBundle(body: try Self.example(), messageID: "prosecution-1", source: "npas", auditEntry: 42)
        let document = try #require(bundle.documents.first { $0.name == name })
        let golden = Self.here.appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(document.bytes).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(String(decoding: document.bytes, as: UTF8.self) == expected, "\(name) differs from Golden/\(name)")
    }

    @Test func theManifestHoldsEachDocumentsDigestAndTheHubsReceipt() throws {
        let bundle = try CourtBundle(body: try Self.example(), messageID: "prosecution-1", source: "npas", auditEntry: 42)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(bundle.documents.last!.bytes)) as? [String: Any])
        let documents = manifest["documents"] as? [[String: Any]] ?? []
        #expect(documents.map { $0["name"] as? String } == ["prosecution-file.html", "prosecution-file.json", "register-extract.csv"])
        for (document, listed) in zip(bundle.documents, documents) {
            let digest = sha256Hex(document.bytes)
            #expect(listed["sha256"] as? String == digest)
        }
        #expect((manifest["hub_receipt"] as? [String: Any])?["audit_entry"] as? Int == 42)
        #expect(bundle.folderName == "NPAS-2025-0042/2025-04-07")
    }

    @Test func theHTMLIsAFileABenchCanRead() throws {
        let bundle = try CourtBundle(body: try Self.example(), messageID: "prosecution-1", source: "npas", auditEntry: nil)
        let html = String(decoding: bundle.documents[0].bytes, as: UTF8.self)
        #expect(html.contains("IN THE EXAMPLE MAGISTRATES&#39; COURT") || html.contains("IN THE EXAMPLE MAGISTRATES' COURT"))
        #expect(html.contains("Each defendant is prosecuted separately."))
        #expect(html.contains("section 444(1A)"))
        #expect(html.contains("Monday 6 January 2025"))  // 6 January 2025 was a Monday
        #expect(html.contains("O (Absent in other or unknown circumstances)"))
        #expect(html.contains("£160.00"))
        #expect(html.components(separatedBy: "<h3>Defendant").count - 1 == 2)
    }

    @Test func outcomesBecomeOneMessagePerCaseAndHearingThatTheSchemaAccepts() throws {
        let csv = """
            case_reference,court,hearing_date,defendant_number,offence,outcome,amount,months,costs,adjourned_to,band,note
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1A),fine+parenting_order,450,6,150,,B,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,2,444(1A),conditional_discharge,,12,,,,"Guilty plea, first offence"
            NPAS-2025-0043,Example Magistrates' Court,2025-04-07,1,444(1),adjourned,,,,2025-05-12,,
            NPAS-2025-0044,Example Magistrates' Court,2025-04-07,1,444(1),withdrawn,,,,,,

            """
        let outcomes = try CourtOutcomes(csv: csv)
        #expect(outcomes.problems.isEmpty, "\(outcomes.problems)")
        #expect(outcomes.messages.map(\.caseReference) == ["NPAS-2025-0042", "NPAS-2025-0043", "NPAS-2025-0044"])
        #expect(outcomes.messages[0].lines == [2, 3])
        let validator = try SchemaValidator(schema: try JSONValue.parse(Array(try Data(
            contentsOf: Self.repository.appendingPathComponent("schemas/court.outcome.schema.json")))))
        for message in outcomes.messages {
            let errors = validator.validate(try JSONValue.parse(message.body))
            #expect(errors.isEmpty, "\(message.caseReference): \(errors)")
        }
        let first = try JSONValue.parse(outcomes.messages[0].body)
        #expect(first["defendants"]?.arrayValue?[0]["sentence"]?["fine"]?["amount_pence"] == .number(45000))
        #expect(first["defendants"]?.arrayValue?[0]["costs_pence"] == .number(15000))
    }

    @Test func everyMalformedRowIsReportedWithItsLineAndReason() throws {
        let csv = """
            case_reference,court,hearing_date,defendant_number,offence,outcome,amount,months,costs,adjourned_to,band,note
            NPAS-2025-0042,Example Magistrates' Court,7 April 2025,1,444(1A),fine,450,,,,,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1),fine,1500,,,,,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1A),told_off,,,,,,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,2,444(1A),adjourned,,,,,,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,3,444(1),community_order,,6,,,,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,4,444(1A),withdrawn,,,,,,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,4,444(1A),dismissed,,,,,,
            NPAS-2025-0042,too,few,fields

            """
        let outcomes = try CourtOutcomes(csv: csv)
        let byLine = Dictionary(uniqueKeysWithValues: outcomes.problems.map { ($0.line, $0.problem) })
        #expect(byLine[2]?.contains("hearing_date") == true)
        #expect(byLine[3]?.contains("at most £1000") == true)
        #expect(byLine[4]?.contains("told_off") == true)
        #expect(byLine[5]?.contains("adjourned_to") == true)
        #expect(byLine[6]?.contains("only for s444(1A)") == true)
        #expect(byLine[8]?.contains("already has an outcome") == true)
        #expect(byLine[9]?.contains("fields") == true)
        #expect(byLine[7] == nil)
        #expect(outcomes.messages.count == 1)  // defendant 4's withdrawal is the only good row
    }

    @Test func anAmountTooLargeForPenceIsAProblemNotACrash() throws {
        let csv = """
            case_reference,court,hearing_date,defendant_number,offence,outcome,amount,months,costs,adjourned_to,band,note
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1A),fine,92233720368547758,,,,,
            NPAS-2025-0043,Example Magistrates' Court,2025-04-07,1,444(1A),withdrawn,,,250.-5,,,

            """
        let outcomes = try CourtOutcomes(csv: csv)
        let byLine = Dictionary(uniqueKeysWithValues: outcomes.problems.map { ($0.line, $0.problem) })
        #expect(byLine[2]?.contains("amount") == true, "\(outcomes.problems)")
        #expect(byLine[3]?.contains("costs") == true, "\(outcomes.problems)")
        #expect(outcomes.messages.isEmpty)
    }

    /// The bundle's folder is named from the case reference and the hearing date: each must have the schema's shape.
    @Test(arguments: [("case_reference", "../../escape"), ("case_reference", "A/B/../C"), ("case_reference", "N926400123002"), ("date", "../2025-04-07")])
    func aBundleWhoseFolderWouldBeAPathOrAUPNIsRefused(field: String, value: String) throws {
        var file = try #require(try JSONSerialization.jsonObject(with: Data(try Self.example())) as? [String: Any])
        if field == "date" {
            file["hearing"] = (file["hearing"] as? [String: Any] ?? [:]).merging(["date": value]) { _, new in new }
        } else {
            file[field] = value
        }
        let body = Array(try JSONSerialization.data(withJSONObject: file))
        #expect(throws: CourtsAdapterError.self) { try CourtBundle(body: body, messageID: "x", source: "npas", auditEntry: nil) }
    }

    @Test func aSpreadsheetsByteOrderMarkIsNotPartOfTheHeader() throws {
        let csv = "\u{FEFF}case_reference,court,hearing_date,defendant_number,offence,outcome\nNPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1),withdrawn\n"
        let outcomes = try CourtOutcomes(csv: csv)
        #expect(outcomes.messages.count == 1 && outcomes.problems.isEmpty, "\(outcomes.problems)")
    }

    /// A session with no mark (`-`) would come out of the CSV escaping as `'-`, which a clerk would take for a code.
    @Test func aSessionWithNoMarkIsAnEmptyCodeThatSaysSo() throws {
        var file = try #require(try JSONSerialization.jsonObject(with: Data(try Self.example())) as? [String: Any])
        var extract = try #require(file["register_extract"] as? [String: Any])
        var marks = try #require(extract["marks"] as? [String: Any])
        let day = try #require(marks.keys.sorted().first)
        marks[day] = ["am": "-", "pm": "\\"]
        extract["marks"] = marks
        file["register_extract"] = extract
        let bundle = try CourtBundle(
            body: Array(try JSONSerialization.data(withJSONObject: file)), messageID: "prosecution-1", source: "npas", auditEntry: nil)
        let csv = String(decoding: try #require(bundle.documents.first { $0.name == "register-extract.csv" }).bytes, as: UTF8.self)
        #expect(csv.contains("\n\(day),,No mark recorded,\\,Present (PM)\n"), "\(csv)")
        #expect(!csv.contains("'-"), "\(csv)")
    }

    /// Spreadsheets on Windows still save "CSV" in Windows-1252: read as such and said so, never turned into U+FFFD.
    @Test func anOutcomesFileInWindows1252IsReadAndSaysSo() throws {
        let text = "case_reference,court,hearing_date,defendant_number,offence,outcome,note\n"
            + "NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1),withdrawn,Caf\u{E9} owner's evidence\n"
        let bytes = Array(text.unicodeScalars.map { UInt8($0.value) })  // Latin-1: é is the single byte 0xE9
        let outcomes = try CourtOutcomes(bytes: bytes)
        #expect(outcomes.encoding == .windows1252 && outcomes.windows1252Line == 2)
        #expect(outcomes.messages.count == 1 && outcomes.problems.isEmpty, "\(outcomes.problems)")
        let body = String(decoding: try #require(outcomes.messages.first).body, as: UTF8.self)
        #expect(body.contains("Caf\u{E9} owner") && !body.contains("\u{FFFD}"), "\(body)")
        #expect(try CourtOutcomes(csv: text).encoding == .utf8)
    }

    @Test func aFileWithoutTheColumnsIsRefusedWhole() {
        #expect(throws: CourtsAdapterError.self) { try CourtOutcomes(csv: "case,result\nX,Y\n") }
    }

    func sha256Hex(_ bytes: [UInt8]) -> String {
        // An independent digest: Foundation has none on Linux, so use the system's sha256sum.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data.prefix(64), as: UTF8.self)
    }
}
