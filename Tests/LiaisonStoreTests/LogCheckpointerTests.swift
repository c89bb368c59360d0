import Foundation
import LiaisonStore
import Synchronization
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
        // What the broker's metrics are fed: each checkpoint, where it ran, and the log's length after each commit.
        let seen = Mutex((thread: 0, inCommit: 0, longestLog: 0, commits: 0))
        try store.checkpointInBackground(observer: LogCheckpointObserver(
            checkpointed: { _, inCommit in seen.withLock { inCommit ? ($0.inCommit += 1) : ($0.thread += 1) } },
            logPages: { pages in seen.withLock { $0.longestLog = max($0.longestLog, pages); $0.commits += 1 } }))
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
        let observed = seen.withLock { $0 }
        #expect(observed.commits >= 25 && observed.longestLog >= 1000, "\(observed)")
        #expect(observed.thread >= 1 && observed.inCommit == 0, "\(observed)")
    }

    /// The hook asks the thread once per 1,000 pages of growth (not after every commit, which ran about 450
    /// checkpoints a second, each with an fsync), again at once when the log has started over, and after every commit
    /// close to the backstop, so that the commit that reaches it has little left to copy.
    @Test func theThreadIsAskedOncePerThousandPagesOfGrowth() {
        let threshold = LogCheckpointer.thresholdPages, backstop = LogCheckpointer.backstopPages
        #expect(!LogCheckpointer.isDue(pages: threshold - 1, askedAt: 0))
        #expect(LogCheckpointer.isDue(pages: threshold, askedAt: 0))
        #expect(!LogCheckpointer.isDue(pages: threshold + 10, askedAt: threshold))
        #expect(!LogCheckpointer.isDue(pages: 2 * threshold - 1, askedAt: threshold))
        #expect(LogCheckpointer.isDue(pages: 2 * threshold, askedAt: threshold))
        // The log started over (shorter than when last asked): asked again once it passes the threshold.
        #expect(!LogCheckpointer.isDue(pages: 500, askedAt: 5 * threshold))
        #expect(LogCheckpointer.isDue(pages: threshold + 3, askedAt: 5 * threshold))
        // Close to the backstop, after every commit.
        #expect(LogCheckpointer.isDue(pages: backstop - threshold + 5, askedAt: backstop - threshold + 1))
        // Counting every commit of a steady stream of 12 pages each up to the backstop: about 15 asks on the way and
        // about 83 in the last thousand pages, against about 1,250 if every commit past the threshold asked.
        var asked: Int32 = 0, asks = 0
        for pages in stride(from: Int32(12), to: backstop, by: 12) where LogCheckpointer.isDue(pages: pages, askedAt: asked) {
            asked = pages
            asks += 1
        }
        #expect(asks < 110, "\(asks) asks")
    }
}
