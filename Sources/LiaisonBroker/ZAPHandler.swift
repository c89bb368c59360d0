import LiaisonStore
import LiaisonConfig
import ZeroMQ

/// The ZeroMQ Authentication Protocol handler (RFC 27): decides, for each CURVE handshake, whether the
/// client's key belongs to a listed agency. Deny by default: an unlisted key, or any mechanism but CURVE,
/// is refused.
///
/// libzmq 4.3.4 lets ANY client key through a CURVE server when no ZAP handler is bound, so the broker
/// binds this handler's socket before its ROUTER socket exists, and refuses to start if it cannot.
struct ZAPHandler {
    static let endpoint = "inproc://zeromq.zap.01"
    static let domain = "liaison"

    /// A decoded ZAP request: the fields the decision needs.
    struct Request: Equatable {
        var requestID: [UInt8]
        var domain: String
        var address: String
        var mechanism: String
        var credentials: [[UInt8]]
    }

    /// The handler's decision about one request.
    struct Decision: Equatable {
        var accepted: Bool
        var userID: String
        var statusText: String
        /// For the audit: the refused key's fingerprint, when there was a key.
        var keyFingerprint: String?
    }

    let agencies: AgencyDirectory
    /// Today's date in UTC (`YYYY-MM-DD`): a key outside its `current_until` / `next_from` dates is refused.
    var today: String

    /// Parses a request's frames (after REP's envelope), as RFC 27 lays them out.
    static func parse(_ frames: [[UInt8]]) -> Request? {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        return Request(
            requestID: frames[1], domain: String(decoding: frames[2], as: UTF8.self),
            address: String(decoding: frames[3], as: UTF8.self), mechanism: String(decoding: frames[5], as: UTF8.self),
            credentials: Array(frames.dropFirst(6)))
    }

    func decide(_ request: Request) -> Decision {
        guard request.mechanism == "CURVE", let key = request.credentials.first, key.count == 32 else {
            return Decision(accepted: false, userID: "", statusText: "Only CURVE is accepted", keyFingerprint: nil)
        }
        guard let agency = agencies.agency(publicKey: key, on: today) else {
            let known = agencies.agency(publicKey: key) != nil
            return Decision(
                accepted: false, userID: "", statusText: known ? "Key not valid today" : "Unknown key",
                keyFingerprint: Digest.fingerprint(ofKey: key))
        }
        // The user id names the key as well as the agency, so that a reload can end exactly the sessions of a key
        // that was removed (an agency may have two keys during a rotation). Agency ids never contain '/'.
        return Decision(
            accepted: true, userID: "\(agency.id.rawValue)/\(Digest.fingerprint(ofKey: key))", statusText: "OK", keyFingerprint: nil)
    }

    /// The agency and key fingerprint of a connection's ZAP user id (`agency/fingerprint`).
    static func identity(ofUserID userID: String) -> (agency: String, key: String) {
        guard let slash = userID.firstIndex(of: "/") else { return (userID, "") }
        return (String(userID[..<slash]), String(userID[userID.index(after: slash)...]))
    }

    /// The reply frames for `decision`.
    static func reply(to request: Request?, _ decision: Decision) -> [[UInt8]] {
        [
            Array("1.0".utf8), request?.requestID ?? [], Array((decision.accepted ? "200" : "400").utf8),
            Array(decision.statusText.utf8), Array(decision.userID.utf8), [],
        ]
    }
}
