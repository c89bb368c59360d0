import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// The drop folder is where files from outside arrive: an entry that is not a plain file, or is too large, goes
/// to `failed/` unread, and everything the folder creates is private to the adapter's user whatever the umask.
@Suite("Drop folders", .serialized)
struct DropFolderTests {
    /// The folders `temporaryRoot` names, removed when the test ends.
    let temporary = TemporaryFolders()

    /// A fresh path under the temporary directory, not yet made: `DropFolder` makes it.
    func temporaryRoot(_ label: String) -> String {
        try! temporary.make("liaison-drop-\(label)", create: false).path
    }

    /// Runs one pass of `work` and returns the paths the body was handed.
    static func pass(_ folder: DropFolder) async -> (handed: [String], refused: [String]) {
        var handed: [String] = [], refused: [String] = []
        await folder.work { path in
            handed.append(path)
            try? folder.complete(path)
        } claimFailed: { path, _ in
            refused.append((path as NSString).lastPathComponent)
        }
        return (handed, refused)
    }

    static func fileType(_ path: String) -> mode_t? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return status.st_mode & S_IFMT
    }

    static func mode(_ path: String) -> mode_t {
        var status = stat()
        precondition(lstat(path, &status) == 0, "no \(path)")
        return status.st_mode & 0o777
    }

    @Test("A symbolic link in the inbox goes to failed/ with a report, and its target is never touched", .timeLimit(.minutes(1)))
    func symlink() async throws {
        let root = temporaryRoot("link")
        let folder = try DropFolder(root: root)
        let secret = "\(root)/secret.txt"
        try "not for the inbox".write(toFile: secret, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(folder.inbox)/list.csv", withDestinationPath: secret)
        let (handed, refused) = await Self.pass(folder)
        #expect(handed.isEmpty)
        #expect(refused == ["list.csv"])
        #expect(Self.fileType("\(folder.failed)/list.csv") == S_IFLNK, "the link itself is moved, not its target")
        let report = try String(contentsOfFile: "\(folder.failed)/list.csv.error.txt", encoding: .utf8)
        #expect(report.contains("symbolic link"))
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "not for the inbox")
        #expect(Self.fileType("\(folder.inbox)/list.csv") == nil)
    }

    @Test("A FIFO, a folder or a socket in the inbox goes to failed/ unread", .timeLimit(.minutes(1)))
    func notRegular() async throws {
        let root = temporaryRoot("special")
        let folder = try DropFolder(root: root)
        #expect(mkfifo("\(folder.inbox)/pipe.xml", 0o600) == 0)
        try FileManager.default.createDirectory(atPath: "\(folder.inbox)/folder.csv", withIntermediateDirectories: false)
        try "a,b\n".write(toFile: "\(folder.inbox)/plain.csv", atomically: false, encoding: .utf8)
        let (handed, refused) = await Self.pass(folder)
        #expect(handed.map { ($0 as NSString).lastPathComponent } == ["plain.csv"])
        #expect(Set(refused) == ["pipe.xml", "folder.csv"])
        #expect(Self.fileType("\(folder.failed)/pipe.xml") == S_IFIFO)
        #expect(Self.fileType("\(folder.failed)/folder.csv") == S_IFDIR)
        #expect(try String(contentsOfFile: "\(folder.failed)/pipe.xml.error.txt", encoding: .utf8).contains("not a regular file"))
        #expect(FileManager.default.fileExists(atPath: "\(folder.failed)/folder.csv.error.txt"))
    }

    @Test("A file over the size cap goes to failed/ with a report; one at the cap is read")
    func sizeCap() async throws {
        let folder = try DropFolder(root: temporaryRoot("cap"), maximumFileSize: 100)
        #expect(folder.maximumFileSize == 100)
        #expect(DropFolder.defaultMaximumFileSize == 512 << 20)
        FileManager.default.createFile(atPath: "\(folder.inbox)/big.csv", contents: Data(repeating: 65, count: 101))
        FileManager.default.createFile(atPath: "\(folder.inbox)/fits.csv", contents: Data(repeating: 65, count: 100))
        let (handed, refused) = await Self.pass(folder)
        #expect(handed.map { ($0 as NSString).lastPathComponent } == ["fits.csv"])
        #expect(refused == ["big.csv"])
        let report = try String(contentsOfFile: "\(folder.failed)/big.csv.error.txt", encoding: .utf8)
        #expect(report.contains("101 bytes") && report.contains("100 bytes"), "\(report)")
    }

    @Test("read(_:) refuses a link, a FIFO and a file over the cap, and reads a file at the cap", .timeLimit(.minutes(1)))
    func read() throws {
        let root = temporaryRoot("read")
        let folder = try DropFolder(root: root, maximumFileSize: 10)
        FileManager.default.createFile(atPath: "\(root)/ten", contents: Data(repeating: 66, count: 10))
        FileManager.default.createFile(atPath: "\(root)/eleven", contents: Data(repeating: 66, count: 11))
        try FileManager.default.createSymbolicLink(atPath: "\(root)/link", withDestinationPath: "\(root)/ten")
        #expect(mkfifo("\(root)/pipe", 0o600) == 0)
        #expect(try folder.read("\(root)/ten") == Data(repeating: 66, count: 10))
        for name in ["eleven", "link", "pipe", "absent"] {
            #expect(throws: AdapterError.self, "\(name)") { try folder.read("\(root)/\(name)") }
        }
    }

    @Test("Folders are created 0700 and files written 0600 under umask 022")
    func permissions() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let parent = temporaryRoot("modes")
        let folder = try DropFolder(root: "\(parent)/agency")
        for path in [parent, folder.root, folder.inbox, folder.processing, folder.processed, folder.failed, folder.outbox] {
            #expect(Self.mode(path) == 0o700, "\(path) is \(String(Self.mode(path), radix: 8))")
        }
        let written = try folder.writeOutbox(Data("x".utf8), name: "letter.html", subfolder: "9262001/replies")
        #expect(Self.mode(written) == 0o600)
        #expect(Self.mode("\(folder.outbox)/9262001") == 0o700)
        #expect(Self.mode("\(folder.outbox)/9262001/replies") == 0o700)
        try DropFolder.writeAtomically(Data("y".utf8), to: "\(folder.root)/state.json")
        #expect(Self.mode("\(folder.root)/state.json") == 0o600)
        // A file left behind with wide permissions by an older version is replaced by a private one.
        FileManager.default.createFile(atPath: "\(folder.root)/state.json.part", contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        try DropFolder.writeAtomically(Data("z".utf8), to: "\(folder.root)/state.json")
        #expect(Self.mode("\(folder.root)/state.json") == 0o600)
        FileManager.default.createFile(atPath: "\(folder.inbox)/good.csv", contents: Data("a\n".utf8))
        FileManager.default.createFile(atPath: "\(folder.inbox)/bad.csv", contents: Data("a\n".utf8))
        for path in folder.ready() {
            let claimed = try folder.claim(path)
            if claimed.hasSuffix("good.csv") { try folder.complete(claimed, report: "ok") } else { try folder.fail(claimed, report: "no") }
        }
        #expect(Self.mode("\(folder.processed)/good.csv.report.txt") == 0o600)
        #expect(Self.mode("\(folder.failed)/bad.csv.error.txt") == 0o600)
        let state = try DropFolder.createPrivateFolder("\(folder.root)/state/matches")
        #expect(Self.mode("\(folder.root)/state") == 0o700 && Self.mode(state) == 0o700)
    }

    @Test("An existing root is used as it is; its missing subfolders are created private")
    func existingRoot() throws {
        let root = temporaryRoot("existing")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let folder = try DropFolder(root: root)
        #expect(Self.mode(root) == 0o750, "an operator's choice for a folder that exists is kept")
        #expect(Self.mode(folder.inbox) == 0o700)
    }
}
