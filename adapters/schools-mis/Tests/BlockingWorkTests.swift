import Dispatch
import Foundation
import LiaisonAdapterKit
import Testing

/// The adapters' blocking work (the schools' file hashing and CTF parse, the drop folder's reads and writes, the
/// desk's SQLite calls) runs through `BlockingWork`, on queues of its own: a blocked thread there costs Swift's
/// cooperative pool nothing, which on a 2-core machine has only two threads for everything else the adapter does.
@Suite("Blocking work runs off the cooperative pool")
struct BlockingWorkTests {
    @Test func theWorkRunsOnItsOwnQueueAndTheCallerIsNot() async {
        let work = BlockingWork(label: "liaison.test.blocking")
        #expect(BlockingWork.current == nil)
        let inside = await work.run { BlockingWork.current }
        #expect(inside == "liaison.test.blocking")
        #expect(BlockingWork.current == nil)
    }

    @Test func theDropFoldersInboxWorkIsOffThePool() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blocking-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try DropFolder(root: root)
        let inside = await folder.inboxWork.run { BlockingWork.current }
        #expect(inside == folder.inboxWork.label)
    }

    /// More blocking jobs than the pool has threads, each blocked until a task on the pool has ticked five times and
    /// lets them go. Were the jobs on the pool, they would hold every thread, the ticker could never run, and each
    /// job would give up after 300 s; off the pool, the ticker runs as soon as the pool has a thread for it (alone,
    /// at once; beside other suites' CPU-bound tests on a loaded 2-core machine, a minute later: hence the long wait).
    @Test func aTickingTaskKeepsGoingWhileMoreBlockingJobsThanCoresRun() async {
        let jobs = ProcessInfo.processInfo.activeProcessorCount + 1
        let ticked = DispatchSemaphore(value: 0)
        let works = (0..<jobs).map { BlockingWork(label: "liaison.test.blocking.\($0)") }
        let released = await withTaskGroup(of: Bool.self) { group in
            for work in works {
                group.addTask { await work.run { ticked.wait(timeout: .now() + 300) == .success } }
            }
            group.addTask {
                for _ in 0..<5 { try? await Task.sleep(for: .milliseconds(10)) }
                for _ in 0..<jobs { ticked.signal() }
                return true
            }
            var all: [Bool] = []
            for await released in group { all.append(released) }
            return all
        }
        #expect(released.count == jobs + 1)
        #expect(released.allSatisfy { $0 }, "a blocking job waited out its 300 s: the ticker could not run")
    }
}
