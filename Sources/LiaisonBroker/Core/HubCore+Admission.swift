import LiaisonProtocol
import LiaisonRules
import LiaisonStore
import StrictJSON

extension HubCore {
    /// A message arrived on a connection authenticated as `agency` with the key `keyFingerprint` (both from ZAP).
    ///
    /// - Parameters:
    ///   - frames: the frames after the routing id.
    ///   - droppedFrames: frames past `maxFrames` the loop counted but did not copy.
    mutating func receive(
        from routingID: RoutingID, agency: AgencyID, keyFingerprint: String, peer: String?, frames: ArraySlice<[UInt8]>,
        droppedFrames: Int, time: HubTime
    ) {
        guard !silenced.contains(routingID) else { return }
        guard agencies.contains(agency) else {
            // Cannot happen while the ZAP handler is bound: every connection carries a listed agency.
            logger.error("Dropped a message from a connection with no agency")
            return
        }
        if sessions[routingID] == nil {
            // A connection made before its key was removed (or before the key's last day passed) opens no new
            // session: the handshake was checked then, the key is checked now.
            guard keyIsValid(agency: agency, fingerprint: keyFingerprint, on: time.today) else {
                silenced.insert(routingID)
                logger.notice("Ignored a connection whose key is no longer listed", metadata: ["agency": "\(agency)"])
                return
            }
            sessions[routingID] = PeerSession(agency: agency, limits: limits, now: time.monotonic)
            connectedAt[routingID] = time.wall
            sessionKeys[routingID] = keyFingerprint
            scheduler.connect(routingID, agency: agency)
        }
        let decoded = Result { () throws(ProtocolError) in
            guard droppedFrames == 0 else {
                throw ProtocolError(
                    .malformedCommand,
                    "The message has \(frames.count + droppedFrames) frames; no command has more than \(HubCore.maxFrames - 1).")
            }
            return try WireCodec.decodeAdapterCommand(frames)
        }
        let action = sessions[routingID]!.receive(decoded, now: time.monotonic)
        perform(action, routingID: routingID, peer: peer, time: time)
    }

    /// Carries out what a session decided.
    mutating func perform(_ action: PeerSession.Action, routingID: RoutingID, peer: String?, time: HubTime) {
        guard let agency = sessions[routingID]?.agency else { return }
        switch action {
        case .none:
            break
        case .reply(let command):
            if case .rejected(let reference, let code, let reason) = command {
                let tallied = refusals.record(.init(kind: .rejected, who: agency.rawValue, code: code.number), at: time.wall, peer: peer)
                if let closed = tallied.closed { audit(closed) }
                if tallied.first {
                    audit(AuditEvent(
                        .rejected, at: time.wall, agency: agency.rawValue, peer: peer, messageID: reference.isEmpty ? nil : reference,
                        code: code.number, detail: code.name))
                }
                // The reason can echo what the sender wrote, so it is logged only at debug level.
                logger.notice("Rejected a command", metadata: ["agency": "\(agency)", "code": "\(code)"])
                logger.debug("Rejection reason", metadata: ["reason": "\(reason)"])
            }
            pending.replies.append((routingID, command))
        case .welcome(let welcome, let firstTime):
            pending.replies.append((routingID, .welcome(welcome)))
            // The commit runs beside the loop: a DELIVER must not overtake the WELCOME that waits for it.
            awaitingWelcome.insert(routingID)
            if firstTime {
                let hello = sessions[routingID]?.hello
                audit(AuditEvent(
                    .adapterConnected, at: time.wall, agency: agency.rawValue, peer: peer,
                    detail: "\(hello?.adapter ?? "?") \(hello?.version ?? "?"), credit \(welcome.credit)"))
                logger.info("Adapter connected", metadata: ["agency": "\(agency)", "adapter": "\(hello?.adapter ?? "?")"])
            }
            pending.touched.insert(agency)
        case .process(let envelopeBytes, let body):
            process(envelopeBytes: envelopeBytes, body: body, routingID: routingID, agency: agency, peer: peer, time: time)
        case .settle(let tag, let outcome):
            settle(tag: tag, outcome: outcome, agency: agency, time: time)
        case .close(let unsettled, let reason):
            close(routingID: routingID, agency: agency, unsettled: unsettled, reason: reason, time: time)
        }
    }

