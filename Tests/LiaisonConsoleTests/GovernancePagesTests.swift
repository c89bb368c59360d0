import Foundation
import Hummingbird
import HummingbirdTesting
import LiaisonStore
import MerkleLog
import NIOCore
import Testing
@testable import LiaisonConsole

/// The IG officer's pages on a temporary hub store: the audit search's filters and pages, a subject access report whose
/// JSON a recipient can check (leaf text → leaf hash → inclusion proof → the signed checkpoint's root), the legal holds,
/// the checkpoint and a read-only verify; other roles refused; one h1 and labelled fields on every page.
@Suite struct GovernancePagesTests {
    static let child = "A926200125003"
    static let other = "B801200005001"

    /// A hub folder (`hub.yaml`, `keys/`, `data/hub.sqlite`) with: 55 accepted entries, a permitted decision for the
    /// child under yot-protocol, a denied one under connexions-neet, another child's release, a signed checkpoint, then
    /// the child's second release (newer than the checkpoint) and a legal hold.
    final class Hub: Sendable {
        let folder: String
        let childPseudonym: String

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("governance-hub-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: "\(folder)/keys", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try "data_dir: data\nkeys_dir: keys\n".write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
            let key = try PseudonymKeyFile.loadOrCreate(path: "\(folder)/keys/pseudonym.key")
            let child = SubjectShares.pseudonym(of: GovernancePagesTests.child, key: key)
            let other = SubjectShares.pseudonym(of: GovernancePagesTests.other, key: key)
            childPseudonym = child
            let store = try HubStore(path: "\(folder)/data/hub.sqlite")
            func decision(_ agreement: String, to recipient: String, code: Int, children: [String], at: Int64, sequence: Int64) -> AuditEvent {
                let list = children.map { "\"\($0)\"" }.joined(separator: ",")
                return AuditEvent(
                    .decision, at: at, agency: "npas", messageID: "msg-\(sequence)", sequence: sequence, type: "pupil.attendance-concern",
                    recipient: recipient, code: code,
                    detail: #"{"agreement":"\#(agreement)","version":"1.3","lawful_basis":"public task","flow":"concern","sent":\#(code == 0),"fields":["/upn","/attendance"],"children":[\#(list)]}"#)
            }
            let base: Int64 = 1_780_000_000_000
            try store.transaction { tx in
                for index in 0..<55 {
                    _ = try tx.append(AuditEvent(.accepted, at: base + Int64(index), agency: "schools-mis", messageID: "acc-\(index)", sequence: 100 + Int64(index), type: "school.return", code: 0))
                }
                let first = try tx.append(decision("yot-protocol", to: "yot", code: 0, children: [child], at: base + 60_000, sequence: 1))
                let denied = try tx.append(decision("connexions-neet", to: "connexions", code: 451, children: [], at: base + 61_000, sequence: 2))
                let another = try tx.append(decision("yot-protocol", to: "yot", code: 0, children: [other], at: base + 62_000, sequence: 3))
                try tx.indexSubjects([child], sequence: 1, entries: first...denied)
                try tx.indexSubjects([other], sequence: 3, entries: another...another)
            }
            let signing = try Checkpoint.loadOrCreateKey(path: "\(folder)/keys/checkpoint.key", publicPath: "\(folder)/keys/checkpoint.pub")
            try store.writeCheckpoint(origin: "liaison-hub", key: signing, at: base + 70_000)
            try store.transaction { tx in
                let second = try tx.append(decision("yot-protocol", to: "yot", code: 0, children: [child], at: base + 80_000, sequence: 4))
                try tx.indexSubjects([child], sequence: 4, entries: second...second)
                _ = try tx.placeHold(pseudonym: child, reference: "SAR-2026-014", at: base + 90_000)
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// A console reading `hub`'s store, with a user of each role; the harness's helpers sign in and post.
    static func console(_ hub: Hub, harness: ConsoleHarness) async throws -> Console {
        var configuration = ConsoleConfiguration(deskDirectory: "\(harness.folder)/desk", stateDirectory: "\(harness.folder)/governance-state")
        configuration.hubConfig = "\(hub.folder)/hub.yaml"
        configuration.hubStorePath = "\(hub.folder)/data/hub.sqlite"
        let console = try Console.build(configuration: configuration, options: .init(bcryptCost: 4))
        for (name, role) in [("ig.one", ConsoleRole.ig), ("manager.one", .manager), ("esw.one", .esw), ("operator.one", .operator)] {
            try await console.users.add(name: name, role: role, password: ConsoleHarness.password)
        }
        return console
    }

    static func rows(_ html: String) -> [String] {
        HTMLChecks.matches(#"<tr><td class="numeric">(\d+)</td>"#, in: html).map { $0[0] }
    }

    @Test("a hub whose store is on PostgreSQL: the pages say so, and never read a hub.sqlite left in its data_dir")
    func postgresHub() async throws {
        let hub = try Hub(), harness = try ConsoleHarness()
        try "endpoint: tcp://127.0.0.1:5570\ndata_dir: data\nkeys_dir: keys\nagencies_file: agencies.yaml\nstore: postgresql://liaison@db1:5432/hub\n"
            .write(toFile: "\(hub.folder)/hub.yaml", atomically: true, encoding: .utf8)
        let configuration = try ConsoleConfiguration.parse(
            "desk: \(harness.folder)/desk\nstate: \(harness.folder)/postgres-state\nhub_config: \(hub.folder)/hub.yaml\n", file: "\(harness.folder)/console.yaml")
        #expect(configuration.hubStorePath == nil)
        #expect(configuration.hubStoreElsewhere?.contains("on PostgreSQL") == true)
        let console = try Console.build(configuration: configuration, options: .init(bcryptCost: 4))
        for (name, role) in [("ig.one", ConsoleRole.ig), ("operator.one", .operator)] {
            try await console.users.add(name: name, role: role, password: ConsoleHarness.password)
        }
        try await Application(router: ConsoleApplication.makeRouter(console: console)).test(.router) { client in
            let ig = try await harness.signIn(client, "ig.one")
            let audit = try await harness.get(client, "/audit", as: ig)
            #expect(audit.status == .serviceUnavailable)
            #expect(String(buffer: audit.body).contains("on PostgreSQL"))
            #expect(Self.rows(String(buffer: audit.body)).isEmpty, "nothing from the hub.sqlite left in data_dir")
            let holds = String(buffer: try await harness.get(client, "/legal-holds", as: ig).body)
            #expect(holds.contains("on PostgreSQL") && !holds.contains("SAR-2026-014"))
            let operations = try await harness.signIn(client, "operator.one")
            let agencies = String(buffer: try await harness.get(client, "/operations", as: operations).body)
            #expect(agencies.contains("on PostgreSQL"))
        }
    }

    @Test("the audit search filters by agreement, decision, kind, agency and dates, fifty entries a page")
    func auditSearch() async throws {
        let hub = try Hub(), harness = try ConsoleHarness()
        let console = try await Self.console(hub, harness: harness)
        try await Application(router: ConsoleApplication.makeRouter(console: console)).test(.router) { client in
            let ig = try await harness.signIn(client, "ig.one")
            let all = String(buffer: try await harness.get(client, "/audit", as: ig).body)
            HTMLChecks.expectAccessible(all)
            #expect(Self.rows(all) == (1...50).map(String.init))
            #expect(all.contains(#"href="/audit?page=2""#) && !all.contains("Previous page"))
            let second = String(buffer: try await harness.get(client, "/audit?page=2", as: ig).body)
            #expect(Self.rows(second) == (51...60).map(String.init))
            #expect(second.contains(#"href="/audit?page=1""#) && !second.contains("Next page"))

            let permitted = String(buffer: try await harness.get(client, "/audit?agreement=yot-protocol&decision=permitted", as: ig).body)
            #expect(Self.rows(permitted) == ["56", "58", "59"])
            #expect(permitted.contains("npas → yot") && permitted.contains("yot-protocol"))
            #expect(Self.rows(String(buffer: try await harness.get(client, "/audit?decision=denied", as: ig).body)) == ["57"])
            #expect(permitted.contains(#"href="/audit?agreement=yot-protocol&amp;decision=permitted&amp;page=1""#) == false, "one page: no links")
            #expect(Self.rows(String(buffer: try await harness.get(client, "/audit?kind=legal-hold-placed", as: ig).body)) == ["60"])
            #expect(Self.rows(String(buffer: try await harness.get(client, "/audit?agency=npas&type=pupil.attendance-concern", as: ig).body)).count == 4)
            // 2026-05-28 is the day of every entry (1_780_000_000 s); the day before holds none.
            #expect(Self.rows(String(buffer: try await harness.get(client, "/audit?since=2026-05-28&until=2026-05-28", as: ig).body)).count == 50)
            #expect(Self.rows(String(buffer: try await harness.get(client, "/audit?until=2026-05-27", as: ig).body)).isEmpty)
            let bad = try await harness.get(client, "/audit?since=yesterday&kind=nonsense", as: ig)
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("Enter the since date") && String(buffer: bad.body).contains("Choose a kind"))
        }
    }

    @Test("a subject access report lists the child's releases, who viewed the record, and JSON whose every proof checks")
    func subjectAccess() async throws {
        let hub = try Hub(), harness = try ConsoleHarness()
        let console = try await Self.console(hub, harness: harness)
        try await Application(router: ConsoleApplication.makeRouter(console: console)).test(.router) { client in
            let ig = try await harness.signIn(client, "ig.one")
            let form = String(buffer: try await harness.get(client, "/subject-access", as: ig).body)
            HTMLChecks.expectAccessible(form)
            let invalid = try await harness.post(client, "/subject-access", [("upn", "not a upn")], as: ig)
            #expect(invalid.status == .badRequest)
            #expect(String(buffer: invalid.body).contains("Enter the child&#39;s UPN"))

            let page = try await harness.post(client, "/subject-access", [("upn", Self.child.lowercased())], as: ig)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            HTMLChecks.expectAccessible(html)
            #expect(html.contains("2 releases found."))
            #expect(html.contains("entry 56") && html.contains("entry 59") && !html.contains("entry 58") && !html.contains("entry 57"))
            #expect(html.contains("ig.one</td><td>subject access"), "the report's own view is listed")
            #expect(html.contains(hub.childPseudonym))

            let download = try await harness.post(client, "/subject-access", [("upn", Self.child), ("format", "json")], as: ig)
            #expect(download.headers[.contentType] == "application/json")
            let body = String(buffer: download.body)
            #expect(!body.contains(Self.child), "the JSON never repeats the UPN")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let note = try #require(report["checkpoint"] as? String)
            let lines = note.split(separator: "\n")
            let checkpointSize = try #require(Int(lines[1]))
            let checkpointRoot = try #require(Data(base64Encoded: String(lines[2])).map(Array.init))
            let releases = try #require(report["releases"] as? [[String: Any]])
            #expect(releases.compactMap { $0["entry"] as? Int } == [56, 59])
            for release in releases {
                let leaf = try #require(release["leaf"] as? String)
                let leafHash = MerkleTree.leafHash(Array(leaf.utf8))
                #expect(Digest.hex(leafHash) == release["leaf_hash"] as? String, "the leaf hash recomputes from the entry's text")
                let proof = try #require(release["inclusion_proof"] as? [String: Any])
                let size = try #require(proof["tree_size"] as? Int), index = try #require(proof["leaf_index"] as? Int)
                let path = try #require(proof["path"] as? [String]).map(Self.bytes)
                let root = Self.bytes(try #require(proof["root"] as? String))
                #expect(MerkleTree.verifyInclusion(leafHash: leafHash, index: index, size: size, proof: path, root: root))
                if proof["checkpointed"] as? Bool == true {
                    #expect(size == checkpointSize && root == checkpointRoot, "the proof reaches the signed checkpoint's root")
                }
            }
            #expect((releases[0]["inclusion_proof"] as? [String: Any])?["checkpointed"] as? Bool == true)
            #expect((releases[1]["inclusion_proof"] as? [String: Any])?["checkpointed"] as? Bool == false)
            #expect(!(report["console_views"] as? [[String: Any]] ?? []).isEmpty)
            // Both the page and the download are in the view log.
            #expect(try await console.users.views(upn: Self.child).count == 2)
        }
    }

    @Test("the legal holds, the latest checkpoint, and a verify run here")
    func holdsAndCheckpoint() async throws {
        let hub = try Hub(), harness = try ConsoleHarness()
        let console = try await Self.console(hub, harness: harness)
        try await Application(router: ConsoleApplication.makeRouter(console: console)).test(.router) { client in
            let ig = try await harness.signIn(client, "ig.one")
            let holds = String(buffer: try await harness.get(client, "/legal-holds", as: ig).body)
            HTMLChecks.expectAccessible(holds)
            #expect(holds.contains("SAR-2026-014") && holds.contains(hub.childPseudonym) && holds.contains("liaison audit hold"))
            let checkpoint = String(buffer: try await harness.get(client, "/audit/checkpoint", as: ig).body)
            HTMLChecks.expectAccessible(checkpoint)
            #expect(checkpoint.contains("<dd class=\"summary-list__value\">58</dd>"))
            #expect(checkpoint.contains("tag--green\">valid"))
            #expect(!checkpoint.contains("The log verifies"))
            let verified = String(buffer: try await harness.post(client, "/audit/verify", as: ig).body)
            HTMLChecks.expectAccessible(verified)
            #expect(verified.contains("The log verifies") && verified.contains("60 entries"))
        }
    }

    @Test("other roles get 403 on every IG page; without hub_config the pages say why")
    func onlyIG() async throws {
        let hub = try Hub(), harness = try ConsoleHarness()
        let console = try await Self.console(hub, harness: harness)
        try await Application(router: ConsoleApplication.makeRouter(console: console)).test(.router) { client in
            for name in ["manager.one", "esw.one", "operator.one"] {
                let session = try await harness.signIn(client, name)
                for path in ["/audit", "/subject-access", "/legal-holds", "/audit/checkpoint"] {
                    #expect(try await harness.get(client, path, as: session).status == .forbidden, "\(name) \(path)")
                }
                #expect(try await harness.post(client, "/subject-access", [("upn", Self.child)], as: session).status == .forbidden)
                #expect(try await harness.post(client, "/audit/verify", as: session).status == .forbidden)
            }
        }
        #expect(try await console.users.views(upn: Self.child).isEmpty)
        // The standard harness's console has no hub_config.
        try await harness.addUser("ig.two", .ig)
        try await harness.application().test(.router) { client in
            let ig = try await harness.signIn(client, "ig.two")
            let page = try await harness.get(client, "/legal-holds", as: ig)
            #expect(page.status == .serviceUnavailable)
            #expect(String(buffer: page.body).contains("names no hub_config"))
        }
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }
}
