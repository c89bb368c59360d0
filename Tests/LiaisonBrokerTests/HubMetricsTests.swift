import Foundation
import LiaisonConfig
import LiaisonMetrics
import LiaisonProtocol
import Prometheus
import Testing

@testable import LiaisonBroker

/// The broker's metrics, counted by the core and published once per commit, and the loopback-only rule.
@Suite struct HubMetricsTests {
    /// The value of the sample whose name and labels are exactly `series` in Prometheus text.
    static func sample(_ series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func theCoreCountsAcceptedRejectedDeliveredAckedAndEachAgencysBacklog() throws {
        var hub = try CoreHarness()
        let registry = PrometheusCollectorRegistry()
        hub.core.metrics = HubMetrics(registry: registry)
        hub.core.metrics?.register(agencies: CoreHarness.agencyIDs.map { AgencyID($0)! })
        let npas = hub.connect("npas")
        let yot = hub.connect("yot", credit: 2)
        for index in 1...5 {
            hub.send("m-\(index)", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body)
        }
        // To an agency with no adapter connected: it waits in the queue.
        hub.send("m-6", type: "case.note", from: npas, as: "npas", to: ["connexions"], body: HubCoreTests.body)
        // A resend is accepted again (with its first receipt) and counted as a duplicate, not queued twice.
        hub.send("m-6", type: "case.note", from: npas, as: "npas", to: ["connexions"], body: HubCoreTests.body)
        let refused = hub.send("m-7", type: "case.note", from: npas, as: "npas", to: ["police"], body: HubCoreTests.body)
        #expect(refused.rejections == [.unknownRecipient])
        hub.receive(.ack(tag: 1), from: yot, as: "yot")

        let text = registry.emitToString()
        #expect(Self.sample("liaison_messages_accepted_total", in: text) == 7)
        #expect(Self.sample("liaison_messages_duplicate_total", in: text) == 1)
        #expect(Self.sample(#"liaison_messages_rejected_total{code="414",name="unknown-recipient"}"#, in: text) == 1, "\(text)")
        #expect(Self.sample("liaison_deliveries_total", in: text) == 3)
        #expect(Self.sample("liaison_acknowledged_total", in: text) == 1)
        // Five for the YOT, one acknowledged, two in flight (its credit): two wait.
        #expect(Self.sample(#"liaison_queue_depth{agency="yot"}"#, in: text) == 2)
        #expect(Self.sample(#"liaison_queue_depth{agency="connexions"}"#, in: text) == 1)
        #expect(Self.sample(#"liaison_queue_depth{agency="courts"}"#, in: text) == 0)
        #expect(Self.sample(#"liaison_unacknowledged{agency="yot"}"#, in: text) == 2)
    }

    @Test func decisionsAreCountedByAgreementAndOutcome() throws {
        var hub = try CoreHarness(rules: true)
        let registry = PrometheusCollectorRegistry()
        hub.core.metrics = HubMetrics(registry: registry)
        let npas = hub.connect("npas")
        let yot = hub.connect("yot")
        let summary = try SharingInCoreTests.example("yot.attendance-summary/valid-1.json")
        // The child is not on the YOT's caseload yet: denied. Once it is, shared with a field withheld: minimised.
        #expect(hub.send("s-1", type: "yot.attendance-summary", from: npas, as: "npas", body: summary).rejections == [.denied])
        hub.send("c-1", type: "cohort.update", from: yot, as: "yot", body: try SharingInCoreTests.example("cohort.update/valid-1.json"))
        #expect(hub.send("s-2", type: "yot.attendance-summary", from: npas, as: "npas", body: summary).deliveries.count == 1)
        let text = registry.emitToString()
        let decisions = text.split(separator: "\n").filter { $0.hasPrefix("liaison_decisions_total{agreement=") }
        #expect(decisions.filter { $0.hasSuffix(#"outcome="denied"} 1"#) }.count == 1, "\(text)")
        #expect(decisions.filter { $0.hasSuffix(#"outcome="minimised"} 1"#) }.count == 1, "\(text)")
        #expect(!decisions.contains { $0.contains(#"agreement="none""#) })
        #expect(Self.sample(#"liaison_messages_rejected_total{code="451",name="denied"}"#, in: text) == 1)
    }

    @Test(arguments: ["0.0.0.0:9464", "[::]:9464", "10.1.2.3:9464", "metrics.example.org:9464", "127.0.0.1:70000", "127.0.0.1", "9464"])
    func anAddressOffTheLoopbackIsRefused(_ text: String) {
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: text) }
    }

    @Test func loopbackAddressesAreRead() throws {
        #expect(try MetricsAddress(parsing: "127.0.0.1:9464") == MetricsAddress(host: "127.0.0.1", port: 9464))
        #expect(try MetricsAddress(parsing: "[::1]:9464").host == "::1")
        #expect(try MetricsAddress(parsing: "localhost:0").port == 0)
    }

    @Test func hubYamlReadsMetricsListenAndRefusesAnOpenAddressWithItsLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let base = "endpoint: tcp://127.0.0.1:5570\ndata_dir: data\nkeys_dir: keys\nagencies_file: agencies.yaml\n"
        try (base + "metrics_listen: 127.0.0.1:9464\n").write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
        #expect(try HubConfiguration.load(path: "\(folder)/hub.yaml").metricsListen == MetricsAddress(host: "127.0.0.1", port: 9464))
        try (base + "metrics_listen: 0.0.0.0:9464\n").write(toFile: "\(folder)/open.yaml", atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) { try HubConfiguration.load(path: "\(folder)/open.yaml") }
        #expect("\(error.map { "\($0)" } ?? "")".contains("open.yaml:5"))
        #expect("\(error.map { "\($0)" } ?? "")".contains("loopback"))
    }
}