    /// Checks a SEND's envelope against the connection and the directory; a small body is checked at once, a
    /// large one off the loop.
    mutating func process(envelopeBytes: [UInt8], body: [UInt8], routingID: RoutingID, agency: AgencyID, peer: String?, time: HubTime) {
        let envelope: Envelope
        do { envelope = try Envelope.decode(envelopeBytes) } catch {
            return rejectSend(error, routingID: routingID, peer: peer, time: time)
        }
        if let error = check(envelope, from: agency) { return rejectSend(error, routingID: routingID, peer: peer, time: time) }
        if schemas != nil || policy != nil, body.count >= HubCore.offloadBytes || parked[routingID] != nil || checksBodiesOffLoop {
            // A large body, or any body under load (`checksBodiesOffLoop`), is checked off the loop; anything after it
            // on the same connection waits its turn, so the connection's order is kept.
            parked[routingID, default: []].append(ParkedSend(
                ticket: nextTicket, routingID: routingID, agency: agency, peer: peer, envelope: envelope, body: body, wallNow: time.wall))
            parkedConnections[nextTicket] = routingID
            parkedBytes += body.count
            // The rules decide there too, on the inputs as they are now; `bodiesChecked` decides again if they changed.
            let decision = policy.map {
                BodyChecker.DecisionInput(
                    policy: $0, envelope: envelope, receivedAt: time.wall, date: time.today, cohorts: cohorts, generation: decisionGeneration)
            }
            outbox.append(.checkBody(.init(ticket: nextTicket, body: body, type: envelope.type, reference: envelope.id, decision: decision)))
            nextTicket += 1
            return
        }
        var json: JSONValue?
        if let schemas {
            do { json = try schemas.check(body: body, type: envelope.type, reference: envelope.id) } catch {
                return rejectSend(error, routingID: routingID, peer: peer, time: time)
            }
        }
        admit(envelope, body: body, json: json, routingID: routingID, peer: peer, receivedAt: time.wall, time: time)
    }

    /// What is wrong with an envelope's source and recipients, if anything.
    func check(_ envelope: Envelope, from agency: AgencyID) -> ProtocolError? {
        guard envelope.source == agency else {
            return ProtocolError(
                .spoofedSource,
                "'source' is '\(envelope.source)' but this connection is authenticated as '\(agency)': an agency can only send as itself.",
                reference: envelope.id)
        }
        if let unknown = envelope.recipients.first(where: { !agencies.contains($0) }) {
            return ProtocolError(
                .unknownRecipient,
                "'\(unknown)' is not an agency this hub knows; known: \(agencies.agencies.map(\.id.rawValue).joined(separator: ", ")).",
                reference: envelope.id)
        }
        guard policy != nil || !envelope.recipients.isEmpty else {
            return ProtocolError(.noRecipients, "'recipients' names no agency: say who the message is for.", reference: envelope.id)
        }
        return nil
    }

    /// Answers a SEND with REJECTED (audited, as every rejection is).
    mutating func rejectSend(_ error: ProtocolError, routingID: RoutingID, peer: String?, time: HubTime) {
        perform(.reply(.rejected(reference: error.reference, code: error.code, reason: error.message)), routingID: routingID, peer: peer, time: time)
    }

    /// Body checks done off the loop: admits, connection by connection in the order the checks finished, the parked
    /// SENDs at the head whose turn has come.
    mutating func bodiesChecked(_ results: [(ticket: Int64, result: Result<BodyChecker.Checked, ProtocolError>)], time: HubTime) {
        for (ticket, result) in results { checkedBodies[ticket] = result }
        for (ticket, _) in results {
            // Already admitted with an earlier result's connection, or its connection has nothing checked at its head.
            guard let routingID = parkedConnections[ticket] else { continue }
            admitChecked(on: routingID, time: time)
        }
    }

    /// Admits the parked SENDs at the head of one connection's queue whose checks are back.
    mutating func admitChecked(on routingID: RoutingID, time: HubTime) {
        while let head = parked[routingID]?.first, let result = checkedBodies.removeValue(forKey: head.ticket) {
            parked[routingID]!.removeFirst()
            if parked[routingID]!.isEmpty { parked[routingID] = nil }
            parkedConnections[head.ticket] = nil
            parkedBytes -= head.body.count
            // A SEND from a connection the hub has since cut off is dropped unanswered, as everything it sends is.
            if silenced.contains(head.routingID) { continue }
            switch result {
            case .failure(let error):
                rejectSend(error, routingID: head.routingID, peer: head.peer, time: time)
            case .success(let checked):
                // The checker's decision stands only if nothing it read has changed since (a cohort update committed,
                // the rules reloaded, midnight passed).
                let current = checked.generation == decisionGeneration && checked.date == time.today ? checked.admission : nil
                admit(
                    head.envelope, body: head.body, json: checked.json, decided: current, routingID: head.routingID, peer: head.peer,
                    receivedAt: head.wallNow, time: time)
            }
        }
    }

