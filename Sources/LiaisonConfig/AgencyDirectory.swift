import Foundation
import LiaisonProtocol
import ZeroMQ

/// One agency the hub knows, with the public key that authenticates it.
public struct Agency: Sendable, Equatable {
    public let id: AgencyID
    public let name: String
    public let publicKey: [UInt8]
}

/// The agencies of `agencies.yaml`: who may connect, and as whom.
///
/// ```yaml
/// agencies:
///   yot:
///     name: Youth Offending Team
///     public_key_file: keys/yot.pub     # or public_key: "<40 characters of Z85>"
/// ```
public struct AgencyDirectory: Sendable {
    public let agencies: [Agency]
    private let byKey: [[UInt8]: Agency]
    private let byID: [AgencyID: Agency]

    public init(_ agencies: [Agency]) {
        self.agencies = agencies.sorted { $0.id < $1.id }
        self.byKey = Dictionary(agencies.map { ($0.publicKey, $0) }, uniquingKeysWith: { first, _ in first })
        self.byID = Dictionary(agencies.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The agency whose public key this is; `nil` for any key not listed (deny by default).
    public func agency(publicKey: [UInt8]) -> Agency? { byKey[publicKey] }

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
            let inline = fields.optional("public_key")
            let file = fields.optional("public_key_file")
            try fields.finish()
            let publicKey: [UInt8]
            switch (inline, file) {
            case (let inline?, nil):
                guard let decoded = Z85.decode(try inline.string()), decoded.count == 32 else {
                    throw inline.error(.badKey, "Expected a CURVE public key: 40 characters of Z85 text.")
                }
                publicKey = decoded
            case (nil, let file?):
                let relative = try file.string()
                let resolved = relative.hasPrefix("/") ? relative : "\(folder)/\(relative)"
                if !requireKeys && !FileManager.default.fileExists(atPath: resolved) {
                    publicKey = Array(id.rawValue.utf8)  // a placeholder no CURVE key can equal
                } else {
                    do { publicKey = try KeyFiles.readPublicKey(path: resolved) } catch {
                        throw file.error(error.code, "\(error.message) (\(resolved))")
                    }
                }
            default:
                throw node.error(.missingKey, "Give exactly one of public_key or public_key_file.")
            }
            if let other = keysSeen[publicKey] {
                throw node.error(.badKey, "This public key is already '\(other)''s: each agency needs its own key.")
            }
            keysSeen[publicKey] = key
            agencies.append(Agency(id: id, name: name, publicKey: publicKey))
        }
        return AgencyDirectory(agencies)
    }
}

