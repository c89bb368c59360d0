import Foundation
import Hummingbird
import LiaisonStore
import NIOPosix

/// The information governance officer's pages (role `ig`): the audit search, subject access requests, the legal holds,
/// and the latest signed checkpoint with a read-only `audit verify`. Every page reads the hub's store (`hub.sqlite`
/// from `hub_config`) read-only, on NIO's thread pool; nothing here writes the hub's store.
enum GovernancePages {
    static let links = [
        ConsoleLink(path: "/audit", label: "Audit log", summary: "Search the hub's audit log by agency, type, agreement, decision, kind and time.", roles: [.ig]),
        ConsoleLink(path: "/subject-access", label: "Subject access", summary: "Every release of one child's data, with proofs a recipient can check, and who viewed the child's record here.", roles: [.ig]),
        ConsoleLink(path: "/legal-holds", label: "Legal holds", summary: "The legal holds in force on children's messages.", roles: [.ig]),
        ConsoleLink(path: "/audit/checkpoint", label: "Checkpoint", summary: "The latest signed checkpoint of the audit log, and a check of the whole log.", roles: [.ig]),
    ]

    static let templates = GovernanceTemplates.templates

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        AuditSearchPage.addRoutes(to: router, console: console)
        SubjectAccessPage.addRoutes(to: router, console: console)
        LegalHoldsPage.addRoutes(to: router, console: console)
        AuditCheckpointPage.addRoutes(to: router, console: console)
    }

    /// Why the hub's store cannot be read; the page says it in place of its content.
    struct Unavailable: Error, Sendable {
        var reason: String
    }

    /// Opens the hub's store read-only on NIO's thread pool (off Swift's cooperative pool: SQLite through GRDB's queue
    /// blocks) and runs `body` with it there.
    ///
    /// - Throws: ``Unavailable`` without `hub_config`, or when the store cannot be opened (the reason says what to do);
    ///   `body`'s errors.
    static func withHubStore<T: Sendable>(_ console: Console, _ body: @escaping @Sendable (HubStore) throws -> T) async throws -> T {
        let access = console.hubStore
        let noConfiguration = console.configuration.hubConfig == nil
        return try await offPool {
            guard let path = access.path else {
                throw Unavailable(reason: noConfiguration
                    ? "The console's configuration names no hub_config, so the hub's audit log cannot be read. Add hub_config to the console's configuration and restart it."
                    : access.missing)
            }
            let store: HubStore
            do { store = try HubStore(path: path, readOnly: true) } catch {
                throw Unavailable(reason: "The hub's store \(path) cannot be read: \(error) Check that the console's user can read it.")
            }
            return try body(store)
        }
    }

    /// The page that says the hub's store cannot be read.
    static func unavailable(_ console: Console, title: String, reason: String, context: ConsoleContext) -> Response {
        console.pages.render(GovernanceTemplates.unavailable, title: title, data: ["message": reason], context: context, status: .serviceUnavailable)
    }

    /// Milliseconds since 1970 as London time, `3 Dec 2026 08:15:02`.
    static func display(_ milliseconds: Int64, formatter: DateFormatter) -> String {
        formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
