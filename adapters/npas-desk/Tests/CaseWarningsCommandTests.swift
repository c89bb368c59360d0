import AttendanceDomain
import Foundation
import LiaisonTestSupport
import Testing

/// `liaison case show` and `liaison case list`, run as the worker runs them, say when a legal route's date has
/// passed (a fast-track review, a school attendance order notice's period) and what a case is ready for, as
/// `liaison case routes` does; before the dates pass they say nothing.
@Suite("Warnings on case show and case list", .timeLimit(.minutes(1)))
struct CaseWarningsCommandTests {
    typealias Fixture = LegalRoutesFixture

    /// The `liaison` executable built beside the test bundle (or `$LIAISON_BIN`), as LiaisonTestSupport finds it.
    /// `currentDirectory`: where it runs, with `LIAISON_CONFIG` unset (so the default legal folder is that directory's).
    static func liaison(_ arguments: [String], currentDirectory: String? = nil) async throws -> (status: Int32, output: String) {
        let result = try await ChildProcess.run(
            try LiaisonExecutable.path(), arguments, currentDirectory: currentDirectory,
            unsetting: currentDirectory == nil ? [] : ["LIAISON_CONFIG"], mergingErrors: true)
        return (result.status, result.output)
    }

    @Test func aPassedDateIsWarnedOnCaseShowAndFlaggedOnCaseList() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let reference = fixture.deskCase.reference
        let desk = ["--folder", fixture.folder, "--legal", "\(Fixture.repository)/config/legal"]
        let started = try await Self.liaison(["case", "fast-track", reference, "--start", "2025-09-08"] + desk)
        #expect(started.status == 0 && started.output.contains("review-1"), "\(started.output)")
        let served = try await Self.liaison(["case", "sao", "notice", reference, "--parent", "C1", "--served", "2025-11-03"] + desk)
        #expect(served.status == 0, "\(served.output)")

        // Before any date has passed: nothing to warn of.
        let early = try await Self.liaison(["case", "show", reference, "--on", "2025-09-09"] + desk)
        #expect(early.status == 0 && !early.output.contains("WARNING"), "\(early.output)")
        #expect(early.output.contains("Legal routes on 2025-09-09:") && early.output.contains("fast track"), "the routes are listed: \(early.output)")
        let quiet = try await Self.liaison(["case", "list", "--on", "2025-09-09"] + desk)
        #expect(quiet.status == 0 && quiet.output.contains(reference) && !quiet.output.contains("warning"), "\(quiet.output)")

        // 10 December 2025: the fast track's reviews and decision (by 5 December) are past and not recorded, and the
        // notice served on 3 November gave the parent until 18 November with no order made.
        let late = try await Self.liaison(["case", "show", reference, "--on", "2025-12-10"] + desk)
        #expect(late.status == 0, "\(late.output)")
        #expect(late.output.contains("WARNING: fast track #1: First review meeting was due by 2025-10-03"), "\(late.output)")
        #expect(late.output.contains("WARNING: fast track #1: Decision whether to prosecute was due by 2025-12-05"), "\(late.output)")
        #expect(late.output.contains("WARNING: the school attendance order notice of 2025-11-03 gave the parent until 2025-11-18"), "\(late.output)")
        let flagged = try await Self.liaison(["case", "list", "--on", "2025-12-10"] + desk)
        #expect(flagged.status == 0 && flagged.output.contains("\(reference)  open") && flagged.output.contains("warnings]"), "\(flagged.output)")

        // A breach of an order: ready for a s.443 prosecution, on both.
        #expect(try await Self.liaison(["case", "sao", "order", reference, "--school", "9264002", "--date", "2025-11-19"] + desk).status == 0)
        #expect(try await Self.liaison(["case", "sao", "breach", reference, "--date", "2025-12-08", "--description", "not registered"] + desk).status == 0)
        let ready = try await Self.liaison(["case", "show", reference, "--on", "2025-12-10"] + desk)
        #expect(ready.output.contains("Ready for a s.443 prosecution"), "\(ready.output)")
        let listed = try await Self.liaison(["case", "list", "--on", "2025-12-10"] + desk)
        #expect(listed.output.contains("ready for a s.443 prosecution]"), "\(listed.output)")
    }

    @Test func withoutTheLegalRulesTheCaseIsStillShownWithANote() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let folder = fixture.folder
        // No --legal, run where there is no config/legal.
        let process = try await Self.liaison(["case", "show", fixture.deskCase.reference, "--folder", folder], currentDirectory: folder)
        #expect(process.status == 0 && process.output.contains("Case \(fixture.deskCase.reference)"), "\(process.output)")
        #expect(process.output.contains("were not checked") && process.output.contains("--legal"), "\(process.output)")
        let wrong = try await Self.liaison(["case", "show", fixture.deskCase.reference, "--folder", folder, "--legal", "\(folder)/nowhere"])
        #expect(wrong.status != 0 && wrong.output.contains("legal rules cannot be read"), "a folder named and missing is an error: \(wrong.output)")
    }
}
