import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the store's write-ahead log into the database file on a thread of its own, so that no commit waits for it.
///
/// By default SQLite checkpoints inside the commit that takes the log past 1,000 pages: that commit then copies
/// about 4 MB into the database file and fsyncs it while a sender waits for ACCEPTED, a few times a second under a
/// steady load. SQLite's documentation suggests the pattern used here instead: the writer's commit hook
/// (`sqlite3_wal_hook`, which is what SQLite's automatic checkpoint is built on) only tells this thread that the log
/// has grown, and the thread runs a PASSIVE checkpoint on a connection of its own, which takes no lock a writer needs.
///
/// The hook asks once per `thresholdPages` of growth, not after every commit: the log's length (SQLite's `pages`)
/// counts every frame since the log last started again, and the log starts again only when a transaction begins
/// with every frame copied, which a steady stream of commits seldom allows. Asking after every commit past 1,000
/// pages ran about 450 checkpoints a second at 5,000 msg/s, each with an fsync of the database file (measured with
/// `liaison_store_checkpoint_duration_seconds`, 2026-12-05). Near `backstopPages` the hook asks after every commit
/// again, so that little is left to copy when the commit that reaches the backstop checkpoints itself, which starts
/// the log again; should the thread ever fall far behind, that commit copies the rest, as SQLite would have.
///
/// Hand-written: GRDB offers checkpoints as calls, not as a background service.
package final class LogCheckpointer: Sendable {
    /// SQLite's own threshold: the thread is asked once per this many pages of growth.
    package static let thresholdPages: Int32 = 1000
    /// The commit that takes the log here checkpoints itself (and so the log starts again).
    package static let backstopPages: Int32 = 16_000

    private let connection: DatabaseQueue
    private let observer: LogCheckpointObserver?
    /// Set by the writer's hook, cleared by the thread; the thread also stops on `stopped`.
    private let state = Mutex((due: false, stopped: false))
    private let wake = NSCondition()
    private let runs = Atomic<Int>(0)
    /// The log's length when the hook last asked the thread (touched only by the writer's hook).
    private let askedAt = Atomic<Int32>(0)

    init(databasePath: String, observer: LogCheckpointObserver? = nil) throws {
        self.observer = observer
        var configuration = Configuration()
        configuration.label = "liaison.hub.checkpointer"
        configuration.busyMode = .timeout(1)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try HubStore.prepare(db)
        }
        connection = try DatabaseQueue(path: databasePath, configuration: configuration)
        let thread = Thread { [self] in run() }
        thread.name = "liaison-store-checkpoint"
        thread.start()
    }

    /// How many checkpoints the thread has run (for tests).
    var checkpointsRun: Int { runs.load(ordering: .relaxed) }

    /// Installs the hook on the writer's connection (in place of SQLite's automatic checkpoint).
    func install(on db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, _, pages in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<LogCheckpointer>.fromOpaque(context).takeUnretainedValue()
            checkpointer.observer?.logPages(Int(pages))
            if pages >= LogCheckpointer.backstopPages {
                let start = ContinuousClock.now
                sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                checkpointer.observer?.checkpointed(ContinuousClock.now - start, true)
                checkpointer.askedAt.store(0, ordering: .relaxed)
            } else if LogCheckpointer.isDue(pages: pages, askedAt: checkpointer.askedAt.load(ordering: .relaxed)) {
                checkpointer.askedAt.store(pages, ordering: .relaxed)
                checkpointer.signal(due: true)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Whether the thread should be asked to checkpoint a log of `pages`, last asked at `askedAt` pages: once per
    /// `thresholdPages` of growth (a shorter log than when last asked has started again), and after every commit in
    /// the last `thresholdPages` before the backstop.
    package static func isDue(pages: Int32, askedAt: Int32) -> Bool {
        guard pages >= thresholdPages else { return false }
        if pages >= backstopPages - thresholdPages || pages < askedAt { return true }
        return pages - askedAt >= thresholdPages
    }

    /// Removes the hook from the writer's connection (before this object goes).
    static func uninstall(from db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, nil, nil)
    }

    /// Ends the thread (it finishes a checkpoint under way first).
    func stop() {
        signal(stopped: true)
    }

    private func signal(due: Bool = false, stopped: Bool = false) {
        state.withLock { state in
            state.due = state.due || due
            state.stopped = state.stopped || stopped
        }
        wake.lock()
        wake.signal()
        wake.unlock()
    }

    private func run() {
        while true {
            wake.lock()
            while !state.withLock({ $0.due || $0.stopped }) { wake.wait() }
            wake.unlock()
            let stop = state.withLock { state -> Bool in
                state.due = false
                return state.stopped
            }
            if stop { return }
            // Best effort: what readers still need stays in the log, and the next signal goes on from there.
            let start = ContinuousClock.now
            _ = try? connection.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            observer?.checkpointed(ContinuousClock.now - start, false)
            runs.wrappingAdd(1, ordering: .relaxed)
        }
    }
}

/// What the store's checkpoints do, as they happen: the broker turns it into metrics
/// (`liaison_store_checkpoint_duration_seconds`, `liaison_store_log_pages`), so that a stall can be set beside them.
package struct LogCheckpointObserver: Sendable {
    /// A checkpoint ran for this long; `inCommit` when a commit ran it (the thread was far behind), not the thread.
    package var checkpointed: @Sendable (_ duration: Duration, _ inCommit: Bool) -> Void
    /// The log's length in pages, after each commit.
    package var logPages: @Sendable (Int) -> Void

    package init(
        checkpointed: @escaping @Sendable (_ duration: Duration, _ inCommit: Bool) -> Void, logPages: @escaping @Sendable (Int) -> Void
    ) {
        self.checkpointed = checkpointed
        self.logPages = logPages
    }
}
