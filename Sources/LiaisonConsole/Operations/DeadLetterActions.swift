import Foundation
import Hummingbird

/// The operator's two actions on a dead letter: replay (back to the head of the recipient's queue) and discard (kept
/// for the record, never delivered). Both go to the broker through its admin interface, which stores the change in a
/// group commit with an audit record naming the operator (`dead-letter-replayed` / `dead-letter-discarded`, detail
/// `by NAME`) and answers only after that commit; the console never writes the hub's store.
///
/// Discarding asks for confirmation on a page of its own (GOV.UK's pattern for an action that cannot be undone).
enum DeadLetterActions {
    /// The posted form: which dead letter (its recipient and message sequence); `csrf` is checked by the middleware.
    struct Form: Decodable, Sendable {
        var csrf: String?
        var recipient: String?
        var sequence: String?

        /// The dead letter named, when both fields are well formed (an agency id, a positive sequence).
        var target: (recipient: String, sequence: Int64)? {
            guard let recipient, DeadLetterActions.isAgencyID(recipient), let text = sequence, let number = Int64(text), number > 0 else { return nil }
            return (recipient, number)
        }
    }

    /// The banners after an action (`?done=`): fixed words, nothing from the request.
    static let banners: [String: String] = [
        "replayed": "Dead letter replayed: the broker has put it back at the head of the recipient's queue.",
        "discarded": "Dead letter discarded: it stays in the hub's store for the record and will not be delivered.",
    ]

    /// Agency ids as the hub writes them: lower-case letters, digits and `-`, at most 64.
    static func isAgencyID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// Adds to the dead letters page whether the operator can act, and the banner after an action.
    static func annotate(_ data: inout [String: Any], admin: HubAdminClient?, banner: String?) {
        data["canAct"] = admin != nil
        data["adminMissing"] = "the hub has no admin_endpoint in hub.yaml (docs/protocol.md section 10)."
        if let banner, let text = banners[banner] { data["banner"] = ["title": "Success", "text": text, "success": true] as [String: Any] }
    }

    static func addRoutes(to router: Router<ConsoleContext>, console: Console, admin: HubAdminClient?) {
        let hubStore = console.hubStore
        router.get("/operations/dead-letters/:recipient/:sequence/discard") { _, context -> Response in
            try context.require(.operator)
            guard let recipient = context.parameters.get("recipient"), isAgencyID(recipient),
                let sequence = context.parameters.get("sequence", as: Int64.self), sequence > 0
            else { throw HTTPError(.notFound, message: "There is no such dead letter: go back to the dead letters and choose one from the list.") }
            let title = "Discard a dead letter"
            do {
                let found = try await offPool { () throws -> TemplateData? in
                    try HubOverview.deadLetters(store: hubStore)
                        .first { $0["recipient"] as? String == recipient && $0["sequence"] as? String == String(sequence) }
                        .map(TemplateData.init)
                }
                guard let found else {
                    throw HTTPError(.notFound, message: "There is no dead letter \(sequence) for \(recipient): it may have been replayed or discarded already.")
                }
                return console.pages.render(OperationsTemplates.discard, title: title, data: found.value, context: context)
            } catch let error as HubOverview.Unavailable {
                return OperationsPages.unavailable(console, title: title, error, context: context)
            }
        }
        router.post("/operations/dead-letters/replay") { request, context -> Response in
            try await act(request, context, console: console, admin: admin, replay: true)
        }
        router.post("/operations/dead-letters/discard") { request, context -> Response in
            try await act(request, context, console: console, admin: admin, replay: false)
        }
    }

    /// Sends the action to the broker; back to the list with a banner, or the list with the broker's reason.
    static func act(_ request: Request, _ context: ConsoleContext, console: Console, admin: HubAdminClient?, replay: Bool) async throws -> Response {
        let user = try context.require(.operator)
        let form = try await request.decode(as: Form.self, context: context)
        guard let target = form.target else {
            throw HTTPError(.badRequest, message: "The form did not name a dead letter: go back to the dead letters and use its button.")
        }
        guard let admin else {
            throw HTTPError(.serviceUnavailable, message: "The hub has no admin interface: set admin_endpoint in hub.yaml and restart the broker.")
        }
        let name = user.name
        let failure = try await offPool { () -> HubAdminClient.Failure? in
            do throws(HubAdminClient.Failure) {
                if replay {
                    try admin.replay(recipient: target.recipient, sequence: target.sequence, by: name)
                } else {
                    try admin.discard(recipient: target.recipient, sequence: target.sequence, by: name)
                }
                return nil
            } catch {
                return error
            }
        }
        guard let failure else { return .redirect(to: "/operations/dead-letters?done=\(replay ? "replayed" : "discarded")") }
        console.logger.warning(
            "A dead-letter action failed", metadata: ["action": "\(replay ? "replay" : "discard")", "code": "\(failure.code)", "by": "\(name)"])
        var data: [String: Any] = ["letters": [[String: Any]](), "hasLetters": false]
        do {
            let rows = try await offPool { TemplateData(["letters": try HubOverview.deadLetters(store: console.hubStore)]) }
            data = rows.value
            data["hasLetters"] = !((data["letters"] as? [[String: Any]]) ?? []).isEmpty
        } catch {}
        annotate(&data, admin: admin, banner: nil)
        let action = replay ? "replay" : "discard"
        data["errors"] = [["field": "dead-letters", "message": "Could not \(action) message \(target.sequence) to \(target.recipient): \(failure.message)"]]
        return console.pages.render(
            OperationsTemplates.deadLetters, title: "Dead letters", data: data, context: context,
            status: failure.code == "not_found" ? .conflict : .serviceUnavailable)
    }
}
