import CZeroMQ
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import ZeroMQ

@testable import LiaisonConsole

/// The operator's pages through the broker's admin interface (docs/protocol.md section 10), against a stand-in broker: a
/// ZeroMQ REP socket on a thread that records each request and gives the answer the test chose. (The real broker's
/// answers are checked against the same client in LiaisonIntegrationTests' AdminInterfaceTests.)
@Suite("Console operations through the admin interface")
struct OperationsAdminTests {
    /// A REP peer on `ipc://FOLDER/admin.ipc`, answering each request with `answer(request)`.
    final class StandInBroker: Sendable {
        /// What the thread and the test share.
        final class Shared: Sendable {
            /// Each request's bytes, in order.
            let requests = Mutex<[Data]>([])
            let stop = Mutex(false)
        }

        let endpoint: String
        private let shared = Shared()

        /// The requests received, parsed.
        var requests: [[String: Any]] {
            shared.requests.withLock { $0 }.map { (try? JSONSerialization.jsonObject(with: $0) as? [String: Any]) ?? [:] }
        }

        init(folder: String, answer: @escaping @Sendable ([String: Any]) -> String) throws {
            endpoint = "ipc://\(folder)/admin.ipc"
            let endpoint = endpoint, shared = shared
            let bound = DispatchSemaphore(value: 0)
            let failure = Mutex<String?>(nil)
            let thread = Thread {
                let context = ZeroMQContext(ioThreads: 1)
                defer { context.terminate() }
                do {
                    let socket = try ZeroMQSocket(context: context, type: .rep)
                    defer { socket.close() }
                    try socket.setOption(ZMQ_RCVTIMEO, 50)
                    try socket.bind(endpoint)
                    bound.signal()
                    while !shared.stop.withLock({ $0 }) {
                        guard let message = try? socket.receive(), let frame = message.frames.first else { continue }
                        shared.requests.withLock { $0.append(Data(frame)) }
                        let request = (try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any]) ?? [:]
                        try socket.send([Array(answer(request).utf8)])
                    }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                    bound.signal()
                }
            }
            thread.start()
            bound.wait()
            if let message = failure.withLock({ $0 }) { throw StandInFailure(message: message) }
        }

        struct StandInFailure: Error { var message: String }

        func finish() { shared.stop.withLock { $0 = true } }
        deinit { finish() }
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// What the broker answers `status` with in these tests: the YOT connected twice (credit 5 and 3), nobody else.
    static let status = """
        {"ok":true,"op":"status","at":1780000000000,"sessions":[
        {"agency":"yot","adapter":"yot-case-system","state":"ready","connected_since":1779999000000,"last_seen":1779999990000,"credit":5,"in_flight":1},
        {"agency":"yot","state":"ready","connected_since":1779999100000,"last_seen":1779999999000,"credit":3,"in_flight":0}],
        "agencies":[{"agency":"connexions","backlog":0,"in_flight":0,"sessions":0},{"agency":"yot","backlog":2,"in_flight":1,"sessions":2}]}
        """

