import LiaisonStore
import LiaisonProtocol

extension BrokerLoop {
    /// Commits everything this cycle produced in one transaction, then sends the replies.
    ///
    /// ACCEPTED goes out only after the commit returned: "acknowledge only after commit" is the rule
    /// this whole design serves. If the commit fails, every SEND of the cycle is answered 503 (re-send),
    /// and settled deliveries go back on their queues to be delivered again.
    func commitCycle() {
        var work = pending
        pending = CycleWork()
        if !work.operations.isEmpty {
            let wallNow = BrokerLoop.wallClock()
            do {
                try store.transaction { tx in
                    for index in work.operations.indices {
                        switch work.operations[index] {
                        case .insert(var send):
                            let recipients = send.recipients
                            let result = try tx.insertMessage(
                                source: send.envelope.source.rawValue, messageID: send.envelope.id,
                                type: send.envelope.type.rawValue, envelope: send.envelopeBytes, body: send.body,
                                bodyDigest: send.bodyDigest, receivedAt: send.receivedAt, expiresAt: send.expiresAt,
                                retainUntil: send.retainUntil)
                            var firstEntry: Int64?
                            if !result.duplicate {
                                for var event in send.auditOnInsert {
                                    event.sequence = result.sequence
                                    let entry = try tx.append(event)
                                    firstEntry = firstEntry ?? entry
                                    if event.kind == .decision, let recipient = event.recipient { send.recipientEntries[recipient] = entry }
                                }
                                if let cohort = send.cohort {
                                    try tx.updateCohort(
                                        owner: send.envelope.source.rawValue, name: cohort.name, operation: cohort.operation,
                                        members: cohort.members)
                                }
                            }
                            send.result = result
                            let accepted = try tx.append(AuditEvent(
                                result.duplicate ? .duplicate : .accepted, at: wallNow, agency: send.envelope.source.rawValue,
                                messageID: send.envelope.id, sequence: result.sequence, type: send.envelope.type.rawValue,
                                recipient: recipients.isEmpty ? nil : recipients.joined(separator: ","), bodyDigest: send.bodyDigest))
                            send.auditEntry = accepted
                            if !result.duplicate {
                                for recipient in recipients where send.recipientEntries[recipient] == nil {
                                    send.recipientEntries[recipient] = accepted
                                }
                                try tx.insertDeliveries(
                                    sequence: result.sequence, recipients: recipients, views: send.views,
                                    envelopeViews: send.envelopeViews, auditEntries: send.recipientEntries)
                                if !send.subjects.isEmpty {
                                    try tx.indexSubjects(send.subjects, sequence: result.sequence, entries: (firstEntry ?? accepted)...accepted)
                                }
                            }
                            work.operations[index] = .insert(send)
                        case .audit(let event):
                            try tx.append(event)
                        case .attempt(let recipient, let sequence):
                            try tx.recordAttempt(recipient: recipient, sequence: sequence)
                        case .acknowledge(let delivery):
                            try tx.acknowledge(recipient: delivery.recipient, sequence: delivery.sequence, at: wallNow)
                        case .deadLetter(let delivery, let cause, let reason, let audit):
                            if try tx.deadLetter(
                                recipient: delivery.recipient, sequence: delivery.sequence, cause: cause, reason: reason, at: wallNow)
                            {
                                try tx.append(audit)
                            }
                        }
                    }
                }
            } catch {
                logger.error("Commit failed; answering 503 and keeping deliveries: \(error)")
                for operation in work.operations {
                    switch operation {
                    case .insert(let offered):
                        send(.rejected(
                            reference: offered.envelope.id, code: .storeUnavailable,
                            reason: "The hub could not store the message; nothing was kept. Send it again."), to: offered.routingID)
                    case .acknowledge(let delivery), .deadLetter(let delivery, _, _, _):
                        queues[delivery.recipient]?.requeueAtFront([delivery])
                        work.touched.insert(delivery.recipient)
                    default: break
                    }
                }
                for (routingID, command) in work.replies { send(command, to: routingID) }
                pending.touched.formUnion(work.touched)
                return
            }
            // Committed: route new messages and answer their senders.
            for operation in work.operations {
                guard case .insert(let offered) = operation, let result = offered.result else { continue }
                if !result.duplicate, let cohort = offered.cohort {
                    applyCohort(owner: offered.envelope.source, name: cohort.name, operation: cohort.operation, members: cohort.members)
                }
                let recipients = offered.recipients
                if !result.duplicate {
                    for recipient in recipients {
                        queues[recipient]?.offer(QueuedDelivery(
                            sequence: result.sequence, recipient: recipient, type: offered.envelope.type.rawValue,
                            messageID: offered.envelope.id, source: offered.envelope.source.rawValue,
                            envelope: offered.envelopeViews[recipient] ?? offered.envelopeBytes, body: offered.views[recipient] ?? offered.body,
                            bodyDigest: offered.bodyDigest, attempts: 0,
                            expiresAt: offered.expiresAt, auditEntry: offered.recipientEntries[recipient]))
                        work.touched.insert(recipient)
                    }
                }
                send(
                    .accepted(
                        messageID: offered.envelope.id,
                        receipt: Receipt(
                            sequence: result.sequence, recipients: recipients, duplicate: result.duplicate,
                            auditEntry: result.duplicate ? nil : offered.auditEntry)),
                    to: offered.routingID)
            }
        }
        for (routingID, command) in work.replies { send(command, to: routingID) }
        pending.touched.formUnion(work.touched)
    }