    /// Decides a checked SEND under the sharing rules (when the hub has them) and plans it for the commit.
    ///
    /// Whatever is stored and forwarded is rebuilt from the parsed envelope, never the sender's bytes: a
    /// recipient's parser must see exactly the attributes the hub checked.
    ///
    /// - Parameter decided: the rules' decision, already made off the loop on the current inputs (`BodyChecker`).
    mutating func admit(
        _ envelope: Envelope, body: [UInt8], json: JSONValue?, decided: Admission? = nil, routingID: RoutingID, peer: String?,
        receivedAt: Int64, time: HubTime
    ) {
        var plan = MessagePlan(
            envelope: envelope, envelopeBytes: envelope.encoded(), body: body, bodyDigest: Digest.sha256Hex(body),
            recipients: envelope.recipients, receivedAt: receivedAt, expiresAt: receivedAt + configuration.ttl(for: envelope.type))
        guard let policy else {
            return pending.insert(plan, from: routingID)
        }
        guard let value = json ?? (try? JSONValue.parse(body)) else {
            return rejectSend(
                ProtocolError(.bodyNotJSON, "The sharing rules read the body, so it must be JSON.", reference: envelope.id),
                routingID: routingID, peer: peer, time: time)
        }
        let admission = decided ?? policy.admit(envelope, body: value, receivedAt: receivedAt, date: time.today, cohorts: cohorts)
        for decision in admission.decisions {
            let outcome: HubTally.Outcome = !decision.permitted ? .denied : decision.viewIsWholeBody ? .permitted : .minimised
            tally.decisions[HubTally.DecisionKey(agreement: decision.agreement?.id ?? "none", outcome: outcome), default: 0] += 1
        }
        let agency = envelope.source.rawValue
        let events = admission.records.map { record in
            AuditEvent(
                .decision, at: receivedAt, agency: agency, messageID: envelope.id, type: envelope.type.rawValue,
                recipient: record.recipient.rawValue, bodyDigest: plan.bodyDigest,
                code: record.permitted ? 0 : ProtocolError.Code.denied.number, detail: record.detail)
        }
        switch admission.verdict {
        case .refuse(let error):
            // A resend of a message already accepted (the rules may have changed since) is answered with its
            // first receipt, not refused. A permitted resend needs no look-up: the insert finds it, and its
            // decisions are then not audited again.
            if error.code == .denied, let held = try? ledger.heldSequence(source: envelope.source, messageID: envelope.id) {
                pending.replies.append((routingID, .accepted(
                    messageID: envelope.id,
                    receipt: Receipt(sequence: held.sequence, recipients: held.recipients.map(\.rawValue), duplicate: true))))
                return
            }
            for event in events { audit(event) }
            return rejectSend(error, routingID: routingID, peer: peer, time: time)
        case .updateCohort(let name, let operation, let members, let keptBody):
            // Applied, and audited, in the commit only if the message is not a resend of one already applied. The
            // stored body is rebuilt from the UPNs; the digest stays the sender's, so the audit still names exactly
            // what was sent.
            plan.recipients = []
            plan.body = keptBody
            plan.subjects = admission.subjects
            plan.cohort = CohortChange(owner: envelope.source, name: name, operation: operation, members: members)
            plan.auditOnInsert = [AuditEvent(
                .cohortUpdated, at: receivedAt, agency: agency, messageID: envelope.id, type: envelope.type.rawValue,
                detail: "\(name): \(operation.rawValue) \(members.count)")]
        case .share:
            plan.recipients = admission.recipients
            plan.auditOnInsert = events
            plan.subjects = admission.subjects
            plan.retainUntil = admission.retainUntil
            plan.views = admission.views
            // A recipient's envelope is stored only where it differs from the message's own: when the message names
            // just that recipient and carries nothing its flow withholds, the store hands it the message's envelope,
            // which is the same text (`envelopeBytes` is this envelope's encoding).
            plan.envelopeViews = admission.envelopes.compactMapValues { $0 == envelope ? nil : $0.encoded() }
        }
        pending.insert(plan, from: routingID)
    }

    /// A handshake the ZAP handler refused: audited in full once per key, code and minute, the rest as a count.
    mutating func handshakeRefused(keyFingerprint: String?, peer: String?, statusText: String, time: HubTime) {
        let who = refusals.tallyName(forKey: keyFingerprint ?? "-", at: time.wall)
        let tallied = refusals.record(.init(kind: .handshakeRefused, who: who, code: 400), at: time.wall, peer: peer)
        if let closed = tallied.closed { audit(closed) }
        guard tallied.first else { return }
        audit(AuditEvent(
            .handshakeRefused, at: time.wall, peer: peer,
            detail: keyFingerprint.map { "key \($0): \(statusText)" } ?? statusText))
        logger.notice("Refused a handshake", metadata: ["peer": "\(peer ?? "?")", "key": "\(keyFingerprint ?? "-")"])
    }
}
