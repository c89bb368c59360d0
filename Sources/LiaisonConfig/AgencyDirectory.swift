import Foundation
import LiaisonProtocol
import ZeroMQ

/// One agency the hub knows, with the public keys that authenticate it.
public struct Agency: Sendable, Equatable {
    public let id: AgencyID
    public let name: String
    /// The current key, then (while a rotation is under way) the next one: at most two at once.
    public let keys: [AgencyKey]

    /// The current key.
    public var publicKey: [UInt8] { keys[0].publicKey }

    public init(id: AgencyID, name: String, keys: [AgencyKey]) {
        precondition(!keys.isEmpty, "an agency has at least one key")
        self.id = id
        self.name = name
        self.keys = keys
    }

    public init(id: AgencyID, name: String, publicKey: [UInt8]) {
        self.init(id: id, name: name, keys: [AgencyKey(publicKey: publicKey)])
    }
}

/// One of an agency's CURVE public keys, with the dates it is valid on (both optional, `YYYY-MM-DD`, in UTC).
public struct AgencyKey: Sendable, Equatable {
    public let publicKey: [UInt8]
    /// The first day the key is accepted (`next_from`).
    public let validFrom: String?
    /// The last day the key is accepted (`current_until`).
    public let validUntil: String?

    public init(publicKey: [UInt8], validFrom: String? = nil, validUntil: String? = nil) {
        self.publicKey = publicKey
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// Whether the key is accepted on `date` (`YYYY-MM-DD`; such dates compare correctly as text).
    public func isValid(on date: String) -> Bool {
        if let validFrom, date < validFrom { return false }
        if let validUntil, date > validUntil { return false }
        return true
    }
}

/// The agencies of `agencies.yaml`: who may connect, and as whom.
///
/// ```yaml
/// agencies:
///   yot:
///     name: Youth Offending Team
///     public_key_file: keys/yot.pub     # or public_key: "<40 characters of Z85>"
///     current_until: 2027-01-31         # optional: the last day the current key is accepted
///     next_public_key_file: keys/yot.next.pub   # optional, during a rotation (or next_public_key)
///     next_from: 2027-01-01             # optional: the first day the next key is accepted
/// ```
public struct AgencyDirectory: Sendable {
    public let agencies: [Agency]
    private let byKey: [[UInt8]: (agency: Agency, key: AgencyKey)]
    private let byID: [AgencyID: Agency]

    public init(_ agencies: [Agency]) {
        self.agencies = agencies.sorted { $0.id < $1.id }
        var byKey: [[UInt8]: (agency: Agency, key: AgencyKey)] = [:]
        for agency in agencies {
            for key in agency.keys where byKey[key.publicKey] == nil { byKey[key.publicKey] = (agency, key) }
        }
        self.byKey = byKey
        self.byID = Dictionary(agencies.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The agency whose public key this is; `nil` for any key not listed (deny by default).
    public func agency(publicKey: [UInt8]) -> Agency? { byKey[publicKey]?.agency }

    /// The agency whose public key this is, if the key is valid on `date` (`YYYY-MM-DD`, UTC).
    public func agency(publicKey: [UInt8], on date: String) -> Agency? {
        guard let entry = byKey[publicKey], entry.key.isValid(on: date) else { return nil }
        return entry.agency
    }

    public func agency(_ id: AgencyID) -> Agency? { byID[id] }

    public func contains(_ id: AgencyID) -> Bool { byID[id] != nil }

    /// Loads and checks `agencies.yaml`; relative key paths are resolved against the file's folder.
    ///
    /// With `requireKeys: false` (for tools that only need the agency ids, such as `liaison rules`), a key
    /// file that does not exist yet is not an error.
    public static func load(path: String, requireKeys: Bool = true) throws(ConfigurationError) -> AgencyDirectory {
        let root = try ConfigNode.load(path: path)
        let top = try root.mapping()
        let list = try top.required("agencies")
        try top.finish()
        let folder = (path as NSString).deletingLastPathComponent
        var agencies: [Agency] = []
        var keysSeen: [[UInt8]: String] = [:]
        for (key, node) in try list.entries() {
            guard let id = AgencyID(key) else {
                throw node.error(.invalidValue, "An agency id is lower-case letters, digits and '-' (1-64 characters).")
            }
            let fields = try node.mapping()
            let name = try fields.required("name").string()
            func publicKey(inline: ConfigNode?, file: ConfigNode?, names: String, required: Bool) throws(ConfigurationError) -> [UInt8]? {
                switch (inline, file) {
                case (let inline?, nil):
                    guard let decoded = Z85.decode(try inline.string()), decoded.count == 32 else {
                        throw inline.error(.badKey, "Expected a CURVE public key: 40 characters of Z85 text.")
                    }
                    return decoded
                case (nil, let file?):
                    let relative = try file.string()
                    let resolved = relative.hasPrefix("/") ? relative : "\(folder)/\(relative)"
                    if !requireKeys && !FileManager.default.fileExists(atPath: resolved) {
                        return Array("\(id.rawValue)/\(names)".utf8)  // a placeholder no CURVE key can equal
                    }
                    do { return try KeyFiles.readPublicKey(path: resolved) } catch {
                        throw file.error(error.code, "\(error.message) (\(resolved))")
                    }
                case (nil, nil) where !required:
                    return nil
                default:
                    throw node.error(.missingKey, "Give exactly one of \(names).")
                }
            }
            func date(_ key: String) throws(ConfigurationError) -> String? {
                guard let value = fields.optional(key) else { return nil }
                let text = try value.string()
                guard text.count == 10, text.utf8.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 ? $0.element == 0x2D : (0x30...0x39).contains($0.element) })
                else { throw value.error(.invalidValue, "Expected a date, YYYY-MM-DD.") }
                return text
            }
            let current = try publicKey(
                inline: fields.optional("public_key"), file: fields.optional("public_key_file"),
                names: "public_key or public_key_file", required: true)!
            let next = try publicKey(
                inline: fields.optional("next_public_key"), file: fields.optional("next_public_key_file"),
                names: "next_public_key or next_public_key_file", required: false)
            let currentUntil = try date("current_until")
            let nextFrom = try date("next_from")
            if next == nil, let stray = fields.optional("next_from") {
                throw stray.error(.invalidValue, "next_from needs a next key (next_public_key_file).")
            }
            try fields.finish()
            var keys = [AgencyKey(publicKey: current, validUntil: currentUntil)]
            if let next { keys.append(AgencyKey(publicKey: next, validFrom: nextFrom)) }
            for agencyKey in keys {
                if let other = keysSeen[agencyKey.publicKey] {
                    throw node.error(.badKey, "This public key is already '\(other)''s: each agency and each rotation needs its own key.")
                }
                keysSeen[agencyKey.publicKey] = key
            }
            agencies.append(Agency(id: id, name: name, keys: keys))
        }
        return AgencyDirectory(agencies)
    }
}