    /// Mirrors a committed cohort change in memory.
    func applyCohort(owner: AgencyID, name: String, operation: String, members: [String]) {
        var current = cohorts[owner]?[name] ?? []
        switch operation {
        case "replace": current = Set(members)
        case "remove": current.subtract(members)
        default: current.formUnion(members)
        }
        cohorts[owner, default: [:]][name] = current
    }

    /// Hands out deliveries for every agency whose queue or sessions changed this cycle.
    func dispatchTouched() {
        let touched = pending.touched
        pending.touched = []
        for agency in touched { dispatch(agency: agency) }
    }

    /// Sends an agency's ready deliveries to its sessions with credit, round-robin, in sequence order.
    func dispatch(agency: String) {
        guard var queue = queues[agency] else { return }
        defer { queues[agency] = queue }
        let routingIDs = sessionsByAgency[agency] ?? []
        guard routingIDs.contains(where: { sessions[$0]?.hasCredit == true }) else { return }
        let now = BrokerLoop.monotonic()
        let wallNow = BrokerLoop.wallClock()
        var next = 0
        while true {
            if queue.wantsRefill {
                let asked = queue.window - queue.ready.count
                do {
                    let loaded = try store.pendingDeliveries(recipient: agency, after: queue.cursor, limit: asked)
                    queue.refill(with: loaded, asked: asked)
                } catch {
                    logger.error("Could not page in deliveries for \(agency): \(error)")
                }
            }
            guard !queue.ready.isEmpty else { return }
            var skipped: [QueuedDelivery] = []
            var progressed = false
            while let delivery = queue.ready.popFirst() {
                if delivery.expiresAt <= wallNow {
                    deadLetter(delivery, cause: "expired", reason: "Not delivered within its time to live", wallNow: wallNow)
                    progressed = true
                    continue
                }
                guard let type = MessageType(delivery.type) else { continue }
                var chosen: [UInt8]?
                for offset in 0..<routingIDs.count {
                    let candidate = routingIDs[(next + offset) % routingIDs.count]
                    if sessions[candidate]?.canDeliver(type) == true {
                        chosen = candidate
                        next = (next + offset + 1) % routingIDs.count
                        break
                    }
                }
                guard let routingID = chosen else {
                    skipped.append(delivery)
                    if !routingIDs.contains(where: { sessions[$0]?.hasCredit == true }) { break }
                    continue
                }
                guard send(
                    .deliver(tag: delivery.sequence, envelope: delivery.envelope, body: delivery.body, auditEntry: delivery.auditEntry),
                    to: routingID) else {
                    skipped.append(delivery)
                    retryDispatch.insert(agency)
                    break
                }
                sessions[routingID]?.didDeliver(tag: delivery.sequence, now: now)
                queue.inFlight[delivery.sequence] = (routingID, delivery)
                pending.operations.append(.audit(AuditEvent(
                    .delivered, at: wallNow, agency: delivery.source, messageID: delivery.messageID,
                    sequence: delivery.sequence, type: delivery.type, recipient: agency, bodyDigest: delivery.bodyDigest)))
                progressed = true
            }
            // Put back what could not go, ahead of anything not yet looked at, keeping sequence order.
            for delivery in skipped.reversed() { queue.ready.prepend(delivery) }
            if !progressed || !queue.wantsRefill { return }
        }
    }

