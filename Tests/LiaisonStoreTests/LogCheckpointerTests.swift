import Foundation
import LiaisonStore
import Testing

/// The broker's store copies its write-ahead log into the database file on a thread of its own, not inside the
/// commit a sender waits for (`LogCheckpointer`).
@Suite("Checkpoints of the write-ahead log, off the commits")
struct LogCheckpointerTests {
    @Test func theLogIsCheckpointedByTheThreadNotByTheCommits() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-wal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/hub.sqlite"
        let store = try HubStore(path: path)
        try store.checkpointInBackground()
        let databaseBefore = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        // About 8 MB of audit entries in 25 commits: the log passes SQLite's 1,000 pages (4 MB) on the way.
        let detail = String(repeating: "x", count: 4000)
        for commit in 0..<25 {
            try store.transaction { tx in
                for entry in 0..<80 {
                    _ = try tx.append(AuditEvent(.accepted, at: Int64(commit), agency: "yot", messageID: "m-\(commit)-\(entry)", detail: detail))
                }
            }
        }
        func databaseSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        let deadline = ContinuousClock.now + .seconds(30)
        while store.backgroundCheckpoints == 0 || databaseSize() < databaseBefore + (1 << 20), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // Without the hook, SQLite would have checkpointed inside a commit and the thread would never have run.
        #expect(store.backgroundCheckpoints > 0)
        // And the thread's checkpoint did copy the log into the database file.
        #expect(databaseSize() >= databaseBefore + (1 << 20), "the database file grew from \(databaseBefore) to \(databaseSize()) bytes")
        #expect(try store.treeHead().size == 2000)
    }
}
