import Foundation
import LiaisonAdapterKit
import Logging
import Testing

@testable import SchoolsMISAdapter

/// The schools' import reads every file under its drop folder's size cap: the folder screens a file when it is
/// claimed, and the readers refuse one that is over the cap when it is read (it grew since, or a stopped run left
/// it in `processing/`), so the operator's `--max-file-mib` is the only limit.
@Suite("The schools' import and its size cap")
struct SchoolsMISAdapterTests {
    /// A drop folder with a 64-byte cap in a fresh temporary folder, and an adapter on it.
    func adapter() throws -> (SchoolsMISAdapter, DropFolder) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("schools-mis-\(UUID().uuidString)").path
        let folder = try DropFolder(root: root, maximumFileSize: 64)
        return (try SchoolsMISAdapter(folder: folder, directory: nil, logger: Logger(label: "test")), folder)
    }

    @Test func theRegisterReaderHoldsToTheFoldersCap() throws {
        let (adapter, folder) = try adapter()
        defer { try? FileManager.default.removeItem(atPath: folder.root) }
        #expect(adapter.reader.maximumFileSize == 64)

        // Over the cap, already in processing/ (as a stopped run leaves it): refused unread, naming the limit.
        let path = "\(folder.processing)/9262001-2025-ht1.csv"
        let register = "laestab,upn,surname,forename,date,am,pm\n" + String(repeating: "9262001,Q926200024001,SYNTHETIC,JADE,2025-09-03,/,\\\n", count: 4)
        try Data(register.utf8).write(to: URL(fileURLWithPath: path))
        guard case .failure(let unusable) = adapter.prepare(path, name: "9262001-2025-ht1.csv", digest: "0") else {
            Issue.record("a register over the folder's cap was read")
            return
        }
        #expect(unusable.reason.contains("over the limit of 64 bytes"), "\(unusable.reason)")
    }

    @Test func aReferralFileOverTheCapIsNotRead() throws {
        let (adapter, folder) = try adapter()
        defer { try? FileManager.default.removeItem(atPath: folder.root) }
        let path = "\(folder.processing)/referral.json"
        try Data(#"{"referral_id":"R-1","school":{"laestab":"9262001"},"pupil":{"upn":"Q926200024001"},"reason":"persistent absence"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        guard case .failure(let unusable) = adapter.prepare(path, name: "referral.json", digest: "0") else {
            Issue.record("a referral file over the folder's cap was read")
            return
        }
        #expect(unusable.reason.contains("over this adapter's limit of 64 bytes"), "\(unusable.reason)")
    }
}