    // MARK: Sending

    /// Sends a command to a peer. Returns false if the peer is unreachable (its session is closed) or its
    /// pipe is full (then a reply is kept in the peer's backlog; a delivery is left for the caller to keep).
    @discardableResult
    func send(_ command: HubCommand, to routingID: [UInt8]) -> Bool {
        // Nothing more goes to a connection the broker has cut off (and no backlog is made for it).
        guard !silenced.contains(routingID) else { return false }
        let frames = [routingID] + WireCodec.encode(command)
        if backlogs[routingID] != nil {
            if case .deliver = command { return false }
            guard backlogs[routingID]!.count < BrokerLoop.maxBacklog else {
                disconnect(routingID, because: "its reply backlog passed \(BrokerLoop.maxBacklog) (it sends but does not read)")
                return false
            }
            backlogs[routingID]!.append(frames)
            return true
        }
        do {
            try router.send(frames, dontWait: true)
            sessions[routingID]?.didSend(now: BrokerLoop.monotonic())
            return true
        } catch {
            if error.isAgain {
                if case .deliver = command { return false }
                backlogs[routingID, default: []].append(frames)
                return true
            }
            // The peer's connection is gone; close its session after the current dispatch, not in the middle of it.
            if error.isHostUnreachable { lostPeers.insert(routingID) }
            return false
        }
    }

    /// Ends a peer's session and ignores its routing id from now on: libzmq cannot close one ROUTER peer's
    /// connection, so the peer hears nothing more, falls silent by its own heartbeat rule and reconnects as a new
    /// connection. Its unacknowledged deliveries go back to the queue.
    func disconnect(_ routingID: [UInt8], because reason: String) {
        guard !silenced.contains(routingID) else { return }
        silenced.insert(routingID)
        backlogs[routingID] = nil
        disconnectedPeers.insert(routingID)
        logger.warning("Disconnected a peer", metadata: [
            "agency": "\(sessions[routingID]?.agency.rawValue ?? "?")", "reason": "\(reason)",
        ])
    }

    /// Closes the sessions of peers libzmq reported unreachable, and of those the broker cut off.
    func closeLostPeers() {
        let ended = disconnectedPeers
        disconnectedPeers = []
        for routingID in ended {
            guard let agency = sessions[routingID]?.agency.rawValue else { continue }
            let action = sessions[routingID]!.disconnect()
            perform(action, routingID: routingID, agency: agency, peer: nil, now: BrokerLoop.monotonic())
        }
        let lost = lostPeers
        lostPeers = []
        for routingID in lost {
            guard let agency = sessions[routingID]?.agency.rawValue else { continue }
            let action = sessions[routingID]!.lost()
            perform(action, routingID: routingID, agency: agency, peer: nil, now: BrokerLoop.monotonic())
        }
    }

    /// Retries peers' backlogs, oldest first; stops at a peer's first message that still cannot go.
    func flushBacklogs() {
        for routingID in Array(backlogs.keys) {
            var queued = backlogs[routingID]!
            while let frames = queued.first {
                do {
                    try router.send(frames, dontWait: true)
                    queued.removeFirst()
                } catch {
                    if !error.isAgain { queued.removeAll() }
                    break
                }
            }
            backlogs[routingID] = queued.isEmpty ? nil : queued
            // Deliveries held back while this peer's pipe was full can go now.
            if queued.isEmpty, let agency = sessions[routingID]?.agency.rawValue { pending.touched.insert(agency) }
        }
    }
}
