import Crypto
import Foundation
import LiaisonRules
import LiaisonStore
import StrictJSON
import Yams

/// Every share the hub made about one child, under each agreement: the decisions that released the child's data
/// (when, from whom, to whom, which kind of message, the flow, the agreement's version, the lawful basis and the
/// fields), read from the hub's store read-only, exactly as `liaison audit subject --upn` finds them: through the
/// child's keyed pseudonym (the audit log never holds a UPN) and LiaisonStore's subject index.
///
/// Reading is blocking (GRDB's queue): the console calls ``read(hubStorePath:hubConfig:upn:)`` off Swift's
/// cooperative pool.
struct SubjectShares: Sendable {
    /// One release of the child's data.
    struct Release: Sendable, Equatable {
        /// The audit log's entry number.
        var entry: Int64
        /// `YYYY-MM-DD HH:MM` (UTC).
        var when: String
        var from: String
        var to: String
        var type: String
        var flow: String
        var version: String
        var lawfulBasis: String
        var fields: [String]
    }

    /// The releases under one agreement, oldest first.
    struct Agreement: Sendable, Equatable {
        var name: String
        var releases: [Release]
    }

    /// By agreement name.
    var agreements: [Agreement]
    var count: Int { agreements.reduce(0) { $0 + $1.releases.count } }

    /// Why the hub's shares cannot be shown; the page says it in place of the list.
    struct Unavailable: Error, Sendable {
        var reason: String
    }

    /// The child's releases from the hub's store at `hubStorePath`, with the pseudonym key named by the hub's
    /// configuration (`keys_dir/pseudonym.key`).
    ///
    /// - Throws: ``Unavailable`` when the key or the store cannot be read (the reason says which and what to do).
    static func read(hubStorePath: String, hubConfig: String?, upn: String) throws(Unavailable) -> SubjectShares {
        guard let hubConfig else { throw Unavailable(reason: "the console's configuration names no hub_config.") }
        let keyPath = try pseudonymKeyPath(hubConfig: hubConfig)
        let key: [UInt8]
        do {
            guard let loaded = try PseudonymKeyFile.load(path: keyPath) else {
                throw Unavailable(reason: "the hub has no pseudonym key yet (\(keyPath)): it makes one on its first start with sharing rules.")
            }
            key = loaded
        } catch let error as Unavailable {
            throw error
        } catch {
            throw Unavailable(reason: "the hub's pseudonym key cannot be read: \(error)")
        }
        let records: [AuditRecord]
        do {
            let store = try HubStore(path: hubStorePath, readOnly: true)
            records = try store.releases(ofChild: pseudonym(of: upn, key: key))
        } catch {
            throw Unavailable(reason: "the hub's store cannot be read: \(error)")
        }
        var byAgreement: [String: [Release]] = [:]
        for record in records {
            let detail = (try? JSONValue.parse(Array((record.event.detail ?? "").utf8))) ?? .object([:])
            let agreement = detail["agreement"]?.stringValue ?? ""
            byAgreement[agreement.isEmpty ? "(no agreement named)" : agreement, default: []].append(Release(
                entry: record.entry, when: Self.time(record.event.at), from: record.event.agency ?? "", to: record.event.recipient ?? "",
                type: record.event.type ?? "", flow: detail["flow"]?.stringValue ?? "", version: detail["version"]?.stringValue ?? "",
                lawfulBasis: detail["lawful_basis"]?.stringValue ?? "", fields: detail["fields"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
        return SubjectShares(agreements: byAgreement.sorted { $0.key < $1.key }.map { Agreement(name: $0.key, releases: $0.value) })
    }

    /// `keys_dir/pseudonym.key` from the hub's configuration (resolved against its folder, as the hub does).
    static func pseudonymKeyPath(hubConfig path: String) throws(Unavailable) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
            let node = try? Yams.compose(yaml: text), case .scalar(let keys)? = node.mapping?["keys_dir"]
        else {
            throw Unavailable(reason: "keys_dir cannot be read from the hub's configuration \(path).")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = keys.string.hasPrefix("/") || folder.isEmpty ? keys.string : "\(folder)/\(keys.string)"
        return "\(directory)/pseudonym.key"
    }

    /// The hub's pseudonym of a UPN: LiaisonRules' `RuleSet.pseudonym(of:key:)` itself.
    static func pseudonym(of upn: String, key: [UInt8]) -> String {
        RuleSet.pseudonym(of: upn, key: key)  // the hub's own function, so the two cannot differ
    }

    /// Milliseconds since 1970 as `YYYY-MM-DD HH:MM` (UTC).
    static func time(_ milliseconds: Int64) -> String {
        let text = Date(timeIntervalSince1970: Double(milliseconds) / 1000).ISO8601Format()  // 2025-10-01T09:30:00Z
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }
}
