import Foundation
import Hummingbird
import LiaisonStore

/// `/audit/checkpoint`: the latest signed checkpoint (as `liaison audit checkpoint` prints it) with its size, root and
/// time, its signature checked against the hub's `keys_dir/checkpoint.pub`; and a button that runs `audit verify`
/// read-only here (the hub records no verify results), on NIO's thread pool, and shows what it found.
enum AuditCheckpointPage {
    static let title = "Audit checkpoint"

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        router.get("/audit/checkpoint") { _, context -> Response in
            try context.require(.ig)
            return try await page(console: console, context: context, verify: false)
        }
        router.post("/audit/verify") { _, context -> Response in
            try context.require(.ig)
            return try await page(console: console, context: context, verify: true)
        }
    }

    static func page(console: Console, context: ConsoleContext, verify: Bool) async throws -> Response {
        let keyPath = publicKeyPath(hubConfig: console.configuration.hubConfig)
        let result: Reading
        do {
            result = try await GovernancePages.withHubStore(console) { store in try read(store, publicKeyPath: keyPath, verify: verify) }
        } catch let error as GovernancePages.Unavailable {
            return GovernancePages.unavailable(console, title: title, reason: error.reason, context: context)
        }
        let latest = result.latest, signature = result.signature
        let verification: [String: Any]? = result.verification.map { outcome in
            var data: [String: Any] = [
                "ok": outcome.problem == nil, "entries": outcome.entries, "root": Digest.hex(outcome.root), "seconds": String(format: "%.2f", outcome.seconds),
                "checkpoints": outcome.checkpointsChecked ? "Every signed checkpoint was checked." : "Signed checkpoints were not checked: the hub's checkpoint public key cannot be read.",
            ]
            data["problem"] = outcome.problem
            return data
        }
        var data: [String: Any] = [:]
        if let latest {
            data["checkpoint"] = [
                "size": latest.size, "root": Digest.hex(latest.root), "rootBase64": Data(latest.root).base64EncodedString(),
                "at": GovernancePages.display(latest.at, formatter: ViewLogPage.displayFormatter()), "note": latest.note,
                "signature": signature, "signatureValid": signature == "valid",
            ] as [String: Any]
        }
        if let verification { data["verification"] = verification }
        return console.pages.render(GovernanceTemplates.checkpoint, title: title, data: data, context: context)
    }

    /// What the page shows: the latest checkpoint, whether its signature verifies, and a verify's outcome.
    struct Reading: Sendable {
        var latest: (note: String, size: Int, root: [UInt8], at: Int64)?
        var signature: String
        var verification: Verification?
    }

    struct Verification: Sendable {
        var entries: Int
        var root: [UInt8]
        var problem: String?
        var seconds: Double
        var checkpointsChecked: Bool
    }

    /// Reads the latest checkpoint and checks its signature; with `verify`, recomputes the whole log (blocking).
    static func read(_ store: HubStore, publicKeyPath: String?, verify: Bool) throws -> Reading {
        let latest = try store.latestCheckpoint()
        let publicKey = publicKeyPath.flatMap { try? Checkpoint.loadPublicKey(path: $0) }
        var signature = "not checked: the hub's checkpoint public key (\(publicKeyPath ?? "keys_dir/checkpoint.pub")) cannot be read"
        if let latest, let publicKey {
            do {
                _ = try Checkpoint.verify(note: latest.note, publicKey: publicKey)
                signature = "valid"
            } catch {
                signature = "INVALID: \(error)"
            }
        }
        guard verify else { return Reading(latest: latest, signature: signature) }
        let started = Date()
        let outcome = try store.verify(checkpoints: [], publicKey: publicKey)
        return Reading(latest: latest, signature: signature, verification: Verification(
            entries: outcome.entries, root: outcome.root, problem: outcome.problem, seconds: Date().timeIntervalSince(started),
            checkpointsChecked: publicKey != nil))
    }

    /// `keys_dir/checkpoint.pub` beside the pseudonym key the hub's configuration names.
    static func publicKeyPath(hubConfig: String?) -> String? {
        guard let hubConfig, let pseudonymKey = try? SubjectShares.pseudonymKeyPath(hubConfig: hubConfig) else { return nil }
        return (pseudonymKey as NSString).deletingLastPathComponent + "/checkpoint.pub"
    }
}
