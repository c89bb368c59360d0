import Foundation
import LiaisonMetrics
import LiaisonTestSupport
import Logging
import Prometheus
import Testing

/// `/metrics` over real HTTP: the endpoint on its own, and a real broker process with `metrics_listen`.
@Suite("Metrics endpoint", .timeLimit(.minutes(2)), .realProcesses)
struct MetricsEndpointTests {
    @Test func theEndpointServesTheRegistryAsPrometheusTextAndNothingElse() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: .init(metricName: "liaison_test", unitName: "total", helpText: "A test counter.")).increment(by: Int64(3))
        let endpoint = MetricsEndpoint(registry: registry, address: try MetricsAddress(parsing: "127.0.0.1:0"), logger: Logger(label: "metrics-test"))
        let running = Task { try await endpoint.run() }
        defer { running.cancel() }
        let port = await endpoint.waitUntilListening()
        let response = try await HTTPGet.fetch(port: port, path: "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == MetricsEndpoint.contentType)
        #expect(response.body.contains("# TYPE liaison_test_total counter"))
        #expect(response.body.contains("liaison_test_total 3"))
        #expect(try await HTTPGet.fetch(port: port, path: "/").status == 404)
    }

    @Test func anEndpointGivenAnOpenAddressDoesNotListen() async throws {
        // MetricsAddress refuses 0.0.0.0 outright; an address mutated past that check is refused when the endpoint runs.
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: "0.0.0.0:9464") }
        var address = try MetricsAddress(parsing: "127.0.0.1:0")
        address.host = "0.0.0.0"
        let endpoint = MetricsEndpoint(registry: PrometheusCollectorRegistry(), address: address, logger: Logger(label: "metrics-test"))
        await #expect(throws: MetricsAddressError.self) { try await endpoint.run() }
    }

    @Test func aBrokerServesItsCountsOnMetricsListen() async throws {
        let running = try await RunningHub.start(agencies: ["npas", "yot"], extraConfig: "metrics_listen: 127.0.0.1:0\n")
        defer { running.finish() }
        let port = try await Self.metricsPort(in: running.broker.logPath)
        let npas = try await running.hub.connect("npas")
        for index in 1...3 {
            _ = try await npas.send(type: "case.note", to: ["yot"], body: Array(#"{"note":"synthetic \#(index)"}"#.utf8), id: "metrics-\(index)")
        }
        // The adapter's own counts, from its registry (what --metrics-listen serves).
        let adapterText = npas.metricsRegistry.emitToString()
        let accepted = adapterText.split(separator: "\n").first { $0.hasPrefix("liaison_adapter_accepted_total{adapter=") }
        #expect(accepted?.hasSuffix("} 3") == true, "\(adapterText)")
        #expect(adapterText.contains("# TYPE liaison_adapter_reconnects_total counter"))
        await npas.close()
        let response = try await HTTPGet.fetch(port: port, path: "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(response.body.contains("# TYPE liaison_messages_accepted_total counter"))
        #expect(response.body.contains("\nliaison_messages_accepted_total 3\n"), "\(response.body)")
        // No yot adapter is connected: all three wait in its queue.
        #expect(response.body.contains("\nliaison_queue_depth{agency=\"yot\"} 3"), "\(response.body)")
        #expect(response.body.contains("# TYPE liaison_commit_duration_seconds histogram"))
        // The store's write-ahead log: its length after the latest commit (the commits above wrote to it), and the
        // checkpoints' durations by where they ran.
        let logPages = response.body.split(separator: "\n").first { $0.hasPrefix("liaison_store_log_pages ") }
        #expect((logPages?.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 0, "\(response.body)")
        #expect(response.body.contains("# TYPE liaison_store_checkpoint_duration_seconds histogram"))
        #expect(response.body.contains("liaison_store_checkpoint_duration_seconds_count{where=\"commit\"} 0"), "\(response.body)")
        // The allocator's freed memory given back once a minute, the first time at the loop's first upkeep (within
        // 100 ms of its start; the release itself runs on a queue of its own, so it may land just after).
        var body = response.body
        for _ in 0..<50 where !body.contains("\nliaison_heap_release_duration_seconds_count 1\n") {
            try await Task.sleep(for: .milliseconds(100))
            body = try await HTTPGet.fetch(port: port, path: "/metrics").body
        }
        #expect(body.contains("\nliaison_heap_release_duration_seconds_count 1\n"), "\(body)")
    }

    /// The port the broker logged ("Metrics served … url=http://127.0.0.1:PORT/metrics").
    static func metricsPort(in logPath: String) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: "http://127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("The broker did not log its metrics address.")
    }
}

/// A plain HTTP/1.1 GET over a loopback socket (enough for a test; no client library needed).
enum HTTPGet {
    struct Response {
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
        var body: String
    }

    static func fetch(port: Int, path: String) async throws -> Response {
        try await Task.detached { try get(port: port, path: path) }.value
    }

    static func get(port: Int, path: String) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSupportError("Cannot connect to 127.0.0.1:\(port)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { throw TestSupportError("write() failed") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestSupportError("No HTTP response: \(text)") }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}
