/// Why a delivery became a dead letter; the raw value is what the `dead_letters` table stores.
package enum DeadLetterCause: String, Sendable, CaseIterable {
    /// The recipient refused it with NACK reject.
    case rejected
    /// Its time to live ran out before the recipient acknowledged it.
    case expired
    /// The recipient refused it with NACK retry as many times as `max_attempts` allows.
    case attempts
}
