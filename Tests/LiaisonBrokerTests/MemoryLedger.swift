import LiaisonProtocol
import LiaisonStore

/// A store in memory, for driving `HubCore` in its tests: the same contract as `HubStore` (one batch, all or
/// nothing; a resend found by source and id; deliveries paged in sequence order), none of the disk.
final class MemoryLedger: HubLedger {
    enum State { case pending, acknowledged, dead }

    struct Row {
        var delivery: QueuedDelivery
        var state: State
    }

    private(set) var audit: [AuditEvent] = []
    private(set) var deliveries: [AgencyID: [Int64: Row]] = [:]
    private(set) var deadLetters: [(recipient: AgencyID, sequence: Int64, cause: DeadLetterCause, reason: String)] = []
    private(set) var cohorts: [AgencyID: [String: Set<String>]] = [:]
    private(set) var bodies: [Int64: [UInt8]] = [:]
    /// Each message's recipients' own envelopes, where the core stored one.
    private(set) var envelopeViews: [Int64: [AgencyID: [UInt8]]] = [:]
    private var messages: [String: Int64] = [:]
    private var lastSequence: Int64 = 0
    /// Makes the next commit fail, as a full disk would.
    var failNextCommit = false

    func commit(_ operations: [StoreOperation], at wallNow: Int64) throws(StoreError) -> CommitResult {
        if failNextCommit {
            failNextCommit = false
            throw StoreError(.commitFailed, "The test's store refused the commit.")
        }
        var result = CommitResult()
        for (index, operation) in operations.enumerated() {
            switch operation {
            case .insert(let plan):
                result.stored[index] = store(plan, at: wallNow)
            case .audit(let event):
                append(event)
            case .attempt(let recipient, let sequence):
                deliveries[recipient]?[sequence]?.delivery.attempts += 1
            case .acknowledge(let delivery):
                if deliveries[delivery.recipient]?[delivery.sequence]?.state == .pending {
                    deliveries[delivery.recipient]![delivery.sequence]!.state = .acknowledged
                }
            case .deadLetter(let delivery, let cause, let reason, let event):
                guard deliveries[delivery.recipient]?[delivery.sequence]?.state == .pending else { continue }
                deliveries[delivery.recipient]![delivery.sequence]!.state = .dead
                deadLetters.append((delivery.recipient, delivery.sequence, cause, reason))
                append(event)
            case .replayDeadLetter(let recipient, let sequence, let event):
                guard let found = deadLetters.firstIndex(where: { $0.recipient == recipient && $0.sequence == sequence }) else { continue }
                deadLetters.remove(at: found)
                deliveries[recipient]![sequence]!.state = .pending
                deliveries[recipient]![sequence]!.delivery.attempts = 0
                append(event)
                result.found.insert(index)
            case .discardDeadLetter(let recipient, let sequence, let event):
                guard let found = deadLetters.firstIndex(where: { $0.recipient == recipient && $0.sequence == sequence }) else { continue }
                deadLetters.remove(at: found)
                append(event)
                result.found.insert(index)
            }
        }
        return result
    }

    private func store(_ plan: MessagePlan, at wallNow: Int64) -> CommitResult.Stored {
        let key = "\(plan.envelope.source)|\(plan.envelope.id)"
        if let held = messages[key] {
            append(AuditEvent(.duplicate, at: wallNow, agency: plan.envelope.source.rawValue, messageID: plan.envelope.id, sequence: held))
            return .init(sequence: held, duplicate: true, auditEntry: nil, recipientEntries: [:])
        }
        lastSequence += 1
        let sequence = lastSequence
        messages[key] = sequence
        bodies[sequence] = plan.body
        envelopeViews[sequence] = plan.envelopeViews
        var entries: [AgencyID: Int64] = [:]
        for var event in plan.auditOnInsert {
            event.sequence = sequence
            let entry = append(event)
            if event.kind == .decision, let recipient = event.recipient { entries[AgencyID(recipient)!] = entry }
        }
        if let change = plan.cohort {
            let current = cohorts[change.owner]?[change.name] ?? []
            cohorts[change.owner, default: [:]][change.name] = change.operation.apply(change.members, to: current)
        }
        let accepted = append(AuditEvent(
            .accepted, at: wallNow, agency: plan.envelope.source.rawValue, messageID: plan.envelope.id, sequence: sequence,
            type: plan.envelope.type.rawValue))
        for recipient in plan.recipients {
            entries[recipient] = entries[recipient] ?? accepted
            deliveries[recipient, default: [:]][sequence] = Row(
                delivery: QueuedDelivery(
                    sequence: sequence, recipient: recipient, type: plan.envelope.type, messageID: plan.envelope.id,
                    source: plan.envelope.source, envelope: plan.envelopeViews[recipient] ?? plan.envelopeBytes,
                    body: plan.views[recipient] ?? plan.body, bodyDigest: plan.bodyDigest, attempts: 0, expiresAt: plan.expiresAt,
                    auditEntry: entries[recipient]),
                state: .pending)
        }
        return .init(sequence: sequence, duplicate: false, auditEntry: accepted, recipientEntries: entries)
    }

    @discardableResult
    private func append(_ event: AuditEvent) -> Int64 {
        audit.append(event)
        return Int64(audit.count)
    }

    func pendingDeliveries(recipient: AgencyID, after sequence: Int64, limit: Int) throws(StoreError) -> [QueuedDelivery] {
        (deliveries[recipient] ?? [:]).values.filter { $0.state == .pending && $0.delivery.sequence > sequence }
            .map(\.delivery).sorted { $0.sequence < $1.sequence }.prefix(limit).map { $0 }
    }

    func expiredDeliveries(now: Int64, limit: Int) throws(StoreError) -> [QueuedDelivery] {
        deliveries.values.flatMap(\.values).filter { $0.state == .pending && $0.delivery.expiresAt <= now }
            .map(\.delivery).sorted { $0.sequence < $1.sequence }.prefix(limit).map { $0 }
    }

    func heldSequence(source: AgencyID, messageID: String) throws(StoreError) -> (sequence: Int64, recipients: [AgencyID])? {
        guard let sequence = messages["\(source)|\(messageID)"] else { return nil }
        return (sequence, deliveries.compactMap { $0.value[sequence] == nil ? nil : $0.key }.sorted())
    }

    /// The audit records of one kind, in order.
    func events(_ kind: AuditEvent.Kind) -> [AuditEvent] { audit.filter { $0.kind == kind } }
}
