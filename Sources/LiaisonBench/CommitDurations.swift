import Prometheus

/// The broker's group commits as its metrics count them (`liaison_commit_duration_seconds`, read in their text form as a
/// scraper would), so that a latency window can say how slow its slowest commit was: a window whose p99 jumps usually
/// holds one commit that stalled (docs/performance.md).
struct CommitDurations: Sendable {
    /// Each bucket's upper bound in seconds and its cumulative count, in order.
    var buckets: [(bound: Double, count: Double)] = []
    var count = 0.0

    static func read(_ registry: PrometheusCollectorRegistry) -> CommitDurations {
        let values = metricValues(registry)
        let prefix = "liaison_commit_duration_seconds_bucket{le=\""
        var readings = CommitDurations(count: values["liaison_commit_duration_seconds_count"] ?? 0)
        for (name, value) in values where name.hasPrefix(prefix) {
            readings.buckets.append((Double(name.dropFirst(prefix.count).prefix { $0 != "\"" }) ?? .infinity, value))
        }
        readings.buckets.sort { $0.bound < $1.bound }
        return readings
    }

    /// What the commits since `earlier` were: how many, and the bucket the slowest fell in (as "25-50 ms").
    func since(_ earlier: CommitDurations) -> String {
        let commits = count - earlier.count
        guard commits > 0, buckets.count == earlier.buckets.count else { return "no commits" }
        var lower = 0.0
        for (index, bucket) in buckets.enumerated() {
            if bucket.count - earlier.buckets[index].count >= commits {
                let range = bucket.bound.isFinite
                    ? "\(Self.milliseconds(lower))-\(Self.milliseconds(bucket.bound)) ms" : "over \(Self.milliseconds(lower)) ms"
                let over = commits - (index > 0 ? buckets[index - 1].count - earlier.buckets[index - 1].count : 0)
                return "\(Int(commits)) commits, the slowest \(range) (\(Int(over)) in that range)"
            }
            lower = bucket.bound
        }
        return "\(Int(commits)) commits"
    }

    private static func milliseconds(_ seconds: Double) -> String {
        let value = seconds * 1000
        return value < 1 ? String(value) : String(Int(value.rounded()))
    }
}
