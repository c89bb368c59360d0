import LiaisonProtocol

extension HubStore: HubLedger {
    /// One group commit: every message, audit record and settlement of a broker cycle in one transaction.
    package func commit(_ operations: [StoreOperation], at wallNow: Int64) throws(StoreError) -> CommitResult {
        try transaction { tx in try tx.apply(operations, at: wallNow) }
    }
}

extension LedgerTransaction {
    /// What one group commit does, on either engine: each operation in order, in the caller's transaction.
    package func apply(_ operations: [StoreOperation], at wallNow: Int64) throws -> CommitResult {
        var result = CommitResult()
        try prepare(operations)
        for (index, operation) in operations.enumerated() {
            switch operation {
            case .insert(let plan):
                result.stored[index] = try store(plan, at: wallNow)
            case .audit(let event):
                try append(event)
            case .attempt(let recipient, let sequence):
                try recordAttempt(recipient: recipient, sequence: sequence)
            case .acknowledge(let delivery):
                try acknowledge(recipient: delivery.recipient, sequence: delivery.sequence, at: wallNow)
            case .deadLetter(let delivery, let cause, let reason, let audit):
                if try deadLetter(recipient: delivery.recipient, sequence: delivery.sequence, cause: cause, reason: reason, at: wallNow) {
                    try append(audit)
                }
            case .replayDeadLetter(let recipient, let sequence, let audit):
                if try replayDeadLetter(recipient: recipient, sequence: sequence) {
                    try append(audit)
                    result.found.insert(index)
                }
            case .discardDeadLetter(let recipient, let sequence, let audit):
                if try discardDeadLetter(recipient: recipient, sequence: sequence, at: wallNow) {
                    try append(audit)
                    result.found.insert(index)
                }
            }
        }
        return result
    }

    /// Stores one admitted message: the message, and if it is new its decisions, cohort change, deliveries and
    /// subject index; then its acceptance (or, for a resend, a `duplicate` record).
    package func store(_ plan: MessagePlan, at wallNow: Int64) throws -> CommitResult.Stored {
        let source = plan.envelope.source
        let inserted = try insertMessage(
            source: source.rawValue, messageID: plan.envelope.id, type: plan.envelope.type.rawValue,
            envelope: plan.envelopeBytes, body: plan.body, bodyDigest: plan.bodyDigest, receivedAt: plan.receivedAt,
            expiresAt: plan.expiresAt, retainUntil: plan.retainUntil)
        var firstEntry: Int64?
        var recipientEntries: [AgencyID: Int64] = [:]
        if !inserted.duplicate {
            for var event in plan.auditOnInsert {
                event.sequence = inserted.sequence
                let entry = try append(event)
                firstEntry = firstEntry ?? entry
                if event.kind == .decision, let recipient = event.recipient { recipientEntries[AgencyID(stored: recipient)] = entry }
            }
            if let cohort = plan.cohort {
                try updateCohort(owner: cohort.owner, name: cohort.name, operation: cohort.operation, members: cohort.members)
            }
        }
        let accepted = try append(AuditEvent(
            inserted.duplicate ? .duplicate : .accepted, at: wallNow, agency: source.rawValue, messageID: plan.envelope.id,
            sequence: inserted.sequence, type: plan.envelope.type.rawValue,
            recipient: plan.recipients.isEmpty ? nil : plan.recipients.map(\.rawValue).joined(separator: ","),
            bodyDigest: plan.bodyDigest))
        guard !inserted.duplicate else {
            return .init(sequence: inserted.sequence, duplicate: true, auditEntry: nil, recipientEntries: [:])
        }
        for recipient in plan.recipients where recipientEntries[recipient] == nil { recipientEntries[recipient] = accepted }
        try insertDeliveries(
            sequence: inserted.sequence, recipients: plan.recipients, views: plan.views, envelopeViews: plan.envelopeViews,
            auditEntries: recipientEntries)
        if !plan.subjects.isEmpty {
            try indexSubjects(plan.subjects, sequence: inserted.sequence, entries: (firstEntry ?? accepted)...accepted)
        }
        return .init(sequence: inserted.sequence, duplicate: false, auditEntry: accepted, recipientEntries: recipientEntries)
    }
}
