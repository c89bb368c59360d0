import CourtsAdapter
import Foundation
import LiaisonTestSupport
import Printing
import Testing

/// The bundle's PDFs: printed by headless Chromium when it is installed (`make deps` and CI install Debian's
/// `chromium` and `poppler-utils`), their pages counted and read back; and a bundle whose printer is missing,
/// fails or hangs, which is complete but for its PDFs and says why.
@Suite("The Courts' bundle as PDF", .timeLimit(.minutes(3)))
struct CourtBundlePDFTests {
    static let chromium = ChromiumPDF.find()

    static func temporary() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("courts-pdf-\(UUID().uuidString)").path
    }

    /// The example file with a statement long enough to need continuation pages.
    static func longStatement() throws -> [UInt8] {
        var file = try #require(try JSONSerialization.jsonObject(with: Data(try CourtBundleTests.example())) as? [String: Any])
        var statement = try #require(file["witness_statement"] as? [String: Any])
        let paragraph = "On each of the days the register shows as an unauthorised absence I telephoned the home and recorded the call in the case notes. (synthetic)"
        statement["text"] = (1...90).map { "\($0). \(paragraph)" }.joined(separator: "\n\n")
        file["witness_statement"] = statement
        return Array(try JSONSerialization.data(withJSONObject: file, options: [.sortedKeys]))
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium): the PDFs cannot be printed here"))
    func chromiumPrintsEachDocumentWithTheCaseAndPageXOfYOnEveryPage() async throws {
        let work = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let printer = ChromiumPDF(executable: try #require(Self.chromium), workFolder: work)
        let bundle = try await CourtBundle(
            body: try Self.longStatement(), messageID: "prosecution-1", source: "npas", auditEntry: 42, pdf: .printer(printer))
        let names = bundle.documents.map(\.name)
        #expect(names == [
            "prosecution-file.html", "attendance-certificate.html", "witness-statement.html", "prosecution-file.json", "register-extract.csv",
            "prosecution-file.pdf", "attendance-certificate.pdf", "witness-statement.pdf", "manifest.json",
        ])
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(bundle.documents.last!.bytes)) as? [String: Any])
        #expect((manifest["pdf"] as? [String: Any])?["made"] as? Bool == true)

        var pages: [String: Int] = [:]
        for name in CourtBundle.printable {
            let pdf = try #require(bundle.documents.first { $0.name == "\(name).pdf" }).bytes
            #expect(pdf.starts(with: Array("%PDF-".utf8)))
            let path = "\(work)/\(name).pdf"
            try Data(pdf).write(to: URL(fileURLWithPath: path))
            pages[name] = try await Self.pageCount(path, bytes: pdf)
        }
        // Printing leaves nothing behind in the work folder but what this test wrote.
        #expect(try FileManager.default.contentsOfDirectory(atPath: work).sorted() == CourtBundle.printable.map { "\($0).pdf" }.sorted())
        // The file: a cover, the information and defendants, the rest, two exhibits each on a page of its own.
        #expect((5...8).contains(pages["prosecution-file"] ?? 0), "\(pages)")
        #expect((2...6).contains(pages["attendance-certificate"] ?? 0), "\(pages)")
        #expect((2...8).contains(pages["witness-statement"] ?? 0), "90 paragraphs need continuation pages: \(pages)")

        guard let pdftotext = ChromiumPDFTestTools.find("pdftotext") else { return }  // poppler-utils: counted above without it
        for name in CourtBundle.printable {
            let count = pages[name] ?? 0
            for page in 1...max(count, 1) {
                let text = try await ChromiumPDFTestTools.run(pdftotext, ["-f", "\(page)", "-l", "\(page)", "-layout", "\(work)/\(name).pdf", "-"])
                #expect(text.contains("Case NPAS-2025-0042"), "\(name) page \(page): \(text.prefix(300))")
                #expect(text.contains("Page \(page) of \(count)"), "\(name) page \(page)")
                if name == "witness-statement" {
                    #expect(text.contains("Signed") && text.contains("(E. Worker)"), "every page of the statement is signed: page \(page)")
                    #expect(text.contains("continuation of the statement of E. Worker") == (page > 1), "page \(page)")
                }
            }
        }
    }

    @Test func aBundleWithoutChromiumSaysWhyItsPDFsAreMissing() async throws {
        let printing = ChromiumPDF.printing(option: "/nonexistent/chromium", workFolder: Self.temporary())
        guard case .unavailable(let reason) = printing else {
            Issue.record("a --chromium that does not exist is not a printer")
            return
        }
        #expect(reason.contains("--chromium (/nonexistent/chromium) is not an executable file"))
        let bundle = try await CourtBundle(
            body: try CourtBundleTests.example(), messageID: "prosecution-1", source: "npas", auditEntry: nil, pdf: printing)
        let note = String(decoding: try #require(bundle.documents.first { $0.name == CourtBundle.pdfMissing }).bytes, as: UTF8.self)
        #expect(note.contains("were not made: the Chromium given with --chromium"))
        #expect(!bundle.documents.contains { $0.name.hasSuffix(".pdf") })
    }

    /// A printer that fails, or never finishes, costs the bundle its PDFs (all three), never the bundle.
    @Test(arguments: [("exit 3", "exited with status 3"), ("exec sleep 30", "did not finish within")])
    func aPrinterThatFailsOrHangsLeavesTheBundleWithoutPDFs(script: String, reason: String) async throws {
        let work = Self.temporary()
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let fake = "\(work)/fake-chromium"
        try "#!/bin/sh\necho 'fake chromium says no' >&2\n\(script)\n".write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: fake)
        let printer = ChromiumPDF(executable: fake, workFolder: "\(work)/print", timeout: .milliseconds(500))
        let started = ContinuousClock.now
        let bundle = try await CourtBundle(
            body: try CourtBundleTests.example(), messageID: "prosecution-1", source: "npas", auditEntry: nil, pdf: .printer(printer))
        // Well under the hanging printer's 30 s: it was stopped, not waited for (generous, for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(!bundle.documents.contains { $0.name.hasSuffix(".pdf") })
        let note = String(decoding: try #require(bundle.documents.first { $0.name == CourtBundle.pdfMissing }).bytes, as: UTF8.self)
        #expect(note.contains("printing to PDF failed") && note.contains(reason), "\(note)")
        #expect(reason.hasPrefix("did") || note.contains("fake chromium says no"), "Chromium's last words are given: \(note)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(work)/print").isEmpty, "the print folder is cleared")
    }

    /// Pages by poppler's pdfinfo when installed, else by counting the page objects (Chromium's Skia writes each
    /// as an uncompressed `/Type /Page` dictionary).
    static func pageCount(_ path: String, bytes: [UInt8]) async throws -> Int {
        if let pdfinfo = ChromiumPDFTestTools.find("pdfinfo") {
            let info = try await ChromiumPDFTestTools.run(pdfinfo, [path])
            let line = try #require(info.split(separator: "\n").first { $0.hasPrefix("Pages:") })
            return try #require(Int(line.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.components(separatedBy: "/Type /Page").count - 1 - (text.components(separatedBy: "/Type /Pages").count - 1)
    }
}

/// Running poppler's tools from the tests.
enum ChromiumPDFTestTools {
    static func find(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        try await ChildProcess.run(executable, arguments).output
    }
}
