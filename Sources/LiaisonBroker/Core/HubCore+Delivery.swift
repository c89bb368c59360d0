import LiaisonProtocol
import LiaisonStore

extension HubCore {
    /// Hands out deliveries for every agency whose queue or connections changed, and those whose pipe was full.
    mutating func dispatch(time: HubTime) {
        // Sessions the hub cut off end first: their deliveries go back to the queue and nothing goes to them.
        closeDisconnected(time: time)
        let touched = pending.touched.union(scheduler.retry)
        pending.touched = []
        scheduler.retry = []
        let logger = logger
        for agency in touched {
            let chosen = scheduler.dispatch(
                agency: agency, sessions: &sessions, excluding: awaitingWelcome, ledger: ledger, now: time.monotonic, wallNow: time.wall,
                onPageFailure: { logger.error("Could not page in deliveries for \(agency): \($0)") })
            for delivery in chosen.expired {
                deadLetter(delivery, cause: .expired, reason: "Not delivered within its time to live", time: time)
            }
            for (routingID, delivery) in chosen.sends {
                outbox.append(.send(
                    .deliver(tag: delivery.sequence, envelope: delivery.envelope, body: delivery.body, auditEntry: delivery.auditEntry),
                    to: routingID))
                audit(AuditEvent(
                    .delivered, at: time.wall, agency: delivery.source.rawValue, messageID: delivery.messageID,
                    sequence: delivery.sequence, type: delivery.type.rawValue, recipient: agency.rawValue, bodyDigest: delivery.bodyDigest))
            }
        }
    }

    /// DELIVERs the loop could not hand over (the connection's pipe was full, or it has a backlog of replies):
    /// not delivered after all, so not audited as delivered, and back at the head of the queue to go again soon.
    mutating func bounced(_ deliveries: [(routingID: RoutingID, tag: Int64)], time: HubTime) {
        var returned: [(routingID: RoutingID, delivery: QueuedDelivery)] = []
        for (routingID, tag) in deliveries {
            guard let agency = sessions[routingID]?.agency,
                let delivery = scheduler.queues[agency]?.inFlight[tag]?.delivery
            else { continue }
            sessions[routingID]?.didNotDeliver(tag: tag)
            returned.append((routingID, delivery))
            if let index = pending.operations.lastIndex(where: {
                if case .audit(let event) = $0, event.kind == .delivered, event.sequence == tag, event.recipient == agency.rawValue {
                    return true
                }
                return false
            }) {
                pending.operations.remove(at: index)
            }
        }
        scheduler.bounced(returned)
    }

    /// A connection's pipe has room again: what was held back for it can go.
    mutating func pipeDrained(_ routingID: RoutingID) {
        if let agency = sessions[routingID]?.agency { pending.touched.insert(agency) }
    }

    /// An ACK or NACK for a delivery in flight.
    mutating func settle(tag: Int64, outcome: PeerSession.Settlement, agency: AgencyID, time: HubTime) {
        guard let delivery = scheduler.settle(agency: agency, tag: tag) else { return }
        pending.touched.insert(agency)
        switch outcome {
        case .ack:
            pending.operations.append(.acknowledge(delivery))
            audit(AuditEvent(
                .acknowledged, at: time.wall, agency: agency.rawValue, messageID: delivery.messageID, sequence: tag,
                type: delivery.type.rawValue, recipient: agency.rawValue))
        case .nack(.reject, let reason):
            // The reason is the recipient's free text, kept with the dead letter and shown to operators: anything in it
            // that looks like a child's details (a UPN, an email, a phone number, a postcode, a date of birth) is
            // masked before it is stored.
            let year = Int(time.today.prefix(4)) ?? 2000
            deadLetter(delivery, cause: .rejected, reason: PersonalDataScanner.redacted(reason, year: year), time: time)
        case .nack(.retry, _):
            var retried = delivery
            retried.attempts += 1
            if retried.attempts >= configuration.maxAttempts {
                deadLetter(retried, cause: .attempts, reason: "Refused \(retried.attempts) times with NACK retry", time: time)
            } else {
                pending.operations.append(.attempt(recipient: agency, sequence: tag))
                audit(AuditEvent(
                    .nackRetry, at: time.wall, agency: agency.rawValue, messageID: delivery.messageID, sequence: tag,
                    type: delivery.type.rawValue, recipient: agency.rawValue, detail: "attempt \(retried.attempts)"))
                scheduler.delay(retried, until: time.monotonic + configuration.retryBackoffMilliseconds * Int64(retried.attempts))
            }
        }
    }

