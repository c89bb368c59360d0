import CourtsAdapter
import Foundation
import LiaisonTestSupport
import JSONSchema
import StrictJSON
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

    /// The bundle as the adapter writes it without Chromium: deterministic, so held to golden files.
    static func bundle(_ body: [UInt8]? = nil, auditEntry: Int64? = 42) async throws -> CourtBundle {
        try await CourtBundle(
            body: try body ?? example(), messageID: "prosecution-1", source: "npas", auditEntry: auditEntry,
            pdf: .unavailable("no Chromium in this test"))
    }

    static let goldenNames = [
        "prosecution-file.html", "attendance-certificate.html", "witness-statement.html", "prosecution-file.json", "register-extract.csv",
        "pdf-missing.txt", "manifest.json",
    ]

    @Test(arguments: goldenNames)
    func theBundleMatchesItsGoldenFile(name: String) async throws {
        let bundle = try await Self.bundle()
        let document = try #require(bundle.documents.first { $0.name == name })
        let golden = Self.here.appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(document.bytes).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(String(decoding: document.bytes, as: UTF8.self) == expected, "\(name) differs from Golden/\(name)")
    }

    @Test func theManifestHoldsEachDocumentsDigestAndTheHubsReceipt() async throws {
        let bundle = try await Self.bundle()
        #expect(bundle.documents.map(\.name) == Self.goldenNames)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(bundle.documents.last!.bytes)) as? [String: Any])
        let documents = manifest["documents"] as? [[String: Any]] ?? []
        #expect(documents.map { $0["name"] as? String } == Self.goldenNames.dropLast())
        for (document, listed) in zip(bundle.documents, documents) {
            let digest = await sha256Hex(document.bytes)
            #expect(listed["sha256"] as? String == digest)
        }
        #expect((manifest["hub_receipt"] as? [String: Any])?["audit_entry"] as? Int == 42)
        let pdf = try #require(manifest["pdf"] as? [String: Any])
        #expect(pdf["made"] as? Bool == false && (pdf["reason"] as? String)?.contains("no Chromium in this test") == true)
        #expect(bundle.folderName == "NPAS-2025-0042/2026-01-12")
        #expect(bundle.record == BundledCase(offence: "444(1A)", defendants: ["D1": 1]))
    }

    func document(_ bundle: CourtBundle, _ name: String) throws -> String {
        String(decoding: try #require(bundle.documents.first { $0.name == name }).bytes, as: UTF8.self)
    }

    @Test func theProsecutionFileIsOneABenchCanRead() async throws {
        let html = try document(try await Self.bundle(), "prosecution-file.html")
        #expect(html.contains("IN THE EXAMPLE MAGISTRATES&#39; COURT") || html.contains("IN THE EXAMPLE MAGISTRATES' COURT"))
        #expect(html.contains("section 444(1A)"))
        // The information and summons, and each defendant's particulars under their reference.
        #expect(html.contains("<dt>Information laid on</dt><dd>Monday 24 November 2025</dd>"))
        #expect(html.contains("<dt>Summons reference</dt><dd>SUM-2025-0042</dd>"))
        #expect(html.contains("1 Court Street"))
        #expect(html.contains("<h3>D1: Ms Anne Example</h3>"))
        #expect(html.contains("<h3>Defendant D1</h3>"))
        #expect(html.contains("<dt>Date of birth</dt><dd>Friday 21 June 1985</dd>"))
        #expect(html.contains("12 Example Street, Dereham, NR19 1ZZ"))
        #expect(html.contains("has parental responsibility and has care of the child"))
        // Costs with their total, the notices by reference and defendant, the exhibits and copies of their words.
        #expect(html.contains("<tr class=\"total\"><td>Total costs claimed</td><td class=\"amount\">£300.00</td></tr>"))
        #expect(html.contains("<td>PN-2025-0001</td><td>D1</td>"))
        #expect(html.contains("<td>EW/2</td><td>Warning letter to Ms Example</td>"))
        #expect(html.contains("<h2 class=\"page\">Exhibit EW/3: Penalty notice PN-2025-0001</h2>"))
        #expect(html.contains("You have a legal duty under section 7"))
        // The case reference and "Page X of Y" in the margins of every printed page.
        #expect(html.contains("@top-left{content:\"Case NPAS-2025-0042: prosecution file\""))
        #expect(html.contains("@bottom-right{content:\"Page \" counter(page) \" of \" counter(pages)"))
        // The worker's reasons for choosing a parent stay in the JSON: the bench reads who, not why.
        #expect(!html.contains("no contact and is not prosecuted"))
        #expect(!html.contains("<script"))
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""), "no script runs and nothing is fetched")
    }

    @Test func theCertificateOfAttendanceIsADocumentOfItsOwn() async throws {
        let html = try document(try await Self.bundle(), "attendance-certificate.html")
        #expect(html.contains("<h1>Certificate of attendance</h1>"))
        #expect(html.contains("Education Act 1996, section 566"))
        #expect(html.contains("is a true extract of the register, and that it shows 39 sessions attended of 66 possible"))
        #expect(html.contains("<dt>Name</dt><dd>H. Teacher</dd><dt>Role</dt><dd>Headteacher</dd><dt>Date</dt><dd>Friday 24 October 2025</dd>"))
        #expect(html.contains("<td>Unauthorised absence</td><td class=\"amount\">23</td><td class=\"amount\">34.8%</td>"))
        #expect(html.contains("<td>O</td><td>Absent in other or unknown circumstances</td>"))
        #expect(html.contains("<td>Wednesday 3 September 2025</td><td>O</td><td>O</td>"))
        #expect(html.contains("Case NPAS-2025-0042: certificate of attendance (s.566), exhibit EW/1"))
        #expect(html.contains("@bottom-left{content:\"Signed ………………………… (H. Teacher)\""))
    }

    @Test func theWitnessStatementIsInSection9Form() async throws {
        let html = try document(try await Self.bundle(), "witness-statement.html")
        #expect(html.contains("Criminal Justice Act 1967, section 9"))
        #expect(html.contains("<dt>Age if under 18</dt><dd>Over 18</dd><dt>Occupation</dt><dd>Education Social Worker</dd>"))
        #expect(html.contains("I shall be liable to prosecution if I have wilfully stated in it anything which I know to be false"))
        #expect(html.contains("I am an Education Social Worker employed by Example County Council."))
        // Every page signed and numbered; pages after the first headed as the statement's continuation.
        #expect(html.contains("@bottom-left{content:\"Signed ………………………… (E. Worker)\""))
        #expect(html.contains("@top-left{content:\"Case NPAS-2025-0042: continuation of the statement of E. Worker\""))
        #expect(html.contains("@page:first{@top-left{content:\"Case NPAS-2025-0042\""))
        #expect(html.contains("counter(page) \" of \" counter(pages)"))
    }

    /// A name with quotes, a backslash and `</style>` cannot break out of the margin box's CSS string.
    @Test func aSendersTextInTheMarginsIsACSSStringThatCannotCloseTheStyle() async throws {
        var file = try #require(try JSONSerialization.jsonObject(with: Data(try Self.example())) as? [String: Any])
        var statement = try #require(file["witness_statement"] as? [String: Any])
        statement["signature"] = ["name": "E. \"Worker\\</style><script>x</script>", "date": "2025-11-21"]
        file["witness_statement"] = statement
        let bundle = try await Self.bundle(Array(try JSONSerialization.data(withJSONObject: file)))
        let html = try document(bundle, "witness-statement.html")
        #expect(html.components(separatedBy: "</style>").count == 2, "one </style>, the bundle's own")
        #expect(!html.contains("<script>"))
        #expect(html.contains("(E. \\\"Worker\\\\\\3C /style\\3E \\3C script\\3E x\\3C /script\\3E )"))
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
        let validator = try Self.validator()
        for message in outcomes.messages {
            let errors = validator.validate(try JSONValue.parse(message.body))
            #expect(errors.isEmpty, "\(message.caseReference): \(errors)")
        }
        let first = try JSONValue.parse(outcomes.messages[0].body)
        #expect(first["defendants"]?.arrayValue?[0]["sentence"]?["fine"]?["amount_pence"] == .number(45000))
        #expect(first["defendants"]?.arrayValue?[0]["costs_pence"] == .number(15000))
        // An older file's defendant_number is the bundle's D1, and its one months column serves each order.
        #expect(first["defendants"]?.arrayValue?[0]["defendant_reference"] == .string("D1"))
        #expect(first["defendants"]?.arrayValue?[0]["sentence"]?["parenting_order"]?["months"] == .number(6))
    }

    static func validator() throws -> SchemaValidator {
        try SchemaValidator(schema: try JSONValue.parse(Array(try Data(
            contentsOf: repository.appendingPathComponent("schemas/court.outcome.schema.json")))))
    }

    /// Every disposal the law allows, each defendant named by the bundle's reference, each message valid.
    @Test func everyDisposalIsReadByDefendantReferenceAndTheSchemaAcceptsIt() throws {
        let header = "case_reference,court,hearing_date,defendant,offence,outcome,amount,costs,victim_surcharge,"
            + "discharge_months,parenting_months,programme,community_months,custody_days,suspended,adjourned_to,band,note"
        let csv = """
            \(header)
            NPAS-2025-0001,Example Magistrates' Court,2026-01-12,D1,444(1),absolute_discharge,,,,,,,,,,,,
            NPAS-2025-0002,Example Magistrates' Court,2026-01-12,D1,444(1),conditional_discharge+parenting_order,,85,,24,9,yes,,,,,,
            NPAS-2025-0003,Example Magistrates' Court,2026-01-12,d1,444(1A),fine+eso_direction,"£1,000",,,,,,,,,,,
            NPAS-2025-0004,Example Magistrates' Court,2026-01-12,D1,444(1A),fine,640,150,256,,,,,,,,B,
            NPAS-2025-0005,Example Magistrates' Court,2026-01-12,D1,444(1A),community_order+parenting_order,,,114,,12,no,18,,,,,
            NPAS-2025-0006,Example Magistrates' Court,2026-01-12,D1,444(1A),custody+parenting_order,,300,154,,12,yes,,28,yes,,,
            NPAS-2025-0006,Example Magistrates' Court,2026-01-12,D2,444(1),withdrawn,,,,,,,,,,,,Not living with the child
            NPAS-2025-0007,Example Magistrates' Court,2026-01-12,D1,444(1A),adjourned,,,,,,,,,,2026-02-09,,
            NPAS-2025-0008,Example Magistrates' Court,2026-01-12,D1,444(1A),dismissed+eso_direction,,,,,,,,,,,,

            """
        let outcomes = try CourtOutcomes(csv: csv)
        let byLine = Dictionary(uniqueKeysWithValues: outcomes.problems.map { ($0.line, $0.problem) })
        #expect(byLine[4]?.contains("amount") == true, "£1,000 with a comma is not an amount: \(outcomes.problems)")
        #expect(outcomes.problems.count == 1, "\(outcomes.problems)")
        let validator = try Self.validator()
        var defendants: [String: JSONValue] = [:]
        for message in outcomes.messages {
            let body = try JSONValue.parse(message.body)
            #expect(validator.validate(body).isEmpty, "\(message.caseReference): \(validator.validate(body))")
            for (index, defendant) in (body["defendants"]?.arrayValue ?? []).enumerated() {
                defendants["\(message.caseReference) \(message.defendants[index])"] = defendant
            }
        }
        let sentence = { (key: String) in defendants[key]?["sentence"] }
        #expect(sentence("NPAS-2025-0001 D1")?["discharge"]?["kind"] == .string("absolute"))
        #expect(sentence("NPAS-2025-0002 D1")?["discharge"]?["months"] == .number(24))
        #expect(sentence("NPAS-2025-0002 D1")?["parenting_order"] == .object(["months": .number(9), "programme": .bool(true)]))
        #expect(defendants["NPAS-2025-0002 D1"]?["costs_pence"] == .number(8500))
        #expect(sentence("NPAS-2025-0004 D1")?["fine"] == .object(["amount_pence": .number(64000), "band": .string("B")]))
        #expect(sentence("NPAS-2025-0004 D1")?["victim_surcharge"]?["amount_pence"] == .number(25600))
        #expect(sentence("NPAS-2025-0005 D1")?["community_order"]?["months"] == .number(18))
        #expect(sentence("NPAS-2025-0006 D1")?["custody"] == .object(["days": .number(28), "suspended": .bool(true)]))
        #expect(defendants["NPAS-2025-0006 D2"]?["outcome"] == .string("withdrawn"))
        #expect(defendants["NPAS-2025-0006 D2"]?["defendant_number"] == .number(2))
        #expect(defendants["NPAS-2025-0007 D1"]?["adjourned_to"] == .string("2026-02-09"))
        #expect(defendants["NPAS-2025-0008 D1"]?["outcome"] == .string("dismissed"))
        #expect(defendants["NPAS-2025-0008 D1"]?["eso_direction"] == .bool(true))
    }

    /// A case whose bundle the adapter wrote is checked against it: its defendants and the offence laid.
    @Test func aRowNamingADefendantTheBundleDoesNotHaveIsRefused() throws {
        let csv = """
            case_reference,court,hearing_date,defendant,defendant_number,offence,outcome,note
            NPAS-2025-0042,Example Magistrates' Court,2026-01-12,D1,,444(1A),withdrawn,
            NPAS-2025-0042,Example Magistrates' Court,2026-01-12,D2,,444(1A),withdrawn,
            NPAS-2025-0043,Example Magistrates' Court,2026-01-12,D1,,444(1A),dismissed,
            NPAS-2025-0044,Example Magistrates' Court,2026-01-12,D1,2,444(1),dismissed,
            NPAS-2025-0044,Example Magistrates' Court,2026-01-12,,2,444(1),dismissed,
            NPAS-2025-0045,Example Magistrates' Court,2026-01-12,,,444(1),dismissed,
            NPAS-2025-0046,Example Magistrates' Court,2026-01-12,D10,,444(1),dismissed,
            NPAS-9999-0001,Example Magistrates' Court,2026-01-12,D3,,444(1A),dismissed,

            """
        let bundles = [
            "NPAS-2025-0042": BundledCase(offence: "444(1A)", defendants: ["D1": 1]),
            "NPAS-2025-0043": BundledCase(offence: "444(1)", defendants: ["D1": 1]),
            "NPAS-2025-0044": BundledCase(offence: "444(1)", defendants: ["D1": 1, "D2": 2]),
        ]
        let outcomes = try CourtOutcomes(csv: csv, bundled: { bundles[$0] })
        let byLine = Dictionary(uniqueKeysWithValues: outcomes.problems.map { ($0.line, $0.problem) })
        #expect(byLine[2] == nil)
        #expect(byLine[3] == "defendant D2 is not in the bundle for case NPAS-2025-0042, whose defendants are D1")
        #expect(byLine[4]?.contains("alleges s444(1) only") == true)
        #expect(byLine[5] == "defendant D1 is defendant number 1 in the bundle, not 2")
        #expect(byLine[6] == nil, "defendant_number 2 is D2 in the bundle")
        #expect(byLine[7]?.contains("defendant is empty") == true)
        #expect(byLine[8]?.contains("D1 to D9") == true)
        #expect(byLine[9] == nil, "a case this adapter never bundled is sent: the desk checks it")
        let sent = outcomes.messages.map { "\($0.caseReference) \($0.defendants)" }
        #expect(sent == ["NPAS-2025-0042 [\"D1\"]", "NPAS-2025-0044 [\"D2\"]", "NPAS-9999-0001 [\"D3\"]"])
    }

    @Test(arguments: [
        ("444(1)", "custody", "custody_days=28;suspended=no", "custody is available only for s444(1A)"),
        ("444(1A)", "custody", "custody_days=91;suspended=no", "custody needs custody_days (1 to 90"),
        ("444(1A)", "custody", "custody_days=30", "custody needs suspended"),
        ("444(1A)", "community_order+custody", "custody_days=30;suspended=no;community_months=6", "cannot be combined with custody"),
        ("444(1A)", "conditional_discharge+fine", "amount=100;discharge_months=6", "a discharge cannot be combined"),
        ("444(1A)", "parenting_order", "parenting_months=13", "parenting_months (1 to 12)"),
        ("444(1A)", "parenting_order", "parenting_months=6;programme=maybe", "programme 'maybe' is not yes or no"),
        ("444(1A)", "fine", "amount=100;victim_surcharge=2001", "victim_surcharge '2001'"),
        ("444(1A)", "withdrawn", "victim_surcharge=50", "on conviction"),
        ("444(1A)", "eso_direction", "", "eso_direction goes with an outcome"),
        ("444(1A)", "fine+fine", "amount=100", "names an outcome twice"),
        ("444(1A)", "adjourned+fine", "adjourned_to=2026-02-01;amount=100", "cannot be combined with a sentence"),
    ])
    func aDisposalTheLawDoesNotAllowIsNamedInTheReply(offence: String, outcome: String, fields: String, problem: String) throws {
        let extra = Dictionary(uniqueKeysWithValues: fields.split(separator: ";").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        })
        let columns = ["amount", "victim_surcharge", "discharge_months", "parenting_months", "programme", "community_months",
                       "custody_days", "suspended", "adjourned_to"]
        let csv = "case_reference,court,hearing_date,defendant,offence,outcome," + columns.joined(separator: ",") + "\n"
            + "NPAS-2025-0042,Example Magistrates' Court,2026-01-12,D1,\(offence),\(outcome)," + columns.map { extra[$0] ?? "" }.joined(separator: ",") + "\n"
        let outcomes = try CourtOutcomes(csv: csv)
        #expect(outcomes.messages.isEmpty)
        #expect(outcomes.problems.first?.problem.contains(problem) == true, "\(outcomes.problems)")
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
    func aBundleWhoseFolderWouldBeAPathOrAUPNIsRefused(field: String, value: String) async throws {
        var file = try #require(try JSONSerialization.jsonObject(with: Data(try Self.example())) as? [String: Any])
        if field == "date" {
            file["hearing"] = (file["hearing"] as? [String: Any] ?? [:]).merging(["date": value]) { _, new in new }
        } else {
            file[field] = value
        }
        let body = Array(try JSONSerialization.data(withJSONObject: file))
        await #expect(throws: CourtsAdapterError.self) { try await Self.bundle(body) }
    }

    @Test func aSpreadsheetsByteOrderMarkIsNotPartOfTheHeader() throws {
        let csv = "\u{FEFF}case_reference,court,hearing_date,defendant_number,offence,outcome\nNPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1),withdrawn\n"
        let outcomes = try CourtOutcomes(csv: csv)
        #expect(outcomes.messages.count == 1 && outcomes.problems.isEmpty, "\(outcomes.problems)")
    }

    /// A session with no mark (`-`) would come out of the CSV escaping as `'-`, which a clerk would take for a code.
    @Test func aSessionWithNoMarkIsAnEmptyCodeThatSaysSo() async throws {
        var file = try #require(try JSONSerialization.jsonObject(with: Data(try Self.example())) as? [String: Any])
        var extract = try #require(file["register_extract"] as? [String: Any])
        var marks = try #require(extract["marks"] as? [String: Any])
        let day = try #require(marks.keys.sorted().first)
        marks[day] = ["am": "-", "pm": "\\"]
        extract["marks"] = marks
        file["register_extract"] = extract
        let bundle = try await Self.bundle(Array(try JSONSerialization.data(withJSONObject: file)))
        let csv = String(decoding: try #require(bundle.documents.first { $0.name == "register-extract.csv" }).bytes, as: UTF8.self)
        #expect(csv.contains("\n\(day),,No mark recorded,\\,Present (PM)\n"), "\(csv)")
        #expect(!csv.contains("'-"), "\(csv)")
        let certificate = try document(bundle, "attendance-certificate.html")
        #expect(certificate.contains("<td>No mark recorded</td><td>\\</td>"), "the certificate's schedule says so too")
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

    func sha256Hex(_ bytes: [UInt8]) async -> String {
        // An independent digest: Foundation has none on Linux, so use the system's sha256sum.
        let result = try? await ChildProcess.run("/usr/bin/sha256sum", [], input: Data(bytes))
        return String(decoding: Array((result?.output ?? "").utf8.prefix(64)), as: UTF8.self)
    }
}
