import LiaisonProtocol
import LiaisonStore
import Prometheus

/// The broker's metrics in a Prometheus registry (served by `MetricsEndpoint` when `metrics_listen` is set).
///
/// The core counts in plain integers on the broker's thread (`HubTally`) and publishes once per group commit, so a
/// message costs no atomic operation and no lock; a labelled metric is looked up in the registry (under its lock)
/// only the first time its labels appear. Gauges are set at each commit. Metrics are made on the registry given,
/// never through `MetricsSystem.bootstrap` (once per process): tests run several brokers in one process.
struct HubMetrics {
    let registry: PrometheusCollectorRegistry
    let accepted: Counter
    let duplicates: Counter
    let deliveries: Counter
    let acknowledged: Counter
    let commits: Counter
    /// How long each group commit took (on the commit thread): the time an ACCEPTED waits for the disk.
    let commitDuration: DurationHistogram
    private var rejected: [ProtocolError.Code: Counter] = [:]
    private var deadLetters: [DeadLetterCause: Counter] = [:]
    private var decisions: [HubTally.DecisionKey: Counter] = [:]
    private var queueDepth: [AgencyID: Gauge] = [:]
    private var unacknowledged: [AgencyID: Gauge] = [:]

    static let queueDepthName = "liaison_queue_depth"
    static let queueDepthHelp = "Deliveries waiting for the agency: committed, not in flight, not yet acknowledged or dead-lettered."
    static let unacknowledgedName = "liaison_unacknowledged"
    static let unacknowledgedHelp = "Deliveries sent to the agency's adapters and not yet acknowledged or refused."

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        accepted = registry.makeCounter(descriptor: .init(
            metricName: "liaison_messages_accepted", unitName: "total",
            helpText: "Messages answered ACCEPTED (stored, or a resend of one already stored)."))
        duplicates = registry.makeCounter(descriptor: .init(
            metricName: "liaison_messages_duplicate", unitName: "total",
            helpText: "Of the accepted, resends of a message already stored (answered with its first receipt)."))
        deliveries = registry.makeCounter(descriptor: .init(
            metricName: "liaison_deliveries", unitName: "total", helpText: "Deliveries handed to a recipient's adapter (DELIVER)."))
        acknowledged = registry.makeCounter(descriptor: .init(
            metricName: "liaison_acknowledged", unitName: "total", helpText: "Deliveries a recipient acknowledged (ACK), as committed."))
        commits = registry.makeCounter(descriptor: .init(
            metricName: "liaison_commits", unitName: "total", helpText: "Group commits (one transaction each)."))
        commitDuration = registry.makeDurationHistogram(
            descriptor: .init(metricName: "liaison_commit_duration", unitName: "seconds", helpText: "How long each group commit took."),
            buckets: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
            ])
    }

    /// Sets every agency's gauges to zero, so that each appears before its first message.
    mutating func register(agencies: [AgencyID]) {
        for agency in agencies {
            gauge(&queueDepth, agency, HubMetrics.queueDepthName, HubMetrics.queueDepthHelp).set(to: 0)
            gauge(&unacknowledged, agency, HubMetrics.unacknowledgedName, HubMetrics.unacknowledgedHelp).set(to: 0)
        }
    }

    /// Publishes what the core counted since the last commit and resets the tally; sets the agencies' gauges.
    mutating func publish(_ tally: inout HubTally, backlog: [AgencyID: Int], inFlight: [AgencyID: Int]) {
        if tally.accepted > 0 { accepted.increment(by: Int64(tally.accepted)) }
        if tally.duplicates > 0 { duplicates.increment(by: Int64(tally.duplicates)) }
        if tally.deliveries > 0 { deliveries.increment(by: Int64(tally.deliveries)) }
        if tally.acknowledged > 0 { acknowledged.increment(by: Int64(tally.acknowledged)) }
        if tally.commits > 0 { commits.increment(by: Int64(tally.commits)) }
        for (code, count) in tally.rejected {
            let counter = rejected[code] ?? registry.makeCounter(
                descriptor: .init(
                    metricName: "liaison_messages_rejected", unitName: "total",
                    helpText: "Commands answered REJECTED (nearly always a SEND), by error code."),
                labels: [("code", "\(code.number)"), ("name", code.name)])
            rejected[code] = counter
            counter.increment(by: Int64(count))
        }
        for (cause, count) in tally.deadLetters {
            let counter = deadLetters[cause] ?? registry.makeCounter(
                descriptor: .init(metricName: "liaison_dead_letters", unitName: "total", helpText: "Deliveries dead-lettered, by cause."),
                labels: [("cause", cause.rawValue)])
            deadLetters[cause] = counter
            counter.increment(by: Int64(count))
        }
        for (key, count) in tally.decisions {
            let counter = decisions[key] ?? registry.makeCounter(
                descriptor: .init(
                    metricName: "liaison_decisions", unitName: "total",
                    helpText: "Sharing-rule decisions (one per recipient of a message), by agreement and outcome."),
                labels: [("agreement", key.agreement), ("outcome", key.outcome.rawValue)])
            decisions[key] = counter
            counter.increment(by: Int64(count))
        }
        for agency in Set(backlog.keys).union(inFlight.keys) {
            let sent = inFlight[agency] ?? 0
            gauge(&queueDepth, agency, HubMetrics.queueDepthName, HubMetrics.queueDepthHelp).set(to: Double(max(0, (backlog[agency] ?? 0) - sent)))
            gauge(&unacknowledged, agency, HubMetrics.unacknowledgedName, HubMetrics.unacknowledgedHelp).set(to: Double(sent))
        }
        tally = HubTally()
    }

    private func gauge(_ cache: inout [AgencyID: Gauge], _ agency: AgencyID, _ name: String, _ help: String) -> Gauge {
        if let gauge = cache[agency] { return gauge }
        let gauge = registry.makeGauge(
            descriptor: .init(metricName: name, unitName: "", helpText: help), labels: [("agency", agency.rawValue)])
        cache[agency] = gauge
        return gauge
    }
}

/// What the hub's core counted since its last commit: plain integers, published by `HubMetrics` once per commit.
struct HubTally {
    /// A sharing-rule decision's outcome.
    enum Outcome: String {
        /// Permitted, and the recipient gets the whole body.
        case permitted
        /// Permitted, with fields or records withheld (the recipient gets a smaller view).
        case minimised
        case denied
    }

    struct DecisionKey: Hashable {
        /// The agreement's id, or "none" when no agreement has the flow.
        var agreement: String
        var outcome: Outcome
    }

    var accepted = 0
    var duplicates = 0
    var deliveries = 0
    var acknowledged = 0
    var commits = 0
    var rejected: [ProtocolError.Code: Int] = [:]
    var deadLetters: [DeadLetterCause: Int] = [:]
    var decisions: [DecisionKey: Int] = [:]
}
