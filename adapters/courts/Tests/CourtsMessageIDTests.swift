import Foundation
import LiaisonAdapterKit
import Logging
import Testing

@testable import CourtsAdapter

/// An outcomes file names defendants; the ids of the `court.outcome` messages made from it go into the hub's
/// audit log, which is never erased. So an id is a keyed digest of the file (the adapter's own `state/id.key`),
/// the same after a restart, meaningless without the key, and never UPN-shaped.
@Suite("The courts' message ids and their key")
struct CourtsMessageIDTests {
    static func temporary() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("courts-ids-\(UUID().uuidString)").path
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func outcomeIdsAreKeyedTheSameAfterARestartAndNeverUPNShaped() throws {
        let root = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let adapter = try CourtsAdapter(folder: try DropFolder(root: root), logger: Logger(label: "test"))
        #expect(try Self.mode("\(root)/state") == 0o700)
        #expect(try Self.mode("\(root)/state/id.key") == 0o600)

        let digest = String(repeating: "0123456789abcdef", count: 4)  // the outcomes file's SHA-256
        let ids = (1...3).map { adapter.messageID(digest: digest, index: $0) }
        for (index, id) in ids.enumerated() {
            #expect(id.wholeMatch(of: /court\.outcome-[0-9a-f]{32}-([0-9]+)/)?.output.1 == Substring("\(index + 1)"), "\(id)")
            #expect(!id.contains(digest.prefix(12)), "\(id) shows the file's plain digest")
            // No maximal run of 13 letters and digits (a UPN's shape).
            #expect(!id.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).contains { $0.count == 13 }, "\(id)")
        }
        #expect(Set(ids.map { $0.dropLast(2) }).count == 1, "one file's messages share its digest: \(ids)")

        let again = try CourtsAdapter(folder: try DropFolder(root: root), logger: Logger(label: "test"))
        #expect(again.messageID(digest: digest, index: 1) == ids[0])
        let elsewhere = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let other = try CourtsAdapter(folder: try DropFolder(root: elsewhere), logger: Logger(label: "test"))
        #expect(other.messageID(digest: digest, index: 1) != ids[0])
    }
}
