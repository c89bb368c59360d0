/// Why a delivery became a dead letter; the raw value is what the `dead_letters` table stores.
package enum DeadLetterCause: String, Sendable, CaseIterable {
    /// The recipient refused it with NACK reject.
    case rejected
    /// Its time to live ran out before the recipient acknowledged it.
    case expired
    /// The recipient refused it with NACK retry as many times as `max_attempts` allows.
    case attempts
}

extension DeadLetterCause {
    /// What a `rejected` dead letter's reason becomes when its message's body is deleted at the end of its retention:
    /// the reason is the recipient's free text about that body, so it goes with it. The hub's own reasons (`expired`,
    /// `attempts`) say nothing about the body and stay.
    package static let reasonDeletedWithBody = "(the recipient's reason was deleted with the message's body when its retention ended)"
}
