import DequeModule
import LiaisonStore
import LiaisonProtocol

/// One recipient agency's delivery queue, as the broker holds it in memory.
///
/// The durable queue is the `deliveries` table; this is a bounded window onto it. New messages join the
/// window while it has room and nothing older waits in the store; otherwise they stay in the store and
/// are paged in, in sequence order, as the window drains. So memory is bounded by the window, not by how
/// much an offline agency has waiting.
struct AgencyQueue {
    /// Deliveries ready to go, in sequence order (redeliveries go to the front).
    var ready: Deque<QueuedDelivery> = []
    /// Deliveries refused with NACK retry, waiting for their back-off to pass.
    var delayed: [(notBefore: Int64, delivery: QueuedDelivery)] = []
    /// Deliveries sent and not yet settled, by delivery tag (= sequence), with the session they went to.
    var inFlight: [Int64: (routingID: RoutingID, delivery: QueuedDelivery)] = [:]
    /// The highest sequence that has entered memory.
    var cursor: Int64 = 0
    /// Whether the store may hold pending deliveries above `cursor` that are not in memory.
    var backlogInStore = true
    let window: Int

    init(window: Int) {
        self.window = window
    }

    /// Offers a newly committed delivery: it joins memory only if the store holds nothing older for us.
    mutating func offer(_ delivery: QueuedDelivery) {
        // Already paged in: the store was read after this delivery's batch committed (the commit runs on its own
        // thread, so a refill can see a batch before the loop hears that it committed).
        guard delivery.sequence > cursor else { return }
        if !backlogInStore && ready.count < window {
            ready.append(delivery)
            cursor = max(cursor, delivery.sequence)
        } else {
            backlogInStore = true
        }
    }

    /// Whether to page in from the store now.
    var wantsRefill: Bool { backlogInStore && ready.count < window / 2 }

    /// Appends deliveries paged in from the store (all above `cursor`, in order).
    mutating func refill(with deliveries: [QueuedDelivery], asked: Int) {
        for delivery in deliveries where delivery.sequence > cursor && inFlight[delivery.sequence] == nil {
            ready.append(delivery)
        }
        if let last = deliveries.last { cursor = max(cursor, last.sequence) }
        if deliveries.count < asked { backlogInStore = false }
    }

    /// Puts deliveries back at the head of the queue (a session went away with them unsettled).
    mutating func requeueAtFront(_ deliveries: [QueuedDelivery]) {
        for delivery in deliveries.sorted(by: { $0.sequence > $1.sequence }) {
            ready.prepend(delivery)
        }
    }

    /// Moves delayed deliveries whose back-off has passed to the front of the queue.
    mutating func releaseDelayed(now: Int64) {
        guard !delayed.isEmpty else { return }
        let due = delayed.filter { $0.notBefore <= now }.map(\.delivery)
        guard !due.isEmpty else { return }
        delayed.removeAll { $0.notBefore <= now }
        requeueAtFront(due)
    }

    /// Drops any waiting (not in-flight) deliveries whose sequence is in `sequences`.
    mutating func remove(_ sequences: Set<Int64>) {
        guard !sequences.isEmpty else { return }
        ready.removeAll { sequences.contains($0.sequence) }
        delayed.removeAll { sequences.contains($0.delivery.sequence) }
    }

    var isIdle: Bool { ready.isEmpty && delayed.isEmpty && inFlight.isEmpty && !backlogInStore }
}
