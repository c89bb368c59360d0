import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// No adapter names a file it writes from text a sender wrote: a message id such as `../../state/x` once wrote
/// outside the partner adapter's outbox. Each adapter that writes what it receives gets messages whose id (and,
/// where the adapter uses them for folders, whose school, case reference or term) hold `../` and `/`; what is
/// written must be inside its outbox, under the hub's sequence number, and nothing anywhere may be named after them.
@Suite("Output file names", .timeLimit(.minutes(2)), .realProcesses(.long))
struct OutputNameTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func example(_ type: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(repository)/schemas/examples/\(type)/valid-1.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func waitFor(_ path: String) async throws {
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: path) { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test func idsAndNamesWithDotDotAndSlashesStayInsideTheOutbox() async throws {
        let agencies = ["yot", "schools-mis", "courts", "advisory-service", "tester"]
        let running = try await RunningHub.start(agencies: agencies)  // no schemas: the hub passes these bodies on
        defer { running.finish() }
        let root = running.hub.directory
        try FileManager.default.createDirectory(atPath: "\(root)/agencies", withIntermediateDirectories: true)
        let adapters = [
            AdapterProcess("partner", hub: running.hub, folder: "\(root)/agencies/yot", leading: ["yot"]),
            AdapterProcess("schools-mis", hub: running.hub, folder: "\(root)/agencies/schools-mis"),
            // The PDFs' names are fixed; their rendering is CourtsExchangeTests' (StandInChromium).
            AdapterProcess("courts", hub: running.hub, folder: "\(root)/agencies/courts", extra: ["--chromium", try StandInChromium.write(in: root)]),
            AdapterProcess("advisory-service", hub: running.hub, folder: "\(root)/agencies/advisory-service"),
        ]
        defer { for adapter in adapters { adapter.stopInBackground() } }
        for adapter in adapters { try await adapter.start() }
        let tester = try await running.hub.connect("tester")
        func send(_ type: String, to agency: String, _ body: [String: Any], id: String) async throws -> Int64 {
            try await tester.send(type: type, to: [agency], body: Array(try JSONSerialization.data(withJSONObject: body)), id: id).sequence
        }

        // The YOT's outbox: named by the sequence, whatever the id.
        let summary = try await send("yot.attendance-summary", to: "yot", try Self.example("yot.attendance-summary"), id: "../../state/escape")
        let nested = try await send("yot.attendance-summary", to: "yot", try Self.example("yot.attendance-summary"), id: "a/b/escape-2")
        // A school's letter: a sender's school that is not a LAESTAB goes to unknown-school/.
        var letter = try Self.example("case.feedback")
        letter["school"] = ["laestab": "../../../escape-school"]
        let feedback = try await send("case.feedback", to: "schools-mis", letter, id: "../../../escape-letter")
        // A court bundle: a well-formed case whatever the id; a case reference that is a path is refused.
        let bundle = try await send("prosecution.file", to: "courts", try Self.example("prosecution.file"), id: "../escape-bundle")
        var traversal = try Self.example("prosecution.file")
        traversal["case_reference"] = "../../escape-case"
        _ = try await send("prosecution.file", to: "courts", traversal, id: "traversal-case")
        // The Advisory Service: a term that is not one of the schema's names is refused.
        var feed = try Self.example("attendance.termly-feed")
        feed["period"] = (feed["period"] as? [String: Any] ?? [:]).merging(["term": "../../escape-term"]) { _, new in new }
        _ = try await send("attendance.termly-feed", to: "advisory-service", feed, id: "traversal-term")
        await tester.close()

        let yot = "\(root)/agencies/yot/outbox/yot.attendance-summary"
        try await waitFor("\(yot)/\(nested).json")
        #expect(FileManager.default.fileExists(atPath: "\(yot)/\(summary).json"))
        #expect(FileManager.default.fileExists(atPath: "\(yot)/\(nested).json"))
        let school = "\(root)/agencies/schools-mis/outbox/unknown-school"
        try await waitFor("\(school)/case.feedback-\(feedback).html")
        #expect(FileManager.default.fileExists(atPath: "\(school)/case.feedback-\(feedback).json"))
        #expect(FileManager.default.fileExists(atPath: "\(school)/case.feedback-\(feedback).html"))
        // The bundle's folder is the case reference and the hearing date, read from the example it was sent.
        let example = try Self.example("prosecution.file")
        let hearing = try #require((example["hearing"] as? [String: Any])?["date"] as? String)
        let folder = "\(root)/agencies/courts/outbox/\(try #require(example["case_reference"] as? String))/\(hearing)"
        try await waitFor("\(folder)/manifest.json")
        let manifest = try String(contentsOfFile: "\(folder)/manifest.json", encoding: .utf8)
        #expect(manifest.contains("escape-bundle"), "the manifest quotes the message id as text")
        _ = bundle

        // The refused ones are dead letters that say why.
        var letters: [String: (recipient: String, cause: String, reason: String)] = [:]
        for _ in 0..<200 {
            letters = try PoisonBodyTests.deadLetters(running.hub)
            if letters.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(letters["traversal-case"]?.reason.contains("case_reference") == true, "\(letters)")
        #expect(letters["traversal-term"]?.reason.contains("term") == true, "\(letters)")

        // Nothing anywhere is named after what the senders wrote.
        let everything = try FileManager.default.subpathsOfDirectory(atPath: root)
        #expect(everything.filter { $0.contains("escape") }.isEmpty, "\(everything.filter { $0.contains("escape") })")
        for agency in ["yot", "schools-mis", "courts", "advisory-service"] {
            let written = try FileManager.default.subpathsOfDirectory(atPath: "\(root)/agencies/\(agency)")
            // state/: the adapter's own records (the message id key; the courts' defendant references per case,
            // named by a case reference of the schema's shape, and its print folder), never a sender's text.
            let outside = written.filter {
                !$0.hasPrefix("outbox") && !$0.hasPrefix("state/") && !["inbox", "processing", "processed", "failed", "state", "outbox"].contains($0)
            }
            #expect(outside.isEmpty, "\(agency) wrote outside its outbox: \(outside)")
        }
    }
}