    static let metrics = #"""
        # HELP liaison_messages_accepted_total Messages answered ACCEPTED.
        # TYPE liaison_messages_accepted_total counter
        liaison_messages_accepted_total 12345
        liaison_messages_duplicate_total 7
        liaison_deliveries_total 20000
        liaison_acknowledged_total 19990
        liaison_commits_total 40
        liaison_messages_rejected_total{code="422",name="schema-violation"} 3
        liaison_messages_rejected_total{code="403",name="forbidden"} 9
        liaison_dead_letters_total{cause="rejected"} 2
        liaison_decisions_total{agreement="yot-protocol",outcome="permitted"} 10
        liaison_decisions_total{agreement="yot-protocol",outcome="minimised"} 4
        liaison_decisions_total{agreement="none",outcome="denied"} 1
        liaison_queue_depth{agency="yot"} 6
        liaison_unacknowledged{agency="yot"} 2
        liaison_commit_duration_seconds_bucket{le="0.001"} 10
        liaison_commit_duration_seconds_bucket{le="0.002"} 30
        liaison_commit_duration_seconds_bucket{le="0.005"} 39
        liaison_commit_duration_seconds_bucket{le="+Inf"} 40
        liaison_commit_duration_seconds_sum 0.08
        liaison_commit_duration_seconds_count 40
        """#

    /// The answer to every request: `status`, `metrics`, and replay/discard (sequence 404 is not found).
    static func answer(_ request: [String: Any]) -> String {
        switch request["op"] as? String {
        case "status": return status
        case "metrics":
            let text = String(data: try! JSONSerialization.data(withJSONObject: [metrics]), encoding: .utf8)!.dropFirst().dropLast()
            return #"{"ok":true,"op":"metrics","at":1780000000000,"text":\#(text)}"#
        case "replay", "discard":
            if request["sequence"] as? Int == 404 {
                return #"{"ok":false,"error":{"code":"not_found","message":"No dead letter for connexions with sequence 404 (replayed or discarded already?)."}}"#
            }
            return #"{"ok":true}"#
        default: return #"{"ok":false,"error":{"code":"unknown_op","message":"no"}}"#
        }
    }

    /// A filled hub store, a stand-in broker on its admin endpoint, and a console on both.
    static func consoleWithBroker() throws -> (hub: OperationsPagesTests.Hub, broker: StandInBroker, harness: ConsoleHarness) {
        let hub = try OperationsPagesTests.Hub()
        let broker = try StandInBroker(folder: hub.folder, answer: answer)
        let harness = try ConsoleHarness { configuration in
            hub.configure(&configuration)
            configuration.adminEndpoint = broker.endpoint
        }
        return (hub, broker, harness)
    }

    @Test("the agencies page shows who is connected now, their credit and adapters, from the broker")
    func agencies() async throws {
        let (hub, broker, harness) = try Self.consoleWithBroker()
        defer { broker.finish() }
        try await harness.addUser("ops.one", .operator)
        try await harness.application().test(.router) { client in
            let ops = try await harness.signIn(client, "ops.one")
            let page = Self.body(try await harness.get(client, "/operations", as: ops))
            HTMLChecks.expectAccessible(page)
            #expect(page.contains("Asked the broker at"))
            // yot: two connections, credit 5 + 3, its adapter's name; connexions: not connected now (the audit log's
            // "adapter-gone" agrees); backlog and unacknowledged still from the store.
            #expect(page.contains("connected now (2)"))
            #expect(page.contains("<td>8</td><td>1</td><td>1</td>"), "credit 8, backlog 1, unacknowledged 1")
            #expect(page.contains("yot-case-system"))
            #expect(page.contains(#"<td>connexions</td><td><strong class="tag tag--grey">not connected</strong>"#))
        }
        #expect(broker.requests.map { $0["op"] as? String } == ["status"])
        withExtendedLifetime(hub) {}
    }

    @Test("replay and discard go to the broker with the operator's name; CSRF, role and a refusal are handled")
    func actions() async throws {
        let (hub, broker, harness) = try Self.consoleWithBroker()
        defer { broker.finish() }
        try await harness.addUser("ops.one", .operator)
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let ops = try await harness.signIn(client, "ops.one")
            let list = Self.body(try await harness.get(client, "/operations/dead-letters", as: ops))
            HTMLChecks.expectAccessible(list)
            #expect(list.contains(#"action="/operations/dead-letters/replay""#) && list.contains(#"href="/operations/dead-letters/connexions/1/discard""#))

            let replay = try await harness.post(client, "/operations/dead-letters/replay", [("recipient", "connexions"), ("sequence", "1")], as: ops)
            #expect(replay.status == .seeOther)
            #expect(replay.headers[.location] == "/operations/dead-letters?done=replayed")
            let after = Self.body(try await harness.get(client, "/operations/dead-letters?done=replayed", as: ops))
            #expect(after.contains("Dead letter replayed"))

            let confirm = try await harness.get(client, "/operations/dead-letters/connexions/1/discard", as: ops)
            #expect(confirm.status == .ok)
            let confirmPage = Self.body(confirm)
            HTMLChecks.expectAccessible(confirmPage)
            #expect(confirmPage.contains("cannot be undone") && confirmPage.contains("not on our caseload"))
            #expect(try await harness.get(client, "/operations/dead-letters/yot/1/discard", as: ops).status == .notFound)
            let discard = try await harness.post(client, "/operations/dead-letters/discard", [("recipient", "connexions"), ("sequence", "1")], as: ops)
            #expect(discard.headers[.location] == "/operations/dead-letters?done=discarded")

            // The broker refuses: the list again, with its reason in the error summary.
            let refused = try await harness.post(client, "/operations/dead-letters/discard", [("recipient", "connexions"), ("sequence", "404")], as: ops)
            #expect(refused.status == .conflict)
            #expect(Self.body(refused).contains("replayed or discarded already?"))
            #expect(Self.body(refused).contains("There is a problem"))

            // Not sent to the broker: no CSRF token, the wrong role, a malformed recipient.
            #expect(try await harness.post(client, "/operations/dead-letters/replay", [("recipient", "connexions"), ("sequence", "1")], as: ops, csrf: .some(nil)).status == .forbidden)
            let esw = try await harness.signIn(client, "esw.one")
            #expect(try await harness.post(client, "/operations/dead-letters/replay", [("recipient", "connexions"), ("sequence", "1")], as: esw).status == .forbidden)
            #expect(try await harness.get(client, "/operations/dead-letters/connexions/1/discard", as: esw).status == .forbidden)
            #expect(try await harness.post(client, "/operations/dead-letters/replay", [("recipient", "../x"), ("sequence", "1")], as: ops).status == .badRequest)
        }
        let sent = broker.requests.filter { $0["op"] as? String != "status" }
        #expect(sent.count == 3)
        #expect(sent.first?["op"] as? String == "replay" && sent.first?["recipient"] as? String == "connexions")
        #expect(sent.first?["sequence"] as? Int == 1 && sent.first?["by"] as? String == "ops.one")
        #expect(sent.dropFirst().map { $0["op"] as? String } == ["discard", "discard"])
        withExtendedLifetime(hub) {}
    }

    @Test("the metrics page shows the broker's Prometheus numbers")
    func metricsPage() async throws {
        let (hub, broker, harness) = try Self.consoleWithBroker()
        defer { broker.finish() }
        try await harness.addUser("ops.one", .operator)
        try await harness.application().test(.router) { client in
            let ops = try await harness.signIn(client, "ops.one")
            let response = try await harness.get(client, "/operations/metrics", as: ops)
            #expect(response.status == .ok)
            let page = Self.body(response)
            HTMLChecks.expectAccessible(page)
            #expect(page.contains("12,345") && page.contains("20,000") && page.contains("19,990"))
            #expect(page.contains("<td>403</td><td>forbidden</td><td>9</td></tr><tr><td>422</td>"), "refusals, most first")
            #expect(page.contains("<td>yot-protocol</td><td>10</td><td>4</td><td>0</td>"))
            #expect(page.contains("<td>none</td><td>0</td><td>0</td><td>1</td>"))
            #expect(page.contains("<td>yot</td><td>6</td><td>2</td>"))
            // 40 commits, 0.08 s in all: mean 2 ms; the 20th falls in the 2 ms bucket, the 40th above 5 ms.
            #expect(page.contains("mean 2.00 ms; half at most 2.00 ms; 99% over 5.00 ms"))
        }
        withExtendedLifetime(hub) {}  // its folder holds the stand-in broker's socket
    }

    @Test("without an admin interface, or with the broker down, the pages say so and offer no action")
    func noBroker() async throws {
        let hub = try OperationsPagesTests.Hub()
        let without = try ConsoleHarness(configure: hub.configure)
        try await without.addUser("ops.one", .operator)
        try await without.application().test(.router) { client in
            let ops = try await without.signIn(client, "ops.one")
            let page = Self.body(try await without.get(client, "/operations", as: ops))
            #expect(page.contains("has no admin interface"))
            let letters = Self.body(try await without.get(client, "/operations/dead-letters", as: ops))
            #expect(!letters.contains("/operations/dead-letters/replay") && letters.contains("admin_endpoint"))
            #expect(try await without.get(client, "/operations/metrics", as: ops).status == .serviceUnavailable)
        }
        let down = try ConsoleHarness { configuration in
            hub.configure(&configuration)
            configuration.adminEndpoint = "ipc://\(hub.folder)/no-broker.ipc"
        }
        try await down.addUser("ops.one", .operator)
        try await down.application().test(.router) { client in
            let ops = try await down.signIn(client, "ops.one")
            let page = Self.body(try await down.get(client, "/operations", as: ops))
            #expect(page.contains("The broker did not answer") && page.contains("socket file is not there"))
            #expect(page.contains("<td>yot</td>"), "the store's figures are still shown")
        }
        withExtendedLifetime(hub) {}
    }

    @Test("Prometheus text: labels with escapes, +Inf, comments and a line it cannot read")
    func prometheusText() {
        let text = PrometheusText(#"""
            # HELP x y
            a_total 3
            b{path="C:\\dir",quote="say \"hi\"",nl="one\ntwo"} 1.5
            c_bucket{le="+Inf"} +Inf
            not a sample
            d{unterminated="x} 2
            """#)
        #expect(text.samples.count == 3)
        #expect(text.value("a_total") == 3)
        #expect(text.value("b", ["path": #"C:\dir"#, "quote": #"say "hi""#, "nl": "one\ntwo"]) == 1.5)
        #expect(text.value("c_bucket", ["le": "+Inf"]) == .infinity)
        #expect(text.value("not") == nil)
    }
}
