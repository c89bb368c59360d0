import Foundation
import GRDB
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// Bodies no adapter can use: for every message type an adapter consumes and every integer field its schema
/// declares, `1e300` (which `Int(_:)` traps on) and `-1`, sent through a hub that has no schemas and so passes them
/// on. Each consuming adapter must refuse each one (NACK `reject`), so that it ends as a dead letter whose reason
/// names the field, and must not crash: a crashed adapter would leave its deliveries unsettled and the wait below
/// would time out. The fields come from the schemas themselves, so a field added to a schema and not to the
/// adapters' `IntegerFields` fails here.
@Suite("Poison bodies", .timeLimit(.minutes(3)), .realProcesses)
struct PoisonBodyTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Each consuming agency, how its adapter is started, and the types it takes that have integer fields.
    static let consumers: [(agency: String, adapter: String, leading: [String], types: [String])] = [
        ("npas", "npas-desk", [], ["attendance.return", "pupil.roll", "referral", "court.outcome", "pupil.match-request"]),
        ("schools-mis", "schools-mis", [], ["case.disposal", "penalty.notice", "awards.list", "register-audit.findings"]),
        ("courts", "courts", [], ["prosecution.file"]),
        ("advisory-service", "advisory-service", [], ["attendance.termly-feed"]),
        ("social-services", "partner", ["social-services"], ["care.attendance-alert", "pupil.match-result"]),
        ("yot", "partner", ["yot"], ["yot.attendance-summary", "pupil.match-result"]),
        ("connexions", "partner", ["connexions"], ["connexions.notification", "pupil.match-result"]),
    ]

    // MARK: The schemas' integer fields

    /// Every integer field of a type's schema, as paths (`*` is an array's items), found by following
    /// `properties`, `items`, `$ref` and the branches of `allOf`/`anyOf`/`oneOf` that declare properties.
    static func integerFields(of type: String) throws -> [[String]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(repository)/schemas/\(type).schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let definitions = schema["$defs"] as? [String: Any] ?? [:]
        func resolve(_ node: [String: Any]) -> [String: Any] {
            guard let reference = node["$ref"] as? String, let target = definitions[String(reference.split(separator: "/").last!)] as? [String: Any]
            else { return node }
            return resolve(target).merging(node.filter { $0.key != "$ref" }) { _, own in own }
        }
        var found: [[String]] = []
        func walk(_ raw: Any?, _ path: [String]) {
            guard let raw = raw as? [String: Any] else { return }
            let node = resolve(raw)
            if node["type"] as? String == "integer" {
                found.append(path)
                return
            }
            for (name, child) in node["properties"] as? [String: Any] ?? [:] { walk(child, path + [name]) }
            if let items = node["items"] as? [String: Any] { walk(items, path + ["*"]) }
            for key in ["allOf", "anyOf", "oneOf"] {
                for branch in node[key] as? [[String: Any]] ?? [] where branch["if"] == nil { walk(branch, path) }
            }
        }
        walk(schema, [])
        return Array(Set(found)).sorted { $0.joined(separator: "/") < $1.joined(separator: "/") }
    }

    /// `body` with `value` at `path`, making the objects and the first array item on the way if they are missing.
    static func setting(_ value: Any, at path: ArraySlice<String>, in body: Any?) -> Any {
        guard let step = path.first else { return value }
        if step == "*" {
            var items = body as? [Any] ?? []
            if items.isEmpty { items = [[String: Any]()] }
            items[0] = setting(value, at: path.dropFirst(), in: items[0])
            return items
        }
        var object = body as? [String: Any] ?? [:]
        object[step] = setting(value, at: path.dropFirst(), in: object[step])
        return object
    }

    /// The JSON Pointer of `path` as filled in by ``setting(_:at:in:)``.
    static func pointer(_ path: [String]) -> String {
        "/" + path.map { $0 == "*" ? "0" : $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }
            .joined(separator: "/")
    }

    @Test func theSchemasGiveEveryIntegerAMaximum() throws {
        let types = try FileManager.default.contentsOfDirectory(atPath: "\(Self.repository)/schemas").filter { $0.hasSuffix(".schema.json") }
        #expect(types.count >= 16)
        for file in types {
            let text = try String(contentsOfFile: "\(Self.repository)/schemas/\(file)", encoding: .utf8)
            let schema = try JSONSerialization.jsonObject(with: Data(text.utf8))
            func check(_ node: Any, _ at: String) {
                if let object = node as? [String: Any] {
                    if object["type"] as? String == "integer" {
                        #expect(object["maximum"] is NSNumber, "\(file)\(at) is an integer without a maximum")
                        #expect(object["minimum"] is NSNumber, "\(file)\(at) is an integer without a minimum")
                    }
                    for (key, child) in object { check(child, "\(at)/\(key)") }
                } else if let array = node as? [Any] {
                    for (index, child) in array.enumerated() { check(child, "\(at)/\(index)") }
                }
            }
            check(schema, "")
        }
    }

    @Test func everyConsumingAdapterDeadLettersAnOutOfRangeIntegerWithItsReasonAndKeepsRunning() async throws {
        let agencies = Self.consumers.map(\.agency) + ["tester"]
        let running = try await RunningHub.start(agencies: agencies)  // no schemas_dir: the hub passes any body on
        defer { running.finish() }
        var adapters: [AdapterProcess] = []
        defer { for adapter in adapters { adapter.stopInBackground() } }
        for consumer in Self.consumers {
            let folder = "\(running.hub.directory)/\(consumer.agency)"
            let process = AdapterProcess(consumer.adapter, hub: running.hub, folder: folder, leading: consumer.leading)
            try await process.start()
            adapters.append(process)
        }

        // Every type with an integer field has a consumer here.
        let typed = try FileManager.default.contentsOfDirectory(atPath: "\(Self.repository)/schemas").filter { $0.hasSuffix(".schema.json") }
            .map { String($0.dropLast(".schema.json".count)) }.filter { !(try Self.integerFields(of: $0)).isEmpty }
        #expect(Set(typed).isSubset(of: Set(Self.consumers.flatMap(\.types))), "a type with integers that no adapter here consumes")

        // The poison: each field of each type, 1e300 and -1, in the type's valid example.
        var expected: [String: (recipient: String, pointer: String, value: String)] = [:]
        let tester = try await running.hub.connect("tester")
        var number = 0
        for consumer in Self.consumers {
            for type in consumer.types {
                let example = try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: "\(Self.repository)/schemas/examples/\(type)/valid-1.json")))
                let fields = try Self.integerFields(of: type)
                #expect(!fields.isEmpty, "\(type) has no integer field")
                for path in fields {
                    for (value, text) in [(1e300 as Any, "1e+300"), (-1 as Any, "-1")] {
                        number += 1
                        let id = "poison-\(number)"
                        let body = try JSONSerialization.data(withJSONObject: Self.setting(value, at: path[...], in: example))
                        _ = try await tester.send(type: type, to: [consumer.agency], body: Array(body), id: id)
                        expected[id] = (consumer.agency, Self.pointer(path), text)
                    }
                }
            }
        }
        await tester.close()
        #expect(number > 200, "only \(number) poison messages")

        // Each ends as a dead letter, refused by its recipient with a reason naming the field and the value.
        var letters: [String: (recipient: String, cause: String, reason: String)] = [:]
        for _ in 0..<1200 {
            letters = try Self.deadLetters(running.hub)
            if letters.count >= expected.count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(letters.count == expected.count, "\(letters.count) of \(expected.count) dead letters")
        for (id, want) in expected.sorted(by: { $0.key < $1.key }) {
            guard let letter = letters[id] else {
                Issue.record("\(id) to \(want.recipient) (\(want.pointer) = \(want.value)) is not a dead letter")
                continue
            }
            #expect(letter.recipient == want.recipient)
            #expect(letter.cause == "rejected", "\(id): \(letter.cause)")
            #expect(letter.reason.contains(want.pointer) && letter.reason.contains(want.value), "\(id) \(want): \(letter.reason)")
        }
        for adapter in adapters {
            #expect(!adapter.log.contains("Fatal error"), "an adapter crashed: \(adapter.arguments)")
        }
    }

    /// The hub's dead letters by message id: recipient, cause and reason.
    static func deadLetters(_ hub: TemporaryHub) throws -> [String: (recipient: String, cause: String, reason: String)] {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let database = try DatabaseQueue(path: hub.databasePath, configuration: configuration)
        return try database.read { db in
            var letters: [String: (recipient: String, cause: String, reason: String)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT m.message_id, d.recipient, d.cause, d.reason FROM dead_letters d JOIN messages m ON m.sequence = d.sequence
                """)
            {
                letters[row[0]] = (row[1], row[2], row[3])
            }
            return letters
        }
    }
}
