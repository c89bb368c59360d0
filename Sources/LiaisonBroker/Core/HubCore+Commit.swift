import LiaisonProtocol
import LiaisonStore

extension HubCore {
    /// The batch the next group commit stores; the core keeps nothing of it until `committed(_:_:time:)`.
    mutating func takeBatch() -> HubBatch {
        var batch = pending
        pending = HubBatch()
        // Which queues changed is for the next dispatch, not for the store: it stays here. (Carried inside the
        // batch, it would ride from commit to commit while the loop commits the next batch before dispatching.)
        pending.touched = batch.touched
        batch.touched = []
        return batch
    }

    /// The store has committed `batch` (or failed to): new messages are queued for their recipients and their
    /// senders answered ACCEPTED, and the replies that waited for the commit go out.
    ///
    /// If the commit failed, every SEND of the batch is answered 503 (send again), and settled deliveries go back
    /// on their queues to be delivered again.
    mutating func committed(_ batch: HubBatch, _ result: Result<CommitResult, StoreError>, time: HubTime) {
        var touched = batch.touched
        switch result {
        case .failure(let error):
            logger.error("Commit failed; answering 503 and keeping deliveries: \(error)")
            for (index, operation) in batch.operations.enumerated() {
                switch operation {
                case .insert(let plan):
                    if let sender = batch.senders[index] {
                        reply(.rejected(
                            reference: plan.envelope.id, code: .storeUnavailable,
                            reason: "The hub could not store the message; nothing was kept. Send it again."), to: sender, time: time)
                    }
                case .acknowledge(let delivery), .deadLetter(let delivery, _, _, _):
                    scheduler.requeueAtFront([delivery])
                    touched.insert(delivery.recipient)
                default: break
                }
            }
            if let index = batch.adminOperation { adminCommitted(batch.operations[index], found: nil, time: time) }
        case .success(let stored):
            if let index = batch.adminOperation {
                adminCommitted(batch.operations[index], found: stored.found.contains(index), time: time)
            }
            if !batch.operations.isEmpty { tally.commits += 1 }
            for (index, operation) in batch.operations.enumerated() {
                switch operation {
                case .audit(let event) where event.kind == .delivered: tally.deliveries += 1
                case .acknowledge(let delivery):
                    tally.acknowledged += 1
                    backlog[delivery.recipient, default: 0] -= 1
                case .deadLetter(let delivery, let cause, _, _):
                    tally.deadLetters[cause, default: 0] += 1
                    backlog[delivery.recipient, default: 0] -= 1
                default: break
                }
                guard case .insert(let plan) = operation, let outcome = stored.stored[index] else { continue }
                if !outcome.duplicate {
                    for recipient in plan.recipients { backlog[recipient, default: 0] += 1 }
                    if let change = plan.cohort { apply(change) }
                    for recipient in plan.recipients {
                        scheduler.offer(QueuedDelivery(
                            sequence: outcome.sequence, recipient: recipient, type: plan.envelope.type, messageID: plan.envelope.id,
                            source: plan.envelope.source, envelope: plan.envelopeViews[recipient] ?? plan.envelopeBytes,
                            body: plan.views[recipient] ?? plan.body, bodyDigest: plan.bodyDigest, attempts: 0,
                            expiresAt: plan.expiresAt, auditEntry: outcome.recipientEntries[recipient]))
                        touched.insert(recipient)
                    }
                }
                if let sender = batch.senders[index] {
                    reply(
                        .accepted(
                            messageID: plan.envelope.id,
                            receipt: Receipt(
                                sequence: outcome.sequence, recipients: plan.recipients.map(\.rawValue), duplicate: outcome.duplicate,
                                auditEntry: outcome.duplicate ? nil : outcome.auditEntry)),
                        to: sender, time: time)
                }
            }
        }
        for (routingID, command) in batch.replies { reply(command, to: routingID, time: time) }
        pending.touched.formUnion(touched)
        publishMetrics()
    }

    /// Mirrors a committed cohort change in memory.
    mutating func apply(_ change: CohortChange) {
        let current = cohorts[change.owner]?[change.name] ?? []
        cohorts[change.owner, default: [:]][change.name] = change.operation.apply(change.members, to: current)
        decisionGeneration += 1
    }

    /// Asks the loop to send a reply (nothing goes to a connection the hub has cut off).
    mutating func reply(_ command: HubCommand, to routingID: RoutingID, time: HubTime) {
        switch command {
        case .accepted(_, let receipt):
            tally.accepted += 1
            if receipt.duplicate { tally.duplicates += 1 }
        case .rejected(_, let code, _): tally.rejected[code, default: 0] += 1
        default: break
        }
        if case .welcome = command, awaitingWelcome.remove(routingID) != nil, let agency = sessions[routingID]?.agency {
            pending.touched.insert(agency)
        }
        guard !silenced.contains(routingID) else { return }
        sessions[routingID]?.didSend(now: time.monotonic)
        outbox.append(.send(command, to: routingID))
    }
}
