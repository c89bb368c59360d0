import LiaisonProtocol
import Prometheus
import Synchronization

/// One adapter's metrics (`liaison_adapter_…`, labelled with the adapter's name), made on the client's registry;
/// `liaison adapter … --metrics-listen HOST:PORT` serves them with `MetricsEndpoint`.
///
/// Counted on the adapter's own thread as commands are written and answers read. Adapter traffic is a few messages
/// a second at most, so each count is one atomic increment; the refused counters are made once per error code.
final class AdapterMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let adapter: String
    let sent: Counter
    let accepted: Counter
    let deliveries: Counter
    let acknowledged: Counter
    let nackedRetry: Counter
    let nackedReject: Counter
    let reconnects: Counter
    private let refused = Mutex<[ProtocolError.Code: Counter]>([:])

    init(registry: PrometheusCollectorRegistry, adapter: String) {
        self.registry = registry
        self.adapter = adapter
        let labels = [("adapter", adapter)]
        func counter(_ name: String, _ help: String, _ extra: [(String, String)] = []) -> Counter {
            registry.makeCounter(descriptor: .init(metricName: name, unitName: "total", helpText: help), labels: labels + extra)
        }
        sent = counter("liaison_adapter_sent", "SEND commands written to the hub (a resend after no answer counts again).")
        accepted = counter("liaison_adapter_accepted", "Messages the hub answered ACCEPTED.")
        deliveries = counter("liaison_adapter_deliveries", "Deliveries received from the hub.")
        acknowledged = counter("liaison_adapter_acked", "Deliveries acknowledged (ACK written).")
        let nackHelp = "Deliveries refused (NACK written), by disposition."
        nackedRetry = counter("liaison_adapter_nacked", nackHelp, [("disposition", "retry")])
        nackedReject = counter("liaison_adapter_nacked", nackHelp, [("disposition", "reject")])
        reconnects = counter("liaison_adapter_reconnects", "Connections dropped and made again (the hub silent, GOODBYE, or restarted).")
    }

    /// A command has been written to the hub.
    func written(_ command: AdapterCommand) {
        switch command {
        case .send: sent.increment()
        case .ack: acknowledged.increment()
        case .nack(_, .retry, _): nackedRetry.increment()
        case .nack(_, .reject, _): nackedReject.increment()
        default: break
        }
    }

    /// The hub refused a message with `code`.
    func refused(_ code: ProtocolError.Code) {
        let counter = refused.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = registry.makeCounter(
                descriptor: .init(metricName: "liaison_adapter_refused", unitName: "total", helpText: "Messages the hub answered REJECTED, by error code."),
                labels: [("adapter", adapter), ("code", "\(code.number)"), ("name", code.name)])
            counters[code] = counter
            return counter
        }
        counter.increment()
    }
}
