import Dispatch
import LiaisonStore
import Prometheus
import Synchronization
import ZeroMQ

/// Commits the core's batches on a serial queue of its own, so that the broker's loop reads, decides and
/// validates the next batch while the previous one is being written and fsynced (pipelining).
///
/// At most one batch is in flight: the loop hands the next one over only once it has taken this one's result,
/// so batches commit in the order they were made. ACCEPTED still goes out only after its batch has committed:
/// the loop runs `HubCore.committed` with the result, on its own thread. The store's upkeep (checkpoints, the
/// retention sweep) runs on the same queue, between commits, since it writes to the same tree.
///
/// `@unchecked Sendable`: the store and the housekeeping are touched only on `queue` (the loop's own reads go
/// through GRDB's connection queue on SQLite, and a transaction at a time on PostgreSQL, which serialise them with the
/// writes); the result crosses under a mutex.
final class CommitThread: @unchecked Sendable {
    /// Wakes the broker's poll when a commit has finished.
    let waker = WakeUpPipe()
    private let store: any BrokerStore
    private let housekeeping: StoreHousekeeping
    private let queue = DispatchQueue(label: "liaison.broker.commit")
    private let finished = Mutex<Result<CommitResult, StoreError>?>(nil)
    private let lastQuick = Atomic<Bool>(true)
    /// Where each commit's duration goes (`liaison_commit_duration_seconds`).
    private let commitDuration: DurationHistogram?

    init(store: any BrokerStore, housekeeping: StoreHousekeeping, commitDuration: DurationHistogram? = nil) {
        self.store = store
        self.housekeeping = housekeeping
        self.commitDuration = commitDuration
    }

    /// Starts committing `operations`; the result is then waiting in `takeResult()`.
    func commit(_ operations: [StoreOperation]) {
        queue.async { [self] in
            let result = timedCommit(operations)
            finished.withLock { $0 = result }
            waker.wake()
        }
    }

    /// Commits `operations` on the calling thread and returns the result. The store's queue is taken with `sync`, so
    /// this waits for upkeep in progress and never runs beside it; when the queue is idle, libdispatch runs the block
    /// on the caller, so the commit costs no hand-off to another thread and back.
    func commitHere(_ operations: [StoreOperation]) -> Result<CommitResult, StoreError> {
        queue.sync { timedCommit(operations) }
    }

    /// Whether the last commit took less than `quickCommit`. The loop commits on its own thread only while commits
    /// are quick, so a disk that stalls holds its heartbeats and reads back once at most, not at every message.
    var lastCommitWasQuick: Bool { lastQuick.load(ordering: .relaxed) }

    /// What counts as a quick commit (`lastCommitWasQuick`): several times this disk's fsync.
    static let quickCommit: Duration = .milliseconds(2)

    private func timedCommit(_ operations: [StoreOperation]) -> Result<CommitResult, StoreError> {
        let started = ContinuousClock.now
        let result = Result { () throws(StoreError) in try store.commit(operations, at: HubTime.now().wall) }
        let duration = ContinuousClock.now - started
        commitDuration?.record(duration)
        lastQuick.store(duration < CommitThread.quickCommit, ordering: .relaxed)
        return result
    }

    /// Whether the commit in flight has finished (its result waits in `takeResult()`).
    var hasFinished: Bool { finished.withLock { $0 != nil } }

    /// The result of the commit in flight, once it has finished.
    func takeResult() -> Result<CommitResult, StoreError>? {
        finished.withLock { result in
            defer { result = nil }
            return result
        }
    }

    /// Waits for everything queued so far (at shutdown).
    func drain() {
        queue.sync {}
    }

    /// Signs a checkpoint and deletes bodies past their retention when they are due, between commits.
    func upkeep(forceCheckpoint: Bool = false) {
        queue.async { [self] in
            let now = HubTime.now().wall
            housekeeping.checkpointIfDue(force: forceCheckpoint, now: now)
            housekeeping.deleteExpiredBodiesIfDue(now: now)
        }
    }
}
