import Foundation
import LiaisonConfig
import LiaisonProtocol
import LiaisonRules
import LiaisonStore
import Logging
import StrictJSON

@testable import LiaisonBroker

/// A `HubCore` over a `MemoryLedger`, driven the way `BrokerLoop` drives it, with the clock in the test's hands.
struct CoreHarness {
    static let agencyIDs = ["npas", "schools-mis", "connexions", "yot", "social-services", "courts", "advisory-service"]
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var core: HubCore
    let ledger = MemoryLedger()
    var time = HubTime(monotonic: 1_000, wall: 1_764_000_000_000, today: "2026-12-02")
    private var nextRoutingID: UInt8 = 1

    /// - Parameters:
    ///   - rules: load the county's agreements from config/agreements (then the rules decide every recipient).
    ///   - schemas: load the county's message schemas from schemas/ (then every body is checked against its type's).
    init(rules: Bool = false, schemas useSchemas: Bool = false, configure: (inout HubConfiguration) -> Void = { _ in }) throws {
        var configuration = HubConfiguration(endpoint: "ipc:///nonexistent", dataDirectory: "/nonexistent", keysDirectory: "/nonexistent", agenciesFile: "/nonexistent")
        configuration.heartbeatMilliseconds = 1000
        configure(&configuration)
        let agencies = AgencyDirectory(CoreHarness.agencyIDs.map { Agency(id: AgencyID($0)!, name: $0, publicKey: CoreHarness.key(of: $0)) })
        let schemas = useSchemas ? try MessageSchemas.load(directory: CoreHarness.repository.appendingPathComponent("schemas").path) : nil
        var policy: SharingPolicy?
        if rules {
            let loaded = RuleSetLoader.load(
                directory: CoreHarness.repository.appendingPathComponent("config/agreements").path, agencies: agencies, schemas: schemas,
                today: time.today)
            policy = SharingPolicy(ruleSet: loaded.ruleSet, pseudonymKey: Array("core-tests".utf8))
        }
        var logger = Logger(label: "hub-core-tests")
        logger.logLevel = .critical
        core = HubCore(
            configuration: configuration, agencies: agencies, schemas: schemas, policy: policy, ledger: ledger, cohorts: [:],
            hubName: "liaison tests", logger: logger)
    }

    /// Each agency's (synthetic) public key: its id's bytes, padded to 32.
    static func key(of agency: String) -> [UInt8] {
        Array((Array(agency.utf8) + [UInt8](repeating: 0, count: 32)).prefix(32))
    }

    /// Opens a connection for `agency` and says HELLO; returns its routing id once WELCOME came back.
    mutating func connect(_ agency: String, credit: Int = 10, consumes: [String] = ["*"]) -> RoutingID {
        let routingID: RoutingID = [0, nextRoutingID]
        nextRoutingID += 1
        let replies = receive(.hello(Hello(adapter: "\(agency)-test", version: "1", consumes: consumes, credit: credit)), from: routingID, as: agency)
        precondition(replies.contains { if case .welcome = $0.1 { true } else { false } }, "no WELCOME for \(agency)")
        return routingID
    }

    /// A command arrives from a connection; runs one cycle and returns everything sent, in order.
    @discardableResult
    mutating func receive(_ command: AdapterCommand, from routingID: RoutingID, as agency: String) -> [(RoutingID, HubCommand)] {
        core.receive(
            from: routingID, agency: AgencyID(agency)!, keyFingerprint: Digest.fingerprint(ofKey: CoreHarness.key(of: agency)),
            peer: "test", frames: WireCodec.encode(command)[...], droppedFrames: 0, time: time)
        return cycle()
    }

    /// A SEND arrives and is admitted, and nothing more happens: no commit, no dispatch (the test drives those).
    mutating func offer(_ id: String, type: String = "case.note", from routingID: RoutingID, as agency: String, to recipients: [String]) {
        let envelope = Envelope(
            id: id, source: AgencyID(agency)!, type: MessageType(type)!, recipients: recipients.map { AgencyID($0)! })
        core.receive(
            from: routingID, agency: AgencyID(agency)!, keyFingerprint: Digest.fingerprint(ofKey: CoreHarness.key(of: agency)),
            peer: nil, frames: WireCodec.encode(AdapterCommand.send(envelope: envelope.encoded(), body: HubCoreTests.body.encoded()))[...],
            droppedFrames: 0, time: time)
    }

    /// The tags of the DELIVERs among the core's waiting actions (which it then forgets).
    mutating func deliveredTags() -> [Int64] {
        core.takeActions().compactMap { action -> Int64? in
            if case .send(.deliver(let tag, _, _, _), _) = action { tag } else { nil }
        }
    }

    /// SENDs a message; runs one cycle.
    @discardableResult
    mutating func send(
        _ id: String, type: String, from routingID: RoutingID, as agency: String, to recipients: [String] = [], body: JSONValue
    ) -> [(RoutingID, HubCommand)] {
        let envelope = Envelope(
            id: id, source: AgencyID(agency)!, type: MessageType(type)!, recipients: recipients.map { AgencyID($0)! })
        return receive(.send(envelope: envelope.encoded(), body: body.encoded()), from: routingID, as: agency)
    }

    /// One turn of the broker's loop after reading: commit, answer, dispatch, commit.
    mutating func cycle(bounce: Set<RoutingID> = []) -> [(RoutingID, HubCommand)] {
        var sent: [(RoutingID, HubCommand)] = []
        func run(_ core: inout HubCore, _ time: HubTime) {
            var bounced: [(routingID: RoutingID, tag: Int64)] = []
            for action in core.takeActions() {
                guard case .send(let command, let routingID) = action else { continue }
                if case .deliver(let tag, _, _, _) = command, bounce.contains(routingID) {
                    bounced.append((routingID, tag))
                    continue
                }
                sent.append((routingID, command))
            }
            if !bounced.isEmpty { core.bounced(bounced, time: time) }
            core.closeDisconnected(time: time)
        }
        func commit(_ core: inout HubCore, _ time: HubTime) {
            guard core.hasPendingWork else { return }
            let batch = core.takeBatch()
            let ledger = ledger
            core.committed(batch, Result { () throws(StoreError) in try ledger.commit(batch.operations, at: time.wall) }, time: time)
            run(&core, time)
        }
        run(&core, time)
        commit(&core, time)
        core.dispatch(time: time)
        run(&core, time)
        commit(&core, time)
        return sent
    }

    /// The clock moves on by `milliseconds`; the core ticks; one cycle runs.
    @discardableResult
    mutating func advance(_ milliseconds: Int64) -> [(RoutingID, HubCommand)] {
        time.monotonic += milliseconds
        time.wall += milliseconds
        core.tick(time: time)
        return cycle()
    }
}

extension Array where Element == (RoutingID, HubCommand) {
    /// The deliveries among these sends: (to, tag, body).
    var deliveries: [(to: RoutingID, tag: Int64, body: [UInt8])] {
        compactMap { if case .deliver(let tag, _, let body, _) = $0.1 { ($0.0, tag, body) } else { nil } }
    }

    /// The receipts among these sends.
    var receipts: [Receipt] {
        compactMap { if case .accepted(_, let receipt) = $0.1 { receipt } else { nil } }
    }

    /// The rejection codes among these sends.
    var rejections: [ProtocolError.Code] {
        compactMap { if case .rejected(_, let code, _) = $0.1 { code } else { nil } }
    }
}
