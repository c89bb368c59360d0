import LiaisonStore
import Prometheus

/// The SQLite store's write-ahead log in the broker's metrics: how long each checkpoint took, where it ran, and how
/// long the log is. A checkpoint runs on a thread of its own (`LogCheckpointer`) unless that thread falls far
/// behind, when a commit runs it and a sender waits; a stall in `liaison_commit_duration` can then be set beside
/// `liaison_store_checkpoint_duration{where="commit"}` and the log's length.
enum StoreMetrics {
    /// An observer that records into `registry` (from the checkpointer's thread and the commit thread: the
    /// registry's metrics are safe to use from any thread).
    static func checkpointObserver(registry: PrometheusCollectorRegistry) -> LogCheckpointObserver {
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        let help = "How long each checkpoint of the store's write-ahead log took, by where it ran (its own thread, or a commit)."
        let background = registry.makeDurationHistogram(
            descriptor: .init(metricName: "liaison_store_checkpoint_duration", unitName: "seconds", helpText: help),
            labels: [("where", "thread")], buckets: buckets)
        let inCommit = registry.makeDurationHistogram(
            descriptor: .init(metricName: "liaison_store_checkpoint_duration", unitName: "seconds", helpText: help),
            labels: [("where", "commit")], buckets: buckets)
        let pages = registry.makeGauge(descriptor: .init(
            metricName: "liaison_store_log_pages", unitName: "",
            helpText: "The store's write-ahead log, in pages of 4 KiB, after the latest commit (checkpoints bring it back to the start)."))
        return LogCheckpointObserver(
            checkpointed: { duration, commit in (commit ? inCommit : background).record(duration) },
            logPages: { pages.set(to: Double($0)) })
    }
}
