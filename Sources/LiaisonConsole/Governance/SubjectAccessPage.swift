import Foundation
import Hummingbird
import LiaisonStore

/// `/subject-access`: a subject access request from a child's UPN. The UPN is posted (never in an address), turned into
/// the hub's keyed pseudonym, and LiaisonStore's ``SubjectAccessReport`` (the one `liaison audit subject` prints) finds
/// every release of the child's data with the evidence for each. The page shows the report and who viewed the child's
/// record in this console; the same form with `format=json` downloads the report as JSON. Every report is recorded in
/// the view log.
enum SubjectAccessPage {
    struct Form: Decodable {
        var upn: String?
        var format: String?
    }

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        router.get("/subject-access") { _, context -> Response in
            try context.require(.ig)
            return console.pages.render(GovernanceTemplates.subjectAccess, title: title, data: ["upn": ""], context: context)
        }
        router.post("/subject-access") { request, context -> Response in
            let user = try context.require(.ig)
            let form = try await request.decode(as: Form.self, context: context)
            return try await report(console: console, context: context, user: user, form: form)
        }
    }

    static let title = "Subject access"

    /// A UPN: 13 capital letters and digits (the DfE's, or a temporary one ending in a letter).
    static func upn(_ text: String?) -> String? {
        let upn = (text ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard upn.count == 13, upn.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) else { return nil }
        return upn
    }

    static func report(console: Console, context: ConsoleContext, user: ConsoleUser, form: Form) async throws -> Response {
        guard let upn = upn(form.upn) else {
            return console.pages.render(
                GovernanceTemplates.subjectAccess, title: title,
                data: ["upn": form.upn ?? "", "errors": [["field": "upn", "message": "Enter the child's UPN: 13 letters and digits, such as A123456789012"]]],
                context: context, status: .badRequest)
        }
        let report: SubjectAccessReport
        do {
            report = try await build(console: console, upn: upn)
        } catch let error as GovernancePages.Unavailable {
            return GovernancePages.unavailable(console, title: title, reason: error.reason, context: context)
        }
        try await console.users.recordView(user: user.name, upn: upn, page: "subject access")
        let views = try await console.users.views(upn: upn, limit: 1000)
        if form.format == "json" {
            var json = report.json
            json["console_views"] = views.map { ["at": $0.at.ISO8601Format(), "user": $0.user, "page": $0.page] }
            let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .contentDisposition: "attachment; filename=\"subject-access-report.json\""],
                body: .init(byteBuffer: .init(bytes: data)))
        }
        let formatter = ViewLogPage.displayFormatter()
        let releases = report.releases.map { release -> [String: Any] in
            [
                "entry": release.entry, "when": GovernancePages.display(release.at, formatter: formatter), "from": release.from, "to": release.to,
                "type": release.type, "agreement": release.agreement, "version": release.version, "lawfulBasis": release.lawfulBasis,
                "flow": release.flow, "fields": release.fields.joined(separator: ", "), "leafHash": Digest.hex(release.leafHash),
                "treeSize": release.treeSize, "root": Digest.hex(release.root), "checkpointed": release.checkpointed,
                "withheld": release.leaf == nil,
            ]
        }
        return console.pages.render(
            GovernanceTemplates.subjectAccessReport, title: "Subject access report",
            data: [
                "upn": upn, "pseudonym": report.pseudonym, "releases": releases, "count": releases.count,
                "plural": releases.count != 1, "checkpoint": report.checkpoint ?? "", "hasCheckpoint": report.checkpoint != nil,
                "views": views.map { ["at": formatter.string(from: $0.at), "user": $0.user, "page": $0.page] },
            ],
            context: context)
    }

    /// The child's report from the hub's store, with the pseudonym key named by the hub's configuration.
    ///
    /// - Throws: ``GovernancePages/Unavailable`` when the configuration, the key or the store cannot be read.
    static func build(console: Console, upn: String) async throws -> SubjectAccessReport {
        let hubConfig = console.configuration.hubConfig
        return try await GovernancePages.withHubStore(console) { store in
            let keyPath: String
            do { keyPath = try SubjectShares.pseudonymKeyPath(hubConfig: hubConfig ?? "") } catch let error as SubjectShares.Unavailable {
                throw GovernancePages.Unavailable(reason: "The hub's pseudonym key cannot be found: \(error.reason)")
            }
            let key: [UInt8]?
            do { key = try PseudonymKeyFile.load(path: keyPath) } catch {
                throw GovernancePages.Unavailable(reason: "The hub's pseudonym key cannot be read: \(error) Check that the console's user can read \(keyPath).")
            }
            guard let key else {
                throw GovernancePages.Unavailable(reason: "The hub has no pseudonym key yet (\(keyPath)): it makes one on its first start with sharing rules.")
            }
            do {
                return try SubjectAccessReport.build(store: store, pseudonym: SubjectShares.pseudonym(of: upn, key: key))
            } catch {
                throw GovernancePages.Unavailable(reason: "The hub's store cannot be read: \(error)")
            }
        }
    }
}
