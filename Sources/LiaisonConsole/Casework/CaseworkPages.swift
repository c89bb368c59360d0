import CourtsAdapter
import Foundation
import Hummingbird
import LegalProcess
import LiaisonStore
import NIOPosix
import NPASDesk

/// Sends one message through the hub as the attendance service and returns the hub's receipt line: `liaison case`'s
/// own send (`DeskCommand.send`) when whoever starts the console gives one; without it the console checks and
/// previews but sends nothing.
public typealias CaseMessageSender = @Sendable (_ type: String, _ recipient: String, _ body: [UInt8], _ id: String) async throws -> String

/// The casework pages: the caseloads (`/cases`), a case with its timeline and a form for each `liaison case` action
/// (`/cases/:reference`, POST `…/allocate`, `…/note`, `…/intervene`, `…/feedback`, `…/close`), and the prosecution check
/// (`/cases/:reference/prosecute`: every refusal at once, or the bundle as the clerk will see it, each of its documents
/// rendered by the Courts' adapter itself at `/cases/:reference/prosecute/bundle/N`; POST sends it).
///
/// Every action calls ``CaseActions`` (NPASDesk), as `liaison case` does, so the console and the command line accept,
/// send and record the same. An Education Social Worker sees and acts on the cases allocated to their console user
/// name; a manager on every case, and allocates. Every read and write of the desk's store runs on NIO's thread pool,
/// never on the cooperative pool.
enum CaseworkPages {
    static let templates: [(name: String, template: String)] = CaseworkTemplates.templates
    static let links: [ConsoleLink] = [
        ConsoleLink(
            path: "/cases", label: "Cases", summary: "Caseloads, a case's timeline, and every casework action: allocate, note, intervene, feedback, prosecute, close.",
            roles: [.esw, .manager])
    ]

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        addRoutes(to: router, console: console, sender: nil)
    }

    /// The routes, sending feedback and prosecution files with `sender` (none: the forms say the console cannot send).
    static func addRoutes(to router: Router<ConsoleContext>, console: Console, sender: CaseMessageSender?) {
        let pages = Routes(console: console, sender: sender)
        router.get("/cases") { _, context in try await pages.caseload(context) }
        router.get("/cases/:reference") { request, context in
            try await pages.showCase(try context.parameters.require("reference"), banner: request.uri.queryParameters.get("done"), context)
        }
        router.post("/cases/:reference/allocate") { request, context in try await pages.allocate(request, context) }
        router.post("/cases/:reference/note") { request, context in try await pages.note(request, context) }
        router.post("/cases/:reference/intervene") { request, context in try await pages.intervene(request, context) }
        router.post("/cases/:reference/feedback") { request, context in try await pages.feedback(request, context) }
        router.post("/cases/:reference/close") { request, context in try await pages.close(request, context) }
        router.get("/cases/:reference/prosecute") { request, context in try await pages.prosecution(request, context, send: false) }
        router.post("/cases/:reference/prosecute") { request, context in try await pages.prosecution(request, context, send: true) }
        router.get("/cases/:reference/prosecute/bundle/:document") { request, context in try await pages.bundleDocument(request, context) }
    }

    /// The banners after an action (`?done=`): fixed words, nothing from the request.
    static let banners: [String: String] = [
        "allocated": "The case is allocated.", "noted": "The note is added to the case's history.", "intervened": "The intervention is recorded.",
        "feedback": "The feedback is sent to the school.", "closed": "The case is closed.", "prosecuted": "The prosecution file is sent to the Courts.",
    ]

    /// The route handlers, with what they share.
    struct Routes: Sendable {
        let console: Console
        let sender: CaseMessageSender?

        var sendNote: String {
            console.configuration.hubConfig == nil ? "no hub_config is set" : "it was started without the desk's sending key"
        }

        /// The signed-in ESW or manager, and the case when they may work on it.
        ///
        /// - Throws: `HTTPError` 404 when the desk or the case is not there; 403 for an ESW's request on another worker's case.
        func access(_ context: ConsoleContext) async throws -> (ConsoleUser, DeskCase) {
            let user = try context.require(.esw, .manager)
            let reference = try context.parameters.require("reference")
            guard let desk = console.desk else { throw HTTPError(.notFound, message: "The desk's store is not there yet: no cases to show.") }
            guard let item = try await offPool({ try desk.deskCase(reference) }) else {
                throw HTTPError(.notFound, message: "There is no case \(reference).")
            }
            if user.role == .esw, item.esw != user.name {
                throw HTTPError(.forbidden, message: "Case \(reference) is not allocated to you: ask a manager to allocate it.")
            }
            return (user, item)
        }

        /// The console's Education Social Workers (enabled), by user name: whom a case may be allocated to.
        func workers() async throws -> [String] {
            try await console.users.all().filter { $0.role == .esw && !$0.disabled }.map(\.name).sorted()
        }

        func caseload(_ context: ConsoleContext) async throws -> Response {
            let user = try context.require(.esw, .manager)
            guard let desk = console.desk else {
                return console.pages.render("cases", title: "Cases", data: ["noDesk": true, "isManager": user.role == .manager], context: context)
            }
            let cases = try await offPool { try desk.cases() }
            if user.role == .manager {
                let workers = try await workers()
                return console.pages.render(
                    "cases", title: "Caseloads", data: ["isManager": true, "groups": CaseworkViews.groups(cases), "workers": workers], context: context)
            }
            let own = cases.filter { $0.esw == user.name }
            return console.pages.render("cases", title: "Your caseload", data: ["cases": own.map(CaseworkViews.row)], context: context)
        }

        func showCase(_ reference: String, banner: String?, _ context: ConsoleContext) async throws -> Response {
            let (user, item) = try await access(context)
            var data: [String: Any] = [:]
            if let banner, let text = CaseworkPages.banners[banner] { data["banner"] = ["title": "Success", "text": text, "success": true] as [String: Any] }
            return try await render(item, user: user, context: context, extra: data)
        }

        /// The case's page: its summary (the child named from the referral), timeline, interventions and forms. Each
        /// render is a view of the child's record, logged by pseudonym.
        func render(
            _ item: DeskCase, user: ConsoleUser, context: ConsoleContext, extra: [String: Any] = [:], status: HTTPResponse.Status = .ok
        ) async throws -> Response {
            guard let desk = console.desk else { throw HTTPError(.notFound, message: "The desk's store is not there yet.") }
            let reference = item.reference
            let (history, interventions) = try await offPool { (try desk.history(of: reference), try desk.interventions(of: reference)) }
            try await console.users.recordView(user: user.name, upn: item.upn, page: "/cases/\(reference)")
            var data: [String: Any] = [
                "reference": reference, "status": CaseworkViews.statusTag(item.status), "summary": CaseworkViews.summary(item),
                "timeline": CaseworkViews.timeline(history), "interventions": CaseworkViews.interventions(interventions),
                "canAllocate": user.role == .manager, "canSend": sender != nil, "sendNote": sendNote, "defaultNextStep": CaseActions.defaultNextStep,
            ]
            if user.role == .manager {
                let chosen = ((extra["allocate"] as? [String: Any])?["f"] as? [String: Any])?["esw"] as? String ?? item.esw
                data["workers"] = CaseworkViews.options(try await workers(), selected: chosen)
            }
            let intervene = (extra["intervene"] as? [String: Any])?["f"] as? [String: Any] ?? [:]
            data["interventionTypes"] = CaseworkViews.options(CaseActions.interventionTypes, selected: intervene["type"] as? String)
            data["noticeStatuses"] = CaseworkViews.options(
                CaseActions.penaltyNoticeStatuses.filter { $0 != "unpaid" }, selected: intervene["status"] as? String)
            let feedback = (extra["feedback"] as? [String: Any])?["f"] as? [String: Any] ?? [:]
            data["feedbackStatuses"] = CaseworkViews.options(
                CaseActions.feedbackStatuses, selected: feedback["case_status"] as? String ?? "open", labels: ["legal_action": "legal action"])
            data.merge(extra) { _, new in new }
            return console.pages.render("case", title: "Case \(reference)", data: data, context: context, status: status)
        }

        /// The case's page again with a form's errors (400): the summary links each to its field, `FORM-FIELD`.
        func invalid(
            _ form: String, _ values: CaseworkForm, _ errors: CaseworkForm.Errors, item: DeskCase, user: ConsoleUser, context: ConsoleContext
        ) async throws -> Response {
            let key = { (field: String) in field.replacingOccurrences(of: "-", with: "_") }
            let formData: [String: Any] = [
                "f": values.echoed, "e": Dictionary(errors.map { (key($0.field), $0.message) }, uniquingKeysWith: { first, _ in first }),
            ]
            return try await render(
                item, user: user, context: context,
                extra: [form: formData, "errors": errors.map { ["field": "\(form)-\(key($0.field))", "message": $0.message] }], status: .badRequest)
        }

        /// Runs an action on the writable desk store, then back to the case with its banner.
        func act(_ item: DeskCase, done: String, _ action: @escaping @Sendable (DeskStore) throws -> Void) async throws -> Response {
            let console = console
            try await offPool { try action(try console.deskForActions()) }
            return .redirect(to: "/cases/\(item.reference)?done=\(done)")
        }

        func allocate(_ request: Request, _ context: ConsoleContext) async throws -> Response {
            let (user, item) = try await access(context)
            _ = try context.require(.manager)
            let form = try await request.decode(as: CaseworkForm.self, context: context)
            let (esw, errors) = form.allocation(workers: try await workers())
            guard let esw else { return try await invalid("allocate", form, errors, item: item, user: user, context: context) }
            let reference = item.reference
            return try await act(item, done: "allocated") { try CaseActions.allocate(reference, esw: esw, in: $0) }
        }

        func note(_ request: Request, _ context: ConsoleContext) async throws -> Response {
            let (user, item) = try await access(context)
            let form = try await request.decode(as: CaseworkForm.self, context: context)
            let (text, errors) = form.note()
            guard let text else { return try await invalid("note", form, errors, item: item, user: user, context: context) }
            let reference = item.reference
            return try await act(item, done: "noted") { try CaseActions.note(reference, text: text, in: $0) }
        }

        func intervene(_ request: Request, _ context: ConsoleContext) async throws -> Response {
            let (user, item) = try await access(context)
            let form = try await request.decode(as: CaseworkForm.self, context: context)
            let (intervention, errors) = form.intervention()
            guard let intervention else { return try await invalid("intervene", form, errors, item: item, user: user, context: context) }
            let reference = item.reference
            return try await act(item, done: "intervened") { try CaseActions.intervene(intervention, on: reference, in: $0) }
        }

        func close(_ request: Request, _ context: ConsoleContext) async throws -> Response {
            let (user, item) = try await access(context)
            let form = try await request.decode(as: CaseworkForm.self, context: context)
            let (reason, errors) = form.closing()
            guard let reason else { return try await invalid("close", form, errors, item: item, user: user, context: context) }
            let reference = item.reference
            return try await act(item, done: "closed") { try CaseActions.close(reference, reason: reason, in: $0) }
        }

        func feedback(_ request: Request, _ context: ConsoleContext) async throws -> Response {
            let (user, item) = try await access(context)
            let form = try await request.decode(as: CaseworkForm.self, context: context)
            guard let values = form.feedback() else {
                return try await invalid("feedback", form, [("text", "Enter the feedback to the school.")], item: item, user: user, context: context)
            }
            guard let sender else {
                return try await invalid(
                    "feedback", form, [("text", "The console cannot send messages through the hub (\(sendNote)): use liaison case feedback.")],
                    item: item, user: user, context: context)
            }
            let console = console, reference = item.reference
            let prepared: CaseActions.Feedback
            do {
                prepared = try await offPool {
                    try CaseActions.feedback(
                        on: reference, text: values.text, nextStep: values.nextStep, caseStatus: values.caseStatus, in: try console.deskForActions())
                }
            } catch let error as CaseActionError {
                return try await invalid("feedback", form, [(error.field ?? "text", error.form)], item: item, user: user, context: context)
            }
            let message = prepared.message
            let receipt = try await sender(message.type, message.recipient, message.body, message.messageID(sha256Hex: Digest.sha256Hex))
            try await offPool { try CaseActions.record(prepared, receipt: receipt, in: try console.deskForActions()) }
            return .redirect(to: "/cases/\(reference)?done=feedback")
        }

        /// The legal rules' folder: `legal/` beside the hub's configuration when it holds the rules, else `config/legal`
        /// (as `liaison case prosecute` finds them without `--legal`).
        var legalFolder: String {
            if let hub = console.configuration.hubConfig {
                let beside = (hub as NSString).deletingLastPathComponent + "/legal"
                if FileManager.default.fileExists(atPath: "\(beside)/penalty-notices.yaml") { return beside }
            }
            return "config/legal"
        }

        /// The worker's values checked and the file assembled by ``CaseActions/prosecution`` (as `liaison case prosecute`
        /// does; nothing is written or sent): the draft, or the form's errors; legal rules that cannot be read are a
        /// refusal of their own.
        func check(_ form: CaseworkForm, reference: String) async throws -> (draft: CaseActions.ProsecutionDraft?, errors: CaseworkForm.Errors, rules: String?) {
            let (prosecution, missing) = form.prosecutionRequest()
            guard let prosecution else { return (nil, missing, nil) }
            let console = console, folder = legalFolder
            do {
                let draft = try await offPool {
                    try CaseActions.prosecution(
                        of: reference, prosecution, in: try console.deskForActions(),
                        rules: { try LegalRules.load(directory: folder) },
                        certificateTemplate: CaseActions.certificateTemplate(deskFolder: console.configuration.deskDirectory))
                }
                return (draft, missing, nil)
            } catch let error as CaseActionError {
                return (nil, missing + [(error.field ?? "offence", error.form)], nil)
            } catch let error as LegalProcessError {
                return (nil, missing, "The legal rules cannot be read from \(folder): \(error.message)")
            }
        }

        /// GET: the check form and, once it is filled in, every refusal or the bundle as the clerk will see it (the
        /// Courts' adapter's own documents, framed from ``bundleDocument(_:_:)``).
        /// POST (`send`): the same checks again on the posted values, then the file sent to the Courts.
        func prosecution(_ request: Request, _ context: ConsoleContext, send: Bool) async throws -> Response {
            let (user, item) = try await access(context)
            let form: CaseworkForm =
                send
                ? try await request.decode(as: CaseworkForm.self, context: context) : try request.uri.decodeQuery(as: CaseworkForm.self, context: context)
            let reference = item.reference
            var data: [String: Any] = ["reference": reference, "canSend": sender != nil, "sendNote": sendNote]
            var errors: CaseworkForm.Errors = []
            var draft: CaseActions.ProsecutionDraft?
            var refusals: [[String: Any]] = []
            if send || form.offence != nil {
                let checked = try await check(form, reference: reference)
                (draft, errors) = (checked.draft, checked.errors)
                if let rules = checked.rules { refusals.append(["code": "legal-rules", "message": rules]) }
            }
            if let draft {
                refusals += draft.refusals.map { ["code": $0.code, "message": $0.message] }
                if let body = draft.file {
                    // The Courts' adapter's own rendering: what it would reject is one more refusal, listed with the rest.
                    do {
                        let documents = try CourtBundle.printableDocuments(body: body)
                        data["bundle"] = CaseworkViews.bundle(documents, reference: reference, query: CaseworkViews.bundleQuery(form))
                        try await console.users.recordView(user: user.name, upn: item.upn, page: "/cases/\(reference)/prosecute")
                    } catch let error as CourtsAdapterError {
                        refusals.append(["code": "courts-adapter", "message": "the Courts' adapter would reject the file: \(error.description)"])
                    }
                }
            }
            if draft != nil || !refusals.isEmpty {
                data["checked"] = true
                data["refused"] = !refusals.isEmpty
                data["refusals"] = refusals
            }
            if send, errors.isEmpty, refusals.isEmpty, let draft, let message = draft.message {
                guard let sender else {
                    errors.append(("offence", "The console cannot send messages through the hub (\(sendNote)): use liaison case prosecute."))
                    return page(form, data: data, errors: errors, context: context, status: .badRequest)
                }
                let id = message.messageID(sha256Hex: Digest.sha256Hex)
                let receipt = try await sender(message.type, message.recipient, message.body, id)
                let console = console
                try await offPool { try CaseActions.record(draft, messageID: id, receipt: receipt, in: try console.deskForActions()) }
                return .redirect(to: "/cases/\(reference)?done=prosecuted")
            }
            let refused = data["refused"] as? Bool == true
            return page(form, data: data, errors: errors, context: context, status: !errors.isEmpty || (send && refused) ? .badRequest : .ok)
        }

        /// One printable document of the bundle (`N` from 1, in the bundle's order: the prosecution file, the s.566
        /// certificate, the s.9 statement), exactly as the Courts' adapter renders it from the file the check's values
        /// (the query) assemble: a full HTML page of its own, to read or print. Nothing from the address becomes a
        /// path; nothing is sent. The same role checks as the check; each view is logged (by pseudonym). A file that
        /// would be refused has no bundle (409, pointing back to the check, which lists every reason).
        ///
        /// The document keeps the page styles it carries (inline, as in the clerk's bundle) under a policy of its own:
        /// the one in its `<meta>` (nothing fetched, no script, inline styles), framed by the console's own pages only.
        func bundleDocument(_ request: Request, _ context: ConsoleContext) async throws -> Response {
            let (user, item) = try await access(context)
            let reference = item.reference
            let missing = HTTPError(.notFound, message: "The bundle has no such document: open the bundle from the prosecution check of case \(reference).")
            guard let number = Int(try context.parameters.require("document")), number >= 1 else { throw missing }
            let form = try request.uri.decodeQuery(as: CaseworkForm.self, context: context)
            let (draft, errors, rules) = try await check(form, reference: reference)
            let refused = HTTPError(
                .conflict,
                message: "The file for case \(reference) would be refused, so it has no bundle: check it again on its prosecution page, which lists every reason.")
            guard errors.isEmpty, rules == nil, let body = draft?.file else { throw refused }
            let documents: [CourtBundle.Document]
            do { documents = try CourtBundle.printableDocuments(body: body) } catch { throw refused }
            guard number <= documents.count else { throw missing }
            try await console.users.recordView(user: user.name, upn: item.upn, page: "/cases/\(reference)/prosecute/bundle/\(number)")
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: CaseworkViews.documentPolicy,
                    ConsoleSessionMiddleware.frameOptions: "SAMEORIGIN",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: documents[number - 1].bytes)))
        }

        /// The prosecution page: the form with its values and errors, the refusals or the preview.
        func page(_ form: CaseworkForm, data: [String: Any], errors: CaseworkForm.Errors, context: ConsoleContext, status: HTTPResponse.Status) -> Response {
            var data = data
            let values = form.echoed
            let key = { (field: String) in field.replacingOccurrences(of: "-", with: "_") }
            let byField = Dictionary(errors.map { (key($0.field), $0.message) }, uniquingKeysWith: { first, _ in first })
            let hints = [
                "hearing": "YYYY-MM-DD", "from": "YYYY-MM-DD; blank for the first mark held", "to": "YYYY-MM-DD; blank for the last mark held",
                "laid_on": "YYYY-MM-DD; today if left blank", "court_address": "LINE; LINE; POSTCODE",
                "statement": "Blank for a draft written from the records, to read before declaring it", "certified_by": "NAME, ROLE (the head teacher or a person the school authorised)",
                "certified_on": "YYYY-MM-DD", "costs": "One a line: ITEM:PENCE, such as Officer time:12000",
            ]
            let names = [
                "court", "hearing", "from", "to", "laid_on", "summons_issued_on", "summons_reference", "court_address", "prosecutor", "statement",
                "statement_date", "certified_by", "certified_on", "costs",
            ]
            data["fields"] = names.map { name -> [String: Any] in
                var field: [String: Any] = [
                    "name": name, "label": CaseActions.labels[name.replacingOccurrences(of: "_", with: "-")] ?? name,
                    "value": values[name] as? String ?? (name == "prosecutor" ? CaseActions.defaultProsecutor : ""),
                    "multiline": name == "statement" || name == "costs", "hasHint": hints[name] != nil, "hasError": byField[name] != nil,
                ]
                field["hint"] = hints[name]
                field["error"] = byField[name]
                return field
            }
            data["offences"] = CaseworkViews.options(
                ["444-1", "444-1A", "443"], selected: form.offence,
                labels: ["444-1": "s.444(1): failing to secure regular attendance", "444-1A": "s.444(1A): knowingly failing", "443": "s.443: breach of a school attendance order"])
            data["offenceError"] = byField["offence"]
            data["declared"] = form.declare == "yes"
            data["hidden"] = (names + ["offence", "declare"]).compactMap { name in (values[name] as? String).map { ["name": name, "value": $0] } }
            data["errors"] = errors.map { ["field": "prosecute-\(key($0.field))", "message": $0.message] }
            return console.pages.render("case-prosecute", title: "Prosecution: case \(data["reference"] as? String ?? "")", data: data, context: context, status: status)
        }
    }
}
