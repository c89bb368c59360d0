import Foundation
import LiaisonAdapterKit
import LiaisonMessages
import Logging
import Testing

@testable import SchoolsMISAdapter

/// The schools' files hold children's returns, rolls and referrals; the ids of the messages made from them go
/// into the hub's audit log, which is never erased. So an id is a keyed digest of the file (the adapter's own
/// `state/id.key`): the same after a restart, meaningless without the key, never UPN-shaped.
@Suite("The schools' message ids and their key")
struct MessageIDTests {
    static func temporary() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("schools-ids-\(UUID().uuidString)").path
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Every maximal run of ASCII letters and digits 13 long (the shape of a UPN).
    static func upnShaped(_ id: String) -> [Substring] {
        id.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }).filter { $0.count == 13 }
    }

    @Test func theKeysFolderIsMadePrivateWhateverTheUmask() throws {
        let previous = umask(0o022)  // the usual umask: mkdir's default would give 0755
        defer { umask(previous) }
        let root = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let key = try MessageIDKey(folder: "\(root)/deeper/state")
        for folder in [root, "\(root)/deeper", "\(root)/deeper/state"] {
            let made = try Self.mode(folder)
            #expect(made == 0o700, "\(folder) is \(String(made, radix: 8))")
        }
        #expect(try Self.mode(key.path) == 0o600)
        // A folder that exists is used as it is (an operator may have chosen its mode).
        let open = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: open) }
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
        _ = try MessageIDKey(folder: open)
        #expect(try Self.mode(open) == 0o750)
    }

    @Test func idsAreKeyedTheSameAfterARestartAndNeverUPNShaped() throws {
        let root = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let adapter = try SchoolsMISAdapter(folder: try DropFolder(root: root), directory: nil, logger: Logger(label: "test"))
        #expect(try Self.mode("\(root)/state") == 0o700)
        #expect(try Self.mode("\(root)/state/id.key") == 0o600)

        let digest = String(repeating: "3f2a9c0e51b7d84a", count: 4)  // a file's SHA-256, as sha256(path:) gives it
        let ids = [AttendanceReturn.type, PupilRoll.type, "referral"].enumerated().map { adapter.messageID($1, digest: digest, index: $0 + 1) }
        for (id, type) in zip(ids, [AttendanceReturn.type, PupilRoll.type, "referral"]) {
            #expect(id.wholeMatch(of: /([a-z.]+)-([0-9a-f]{32})-[0-9]+/)?.output.1 == Substring(type), "\(id)")
            #expect(!id.contains(digest.prefix(12)), "\(id) shows the file's plain digest")
            #expect(Self.upnShaped(id).isEmpty, "\(id)")
        }
        // The key is the adapter's: another start on the same folder makes the same ids (a file taken up again
        // after a restart is answered by the hub as a duplicate), another folder's key other ids.
        let again = try SchoolsMISAdapter(folder: try DropFolder(root: root), directory: nil, logger: Logger(label: "test"))
        #expect(again.messageID(AttendanceReturn.type, digest: digest, index: 1) == ids[0])
        let elsewhere = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let other = try SchoolsMISAdapter(folder: try DropFolder(root: elsewhere), directory: nil, logger: Logger(label: "test"))
        #expect(other.messageID(AttendanceReturn.type, digest: digest, index: 1) != ids[0])
    }

    @Test func anAdapterWhoseKeyOthersMayReadDoesNotStart() throws {
        let root = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try SchoolsMISAdapter(folder: try DropFolder(root: root), directory: nil, logger: Logger(label: "test"))
        chmod("\(root)/state/id.key", 0o644)
        #expect {
            _ = try SchoolsMISAdapter(folder: try DropFolder(root: root), directory: nil, logger: Logger(label: "test"))
        } throws: { error in
            (error as? MessageIDKeyError)?.code == .notPrivate
        }
    }
}
