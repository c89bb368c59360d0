import Foundation
import LiaisonAdapterKit
import LiaisonMessages
import Logging

/// The attendance service's desk (agency `npas`), the hub's home agency: it keeps the schools' returns and
/// referrals it receives in its own store (`DeskStore`), and at the end of each term sends the Advisory
/// Service its termly feed (`TermlyFeedBuilder`, run by `liaison desk term-end`). Each delivery is
/// acknowledged only once it is committed to the desk's store.
public struct NPASDesk: Sendable {
    public static let agency = "npas"
    public static let consumes = [AttendanceReturn.type, "referral"]

    public let store: DeskStore
    let logger: Logger

    public init(store: DeskStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func handle(_ delivery: Delivery) async -> DeliveryOutcome {
        switch delivery.envelope.type.rawValue {
        case AttendanceReturn.type:
            let body: AttendanceReturn
            do { body = try MessageCoding.decode(AttendanceReturn.self, from: delivery.body) } catch {
                return .reject("The attendance return could not be read: \(error)")
            }
            do {
                try await store.store(body, messageID: delivery.envelope.id)
                logger.info("Stored a return", metadata: [
                    "school": "\(body.school.laestab)", "half_term": "\(body.period.academicYear)-\(body.period.halfTerm)", "pupils": "\(body.pupils.count)",
                ])
                return .done
            } catch {
                return .retry("The desk's store could not take the return: \(error)")
            }
        case "referral":
            do {
                try await store.storeReferral(messageID: delivery.envelope.id, source: delivery.envelope.source.rawValue, body: delivery.body)
                return .done
            } catch {
                return .retry("The desk's store could not take the referral: \(error)")
            }
        default:
            return .reject("The desk does not handle \(delivery.envelope.type).")
        }
    }
}
