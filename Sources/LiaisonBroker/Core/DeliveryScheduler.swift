import LiaisonProtocol
import LiaisonStore

/// Who gets which delivery next: every recipient agency's queue, its connections in connection order, what is
/// in flight, what waits for a retry, and what has expired. I/O-free; the store is read only to page a queue in.
struct DeliveryScheduler {
    /// Each recipient agency's queue.
    var queues: [AgencyID: AgencyQueue] = [:]
    /// Each agency's connections, in connection order (for round-robin delivery).
    var connections: [AgencyID: [RoutingID]] = [:]
    /// Where each agency's round-robin resumes.
    var nextConnection: [AgencyID: Int] = [:]
    /// Agencies whose dispatch stopped at a full pipe: tried again soon.
    var retry: Set<AgencyID> = []
    let window: Int

    init(agencies: [AgencyID], window: Int) {
        self.window = window
        for agency in agencies { queues[agency] = AgencyQueue(window: window) }
    }

    mutating func addAgency(_ agency: AgencyID) {
        if queues[agency] == nil { queues[agency] = AgencyQueue(window: window) }
    }

    mutating func connect(_ routingID: RoutingID, agency: AgencyID) {
        connections[agency, default: []].append(routingID)
    }

    /// A connection has gone: its unsettled deliveries go back to the head of the queue.
    mutating func disconnect(_ routingID: RoutingID, agency: AgencyID, unsettled: [Int64]) -> Int {
        connections[agency]?.removeAll { $0 == routingID }
        var returned: [QueuedDelivery] = []
        for tag in unsettled {
            if let entry = queues[agency]?.inFlight.removeValue(forKey: tag) { returned.append(entry.delivery) }
        }
        queues[agency]?.requeueAtFront(returned)
        return returned.count
    }

    /// A newly committed delivery.
    mutating func offer(_ delivery: QueuedDelivery) {
        queues[delivery.recipient]?.offer(delivery)
    }

    /// Deliveries to try again first (a failed commit, a full pipe).
    mutating func requeueAtFront(_ deliveries: [QueuedDelivery]) {
        for (agency, some) in Dictionary(grouping: deliveries, by: \.recipient) { queues[agency]?.requeueAtFront(some) }
    }

    /// The delivery in flight with `tag` to `agency`, which is no longer in flight.
    mutating func settle(agency: AgencyID, tag: Int64) -> QueuedDelivery? {
        queues[agency]?.inFlight.removeValue(forKey: tag)?.delivery
    }

    /// A delivery refused with NACK retry waits until `notBefore`.
    mutating func delay(_ delivery: QueuedDelivery, until notBefore: Int64) {
        queues[delivery.recipient]?.delayed.append((notBefore, delivery))
    }

    /// Moves retries whose back-off has passed to the heads of their queues; returns the agencies that changed.
    mutating func releaseDelayed(now: Int64) -> [AgencyID] {
        var changed: [AgencyID] = []
        for agency in Array(queues.keys) {
            let before = queues[agency]!.ready.count
            queues[agency]!.releaseDelayed(now: now)
            if queues[agency]!.ready.count != before { changed.append(agency) }
        }
        return changed
    }

    /// Forgets expired deliveries, waiting or in flight (their dead letters are written by the caller).
    mutating func expire(_ deliveries: [QueuedDelivery]) -> Set<AgencyID> {
        var byAgency: [AgencyID: Set<Int64>] = [:]
        for delivery in deliveries {
            byAgency[delivery.recipient, default: []].insert(delivery.sequence)
            // One in flight too: a recipient that never settles it must not pin the body past retention. Its late
            // ACK or NACK then finds no in-flight entry and is ignored.
            queues[delivery.recipient]?.inFlight.removeValue(forKey: delivery.sequence)
        }
        for (agency, sequences) in byAgency { queues[agency]?.remove(sequences) }
        return Set(byAgency.keys)
    }

    /// Chooses the agency's next deliveries for its connections with credit (not those in `waiting`, whose
    /// WELCOME has not gone out yet), round-robin, in sequence order, paging the queue in from the store as it
    /// drains; marks them in flight.
    ///
    /// - Returns: the deliveries to send and the connection each goes to, and those found expired on the way.
    mutating func dispatch(
        agency: AgencyID, sessions: inout [RoutingID: PeerSession], excluding waiting: Set<RoutingID> = [], ledger: any HubLedger,
        now: Int64, wallNow: Int64, onPageFailure: (StoreError) -> Void
    ) -> (sends: [(RoutingID, QueuedDelivery)], expired: [QueuedDelivery]) {
        guard var queue = queues[agency] else { return ([], []) }
        defer { queues[agency] = queue }
        let routingIDs = (connections[agency] ?? []).filter { !waiting.contains($0) }
        guard routingIDs.contains(where: { sessions[$0]?.hasCredit == true }) else { return ([], []) }
        var sends: [(RoutingID, QueuedDelivery)] = []
        var expired: [QueuedDelivery] = []
        var next = (nextConnection[agency] ?? 0) % max(1, routingIDs.count)
        defer { nextConnection[agency] = next }
        while true {
            if queue.wantsRefill {
                let asked = queue.window - queue.ready.count
                do {
                    let loaded = try ledger.pendingDeliveries(recipient: agency, after: queue.cursor, limit: asked)
                    queue.refill(with: loaded, asked: asked)
                } catch {
                    onPageFailure(error)
                }
            }
            guard !queue.ready.isEmpty else { break }
            var skipped: [QueuedDelivery] = []
            var progressed = false
            while let delivery = queue.ready.popFirst() {
                if delivery.expiresAt <= wallNow {
                    expired.append(delivery)
                    progressed = true
                    continue
                }
                var chosen: RoutingID?
                for offset in 0..<routingIDs.count {
                    let candidate = routingIDs[(next + offset) % routingIDs.count]
                    if sessions[candidate]?.canDeliver(delivery.type) == true {
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
                sessions[routingID]?.didDeliver(tag: delivery.sequence, now: now)
                queue.inFlight[delivery.sequence] = (routingID, delivery)
                sends.append((routingID, delivery))
                progressed = true
            }
            // Put back what could not go, ahead of anything not yet looked at, keeping sequence order.
            for delivery in skipped.reversed() { queue.ready.prepend(delivery) }
            if !progressed || !queue.wantsRefill { break }
        }
        return (sends, expired)
    }

    /// DELIVERs the loop could not hand to their connections (a full pipe): no longer in flight, back at the head.
    mutating func bounced(_ deliveries: [(routingID: RoutingID, delivery: QueuedDelivery)]) {
        for (_, delivery) in deliveries {
            queues[delivery.recipient]?.inFlight.removeValue(forKey: delivery.sequence)
            retry.insert(delivery.recipient)
        }
        requeueAtFront(deliveries.map(\.delivery))
    }
}
