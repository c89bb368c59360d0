import StrictJSON
import LiaisonProtocol

/// A written data-sharing agreement or protocol, with what the ICO's data sharing code asks an
/// agreement to state, and the flows it permits.
public struct Agreement: Sendable {
    public var id: String
    public var title: String
    public var version: String
    public var parties: [AgencyID]
    public var lawfulBasis: String
    public var purpose: String
    /// Dates as `YYYY-MM-DD`; they compare correctly as text.
    public var effective: String
    public var review: String
    public var end: String
    public var retention: String
    /// How long the hub keeps the bodies of messages shared under it (`body_retention`); nil: until deleted by hand.
    public var bodyRetention: RetentionPeriod?
    public var contact: String
    public var flows: [Flow]
    /// The file it came from.
    public var file: String
}

/// One permitted exchange under an agreement: who to whom, which types, why, which records and fields.
public struct Flow: Sendable {
    public var id: String
    public var from: AgencyID
    public var to: AgencyID
    public var types: [MessageType]
    public var purpose: String
    /// The array of records in the body (e.g. `/pupils`); `nil` when the whole body is one record.
    public var records: FieldPath?
    /// Conditions every released record must meet.
    public var conditions: [Condition]
    /// The fields the recipient may see; everything else is removed.
    public var fields: [FieldPath] {
        get { allowList.patterns }
        set { allowList = AllowList(newValue) }
    }
    /// `fields` as the minimiser walks them, made once when they are set.
    var allowList: AllowList
    public var obligations: [Obligation]
    /// The sender's free-text envelope attributes this flow passes on (`envelope:` in the YAML); none by default.
    public var envelopeAttributes: Set<EnvelopeAttribute> = []
    public var line: Int?
}

/// An envelope attribute whose text the sender wrote freely, passed to a recipient only where its flow says so.
public enum EnvelopeAttribute: String, Sendable, CaseIterable, Comparable {
    case correlationid
    case dataschema
    case purpose

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A condition on one record.
public enum Condition: Sendable, Equatable, CustomStringConvertible {
    /// The record's key (e.g. `/upn`) is in the recipient's cohort of this name.
    case inCohort(String, key: FieldPath)
    /// The record's key is not in the recipient's cohort of this name (e.g. opt-outs).
    case notInCohort(String, key: FieldPath)
    /// The child's age on the message's date, from the date of birth at `dateOfBirth`, is in the range.
    case age(dateOfBirth: FieldPath, minimum: Int, maximum: Int)
    /// The value at `path` equals `value` (e.g. `/looked_after` is `true`).
    case equals(FieldPath, JSONValue)

    public var description: String {
        switch self {
        case .inCohort(let name, let key): "\(key) is in the recipient's cohort '\(name)'"
        case .notInCohort(let name, let key): "\(key) is not in the recipient's cohort '\(name)'"
        case .age(let dob, let minimum, let maximum): "aged \(minimum) to \(maximum) (from \(dob)) on the message's date"
        case .equals(let path, let value): "\(path) is \(String(decoding: value.encoded(), as: UTF8.self))"
        }
    }
}

/// Something the hub must do to a released view.
public enum Obligation: Sendable, Equatable {
    /// Replace each string at the path by a keyed pseudonym (HMAC-SHA-256 with the hub's secret).
    case pseudonymise(FieldPath)
}
