import Foundation

/// The operator's metrics page: the broker's own Prometheus metrics (its admin interface's `metrics` answer), laid out
/// as tables, so the page and a Prometheus server scraping `/metrics` show the same numbers.
enum HubMetricsView {
    /// The metric names the broker writes (Sources/LiaisonBroker/HubMetrics.swift; the counters gain `_total`).
    enum Name {
        static let accepted = "liaison_messages_accepted_total"
        static let duplicates = "liaison_messages_duplicate_total"
        static let rejected = "liaison_messages_rejected_total"
        static let deliveries = "liaison_deliveries_total"
        static let acknowledged = "liaison_acknowledged_total"
        static let commits = "liaison_commits_total"
        static let deadLetters = "liaison_dead_letters_total"
        static let decisions = "liaison_decisions_total"
        static let queueDepth = "liaison_queue_depth"
        static let unacknowledged = "liaison_unacknowledged"
        static let commitDuration = "liaison_commit_duration_seconds"
    }

    /// The page's data.
    static func data(_ metrics: PrometheusText) -> [String: Any] {
        func count(_ name: String, _ labels: [String: String] = [:]) -> String { whole(metrics.value(name, labels) ?? 0) }
        let totals: [[String: String]] = [
            ["label": "Messages accepted", "value": count(Name.accepted), "hint": "answered ACCEPTED: stored, or a resend of one stored"],
            ["label": "Of which resends", "value": count(Name.duplicates), "hint": "answered with their first receipt"],
            ["label": "Deliveries", "value": count(Name.deliveries), "hint": "handed to a recipient's adapter"],
            ["label": "Acknowledged", "value": count(Name.acknowledged), "hint": "deliveries the recipient acknowledged"],
            ["label": "Group commits", "value": count(Name.commits), "hint": "one transaction each"],
        ]
        let rejected = metrics.named(Name.rejected).sorted { $0.value > $1.value }.map { sample in
            ["code": sample.labels["code"] ?? "", "name": sample.labels["name"] ?? "", "count": whole(sample.value)]
        }
        let deadLetters = metrics.named(Name.deadLetters).sorted { $0.value > $1.value }.map { sample in
            ["cause": sample.labels["cause"] ?? "", "count": whole(sample.value)]
        }
        var byAgreement: [String: [String: Double]] = [:]
        for sample in metrics.named(Name.decisions) {
            byAgreement[sample.labels["agreement"] ?? "none", default: [:]][sample.labels["outcome"] ?? "", default: 0] += sample.value
        }
        let decisions = byAgreement.keys.sorted().map { agreement -> [String: String] in
            let outcomes = byAgreement[agreement] ?? [:]
            return [
                "agreement": agreement, "permitted": whole(outcomes["permitted"] ?? 0), "minimised": whole(outcomes["minimised"] ?? 0),
                "denied": whole(outcomes["denied"] ?? 0),
            ]
        }
        let agencies = Set(metrics.named(Name.queueDepth).compactMap { $0.labels["agency"] })
            .union(metrics.named(Name.unacknowledged).compactMap { $0.labels["agency"] })
            .sorted()
            .map { agency in
                ["agency": agency, "waiting": count(Name.queueDepth, ["agency": agency]), "unacknowledged": count(Name.unacknowledged, ["agency": agency])]
            }
        return [
            "totals": totals, "rejected": rejected, "hasRejected": !rejected.isEmpty, "deadLetters": deadLetters,
            "hasDeadLetters": !deadLetters.isEmpty, "decisions": decisions, "hasDecisions": !decisions.isEmpty, "agencies": agencies,
            "hasAgencies": !agencies.isEmpty, "commit": commitLatency(metrics),
        ]
    }

    /// The group commit's latency: the mean, and the bucket bounds under which half and 99% of commits fell.
    static func commitLatency(_ metrics: PrometheusText) -> [String: String] {
        let count = metrics.value("\(Name.commitDuration)_count") ?? 0
        guard count > 0 else { return ["count": "0", "mean": "none yet", "p50": "none yet", "p99": "none yet"] }
        let sum = metrics.value("\(Name.commitDuration)_sum") ?? 0
        let buckets = metrics.named("\(Name.commitDuration)_bucket")
            .compactMap { sample -> (bound: Double, count: Double)? in
                guard let text = sample.labels["le"] else { return nil }
                return (text == "+Inf" ? .infinity : Double(text) ?? .infinity, sample.value)
            }
            .sorted { $0.bound < $1.bound }
        func bound(_ quantile: Double) -> String {
            guard let bucket = buckets.first(where: { $0.count >= quantile * count }) else { return "not known" }
            return bucket.bound.isInfinite ? "over \(milliseconds(buckets.dropLast().last?.bound ?? 0))" : "at most \(milliseconds(bucket.bound))"
        }
        return ["count": whole(count), "mean": milliseconds(sum / count), "p50": bound(0.5), "p99": bound(0.99)]
    }

    static func whole(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        // Thousands separated by commas, as the attendance pages write counts (not the machine's locale).
        let digits = String(Int64(value.rounded()).magnitude)
        var grouped = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1000
        return ms < 10 ? String(format: "%.2f ms", ms) : String(format: "%.0f ms", ms)
    }
}