    /// Moves a delivery to the dead letters, audited if it was still pending when the commit runs.
    mutating func deadLetter(_ delivery: QueuedDelivery, cause: DeadLetterCause, reason: String, time: HubTime) {
        pending.operations.append(.deadLetter(
            delivery, cause: cause, reason: reason,
            audit: AuditEvent(
                cause == .expired ? .expired : .deadLettered, at: time.wall, agency: delivery.recipient.rawValue,
                messageID: delivery.messageID, sequence: delivery.sequence, type: delivery.type.rawValue,
                recipient: delivery.recipient.rawValue, detail: cause.rawValue)))
    }

    /// A session ended: its unsettled deliveries go back to the head of its agency's queue.
    mutating func close(routingID: RoutingID, agency: AgencyID, unsettled: [Int64], reason: PeerSession.CloseReason, time: HubTime) {
        let session = sessions.removeValue(forKey: routingID)
        sessionKeys[routingID] = nil
        connectedAt[routingID] = nil
        awaitingWelcome.remove(routingID)
        let requeued = scheduler.disconnect(routingID, agency: agency, unsettled: unsettled)
        pending.touched.insert(agency)
        audit(AuditEvent(
            .adapterGone, at: time.wall, agency: agency.rawValue,
            detail: "\(session?.hello?.adapter ?? "unnamed"): \(reason.rawValue), \(requeued) deliveries requeued"))
        logger.info("Adapter gone", metadata: ["agency": "\(agency)", "reason": "\(reason.rawValue)"])
    }

    // MARK: Time

    /// Heartbeats, silent peers, delayed retries, expiry, a new day's key check, and the aggregates of refusals
    /// whose minute has ended.
    ///
    /// - Parameter readUpTo: when the loop last read everything waiting; silence is judged against it (a session
    ///   is expired for what it did not send, never for what the broker did not read).
    mutating func tick(time: HubTime, readUpTo: Int64? = nil) {
        if time.today != keysCheckedOn {
            // A new UTC day: a key may have passed its `current_until`.
            if !keysCheckedOn.isEmpty { _ = endSessionsOfInvalidKeys(on: time.today, time: time) }
            keysCheckedOn = time.today
        }
        for routingID in Array(sessions.keys) {
            guard sessions[routingID] != nil else { continue }
            let action = sessions[routingID]!.tick(now: time.monotonic, readUpTo: readUpTo)
            if case .none = action { continue }
            perform(action, routingID: routingID, peer: nil, time: time)
        }
        pending.touched.formUnion(scheduler.releaseDelayed(now: time.monotonic))
        for event in refusals.closedMinutes(now: time.wall) { audit(event) }
        if time.wall - lastExpirySweep >= 1000 {
            lastExpirySweep = time.wall
            sweepExpired(time: time)
        }
    }

    /// Dead-letters pending deliveries whose time to live has run out, in flight or not.
    mutating func sweepExpired(time: HubTime) {
        let expired: [QueuedDelivery]
        do { expired = try ledger.expiredDeliveries(now: time.wall, limit: 10_000) } catch {
            logger.error("Expiry sweep failed: \(error)")
            return
        }
        for delivery in expired {
            deadLetter(delivery, cause: .expired, reason: "Not acknowledged within its time to live", time: time)
        }
        pending.touched.formUnion(scheduler.expire(expired))
    }
}
