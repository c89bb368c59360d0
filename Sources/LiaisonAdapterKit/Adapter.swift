/// An agency's adapter, declared once: who it acts for, what it takes, and what it does with each delivery.
/// ``AdapterService`` runs any adapter: it connects, hands each delivery to ``handle(_:client:)`` and settles it
/// by the outcome, and (for an ``InboxAdapter``) calls ``InboxAdapter/poll(client:)`` every
/// ``InboxAdapter/pollInterval``.
///
/// ```swift
/// struct Advisory: Adapter {
///     var agency: String { "advisory-service" }
///     var consumes: [String] { ["termly.feed"] }
///     func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome {
///         // write it durably, then:
///         return .done
///     }
/// }
/// try await AdapterService(adapter: Advisory(), client: client, logger: logger).run()
/// ```
public protocol Adapter: Sendable {
    /// The agency it acts for unless told otherwise (its key is then `KEYS_DIR/AGENCY.key`), e.g. `npas`.
    var agency: String { get }
    /// Its name in HELLO and the hub's audit, and its logger's label, e.g. `npas-desk` (default: the agency).
    var name: String { get }
    /// The message types it takes (HELLO's `consumes`); the hub delivers it nothing else.
    var consumes: [String] { get }
    /// What it did with one delivery: `.done` only once its part is durable (the file written, the row
    /// committed), since the runner then acknowledges it and the hub forgets it.
    ///
    /// - Parameter client: the connection, for adapters that answer or pass a delivery on.
    func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome
    /// How many deliveries it may work on at once (default 1: one at a time, in the order the hub sent them).
    var concurrentDeliveries: Int { get }
    /// Whether `delivery` may be worked on beside others that may (asked only when ``concurrentDeliveries`` is
    /// more than 1; default false). A delivery that may not waits until the work in hand is done and is then worked
    /// on alone, so its order relative to every other delivery is kept.
    func mayOverlap(_ delivery: Delivery) -> Bool
}

extension Adapter {
    public var name: String { agency }
    public var concurrentDeliveries: Int { 1 }
    public func mayOverlap(_ delivery: Delivery) -> Bool { false }
}

/// An adapter that also works an inbox: files people or systems drop in, sent on through the hub.
public protocol InboxAdapter: Adapter {
    /// One pass over the inbox (a file a stopped run left half done first). It must not throw: a file that
    /// cannot be used goes to `failed/` with a report, and one that cannot be sent yet waits for the next pass.
    func poll(client: AdapterClient) async
    /// The pause between passes (default 500 ms).
    var pollInterval: Duration { get }
}

extension InboxAdapter {
    public var pollInterval: Duration { .milliseconds(500) }
}
