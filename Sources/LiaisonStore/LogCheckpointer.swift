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
/// has grown past `thresholdPages`, and the thread runs a PASSIVE checkpoint on a connection of its own, which takes
/// no lock a writer needs. Should the thread ever fall behind, the hook checkpoints in the commit itself past
/// `backstopPages`, as SQLite would have.
///
/// Hand-written: GRDB offers checkpoints as calls, not as a background service.
final class LogCheckpointer: Sendable {
    /// SQLite's own default threshold.
    static let thresholdPages: Int32 = 1000
    /// The commit checkpoints itself only past this (the thread is far behind).
    static let backstopPages: Int32 = 16_000

    private let connection: DatabaseQueue
    /// Set by the writer's hook, cleared by the thread; the thread also stops on `stopped`.
    private let state = Mutex((due: false, stopped: false))
    private let wake = NSCondition()
    private let runs = Atomic<Int>(0)

    init(databasePath: String) throws {
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
            if pages >= LogCheckpointer.backstopPages {
                sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            } else if pages >= LogCheckpointer.thresholdPages {
                checkpointer.signal(due: true)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
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
            _ = try? connection.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            runs.wrappingAdd(1, ordering: .relaxed)
        }
    }
}
