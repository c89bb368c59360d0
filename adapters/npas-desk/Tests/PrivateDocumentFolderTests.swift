import Foundation
import LiaisonTestSupport
import NPASDesk
import Testing

/// Documents with personal data (the s.437 notice, the order, the ESO pack) are never readable by others: the
/// `--out` folder is made 0700, an existing one open to others is tightened when empty and refused when it holds
/// files, and each file is 0600 from its first byte whatever the umask. The commands check the folder before they
/// record anything.
@Suite("Private folders for the desk's legal documents", .timeLimit(.minutes(1)))
struct PrivateDocumentFolderTests {
    typealias Fixture = LegalRoutesFixture

    static func mode(_ path: String) throws -> Int {
        try #require((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    static func temporary() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("desk-out-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func aMissingFolderIsMadePrivateAndFilesAre0600() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try PrivateDocumentFolder("\(root)/letters/sao")
        #expect(try Self.mode("\(root)/letters") == 0o700 && Self.mode("\(root)/letters/sao") == 0o700)
        let path = try folder.write(Data("{}".utf8), name: "sao-notice-NPAS-2026-0001.json")
        #expect(try Self.mode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["sao-notice-NPAS-2026-0001.json"], "no .part left")
    }

    @Test func anEmptyFolderOpenToOthersIsTightened() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        chmod(root, 0o755)
        _ = try PrivateDocumentFolder(root)
        #expect(try Self.mode(root) == 0o700)
    }

    @Test func aFolderOpenToOthersThatHoldsFilesIsRefusedNamingTheChmod() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("earlier".utf8).write(to: URL(fileURLWithPath: "\(root)/earlier.txt"))
        chmod(root, 0o750)
        #expect { try PrivateDocumentFolder(root) } throws: { error in
            (error as? DocumentFolderError)?.code == .folderNotPrivate && "\(error)".contains("chmod 700 \(root)")
        }
        #expect(try Self.mode(root) == 0o750, "a folder holding files is not changed behind its owner's back")
        // Once private it is used as it is.
        chmod(root, 0o700)
        #expect(try PrivateDocumentFolder(root).path == root)
    }

    @Test func aFileIsNotAFolder() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data().write(to: URL(fileURLWithPath: "\(root)/file"))
        #expect { try PrivateDocumentFolder("\(root)/file") } throws: { ($0 as? DocumentFolderError)?.code == .folderNotPrivate }
    }

    /// `liaison ARGUMENTS` with umask 000, so any file or folder not made private on purpose would be world-readable.
    static func liaisonWithOpenUmask(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let result = try await ChildProcess.run(
            "/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", try LiaisonExecutable.path()] + arguments, mergingErrors: true)
        return (result.status, result.output)
    }

    @Test func theCommandsWritePrivateFilesWhateverTheUmaskAndRefuseAnOpenFolderBeforeRecording() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let reference = fixture.deskCase.reference
        try fixture.store.allocate(reference, esw: "E. Worker")
        let desk = ["--folder", fixture.folder, "--legal", "\(Fixture.repository)/config/legal"]

        // An existing folder others can read, holding files: refused, and nothing recorded or written.
        let open = "\(fixture.folder)/shared"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        try Data("someone else's".utf8).write(to: URL(fileURLWithPath: "\(open)/minutes.txt"))
        chmod(open, 0o755)
        let refused = try await Self.liaisonWithOpenUmask(
            ["case", "sao", "notice", reference, "--parent", "C1", "--served", "2025-11-03", "--out", open] + desk)
        #expect(refused.status != 0 && refused.output.contains("chmod 700 \(open)"), "\(refused.output)")
        #expect(try fixture.store.legalRoutes(of: reference).isEmpty, "a refused folder records nothing")
        #expect(try FileManager.default.contentsOfDirectory(atPath: open) == ["minutes.txt"])
        let pack = try await Self.liaisonWithOpenUmask(["case", "eso", reference, "--out", open, "--date", "2025-12-01"] + desk)
        #expect(pack.status != 0 && pack.output.contains("chmod 700"), "\(pack.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: open) == ["minutes.txt"])

        // A new folder: 0700, and every document 0600, under umask 000.
        let out = "\(fixture.folder)/documents/new"
        let served = try await Self.liaisonWithOpenUmask(
            ["case", "sao", "notice", reference, "--parent", "C1", "--served", "2025-11-03", "--out", out] + desk)
        #expect(served.status == 0, "\(served.output)")
        let order = try await Self.liaisonWithOpenUmask(["case", "sao", "order", reference, "--school", "9264002", "--date", "2025-11-19", "--out", out] + desk)
        #expect(order.status == 0, "\(order.output)")
        let eso = try await Self.liaisonWithOpenUmask(["case", "eso", reference, "--out", out, "--date", "2025-12-01"] + desk)
        #expect(eso.status == 0, "\(eso.output)")
        #expect(try Self.mode("\(fixture.folder)/documents") == 0o700 && Self.mode(out) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == [
            "eso-application-\(reference).html", "eso-application-\(reference).json", "sao-notice-\(reference).html", "sao-notice-\(reference).json",
            "sao-order-\(reference).html", "sao-order-\(reference).json",
        ])
        for file in files { #expect(try Self.mode("\(out)/\(file)") == 0o600, "\(file)") }
    }
}
