import Foundation
import Hummingbird
import NIOPosix

/// The operator's pages (role `operator`): the agencies and their queues, the dead letters with an envelope inspector,
/// the agreements with this month's decisions, the schools' imports with their reports, and the broker's metrics.
/// The hub's store is opened read-only (the broker owns it); the agreements folder and the imports folder are listed and
/// read, never written. What the broker knows and the store does not (who is connected now, credit, metrics), and the
/// two things an operator may change (replay or discard a dead letter), go through the broker's admin interface
/// (``HubAdminClient``), so the broker stays the only writer of its store.
enum OperationsPages {
    static let templates = OperationsTemplates.templates

    static let links = [
        ConsoleLink(path: "/operations", label: "Agencies", summary: "Each agency's backlog, unacknowledged messages and when it was last seen.", roles: [.operator]),
        ConsoleLink(path: "/operations/dead-letters", label: "Dead letters", summary: "Deliveries the hub gave up on, and their envelopes.", roles: [.operator]),
        ConsoleLink(path: "/operations/agreements", label: "Agreements", summary: "Flows, review and end dates, and this month's decisions.", roles: [.operator]),
        ConsoleLink(path: "/operations/imports", label: "Schools' imports", summary: "The registers imported and refused, with their reports.", roles: [.operator]),
        ConsoleLink(path: "/operations/metrics", label: "Metrics", summary: "The broker's counts since it started: accepted, refused, commit times, decisions.", roles: [.operator]),
    ]

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        let hubStore = console.hubStore
        let admin = console.configuration.adminEndpoint.map { HubAdminClient(endpoint: $0) }
        router.get("/operations") { _, context -> Response in
            try context.require(.operator)
            let title = "Agencies"
            do {
                let data = try await offPool { () throws -> TemplateData in
                    var data: [String: Any] = [:]
                    var live: HubAdminClient.Status?
                    if let admin {
                        do throws(HubAdminClient.Failure) {
                            let status = try admin.status()
                            live = status
                            data["live"] = ["at": HubOverview.time(status.at)]
                        } catch {
                            data["liveFailure"] = ["message": error.message]
                        }
                    } else {
                        data["noAdmin"] = true
                    }
                    let rows = try HubOverview.agencies(store: hubStore, live: live)
                    data["agencies"] = rows
                    data["hasAgencies"] = !rows.isEmpty
                    return TemplateData(data)
                }
                return console.pages.render(OperationsTemplates.agencies, title: title, data: data.value, context: context)
            } catch let error as HubOverview.Unavailable {
                return unavailable(console, title: title, error, context: context)
            }
        }
        router.get("/operations/dead-letters") { request, context -> Response in
            try context.require(.operator)
            let title = "Dead letters"
            do {
                let data = try await offPool { () throws -> TemplateData in
                    let rows = try HubOverview.deadLetters(store: hubStore)
                    return TemplateData(["letters": rows, "hasLetters": !rows.isEmpty])
                }
                var page = data.value
                DeadLetterActions.annotate(&page, admin: admin, banner: request.uri.queryParameters.get("done"))
                return console.pages.render(OperationsTemplates.deadLetters, title: title, data: page, context: context)
            } catch let error as HubOverview.Unavailable {
                return unavailable(console, title: title, error, context: context)
            }
        }
        router.get("/operations/messages/:sequence") { _, context -> Response in
            try context.require(.operator)
            guard let sequence = context.parameters.get("sequence", as: Int64.self), sequence > 0 else {
                throw HTTPError(.notFound, message: "A message's sequence is a whole number.")
            }
            let title = "Message \(sequence)"
            do {
                guard let data = try await offPool({ try HubOverview.envelope(store: hubStore, sequence: sequence).map(TemplateData.init) }) else {
                    throw HTTPError(.notFound, message: "The hub's store holds no message \(sequence).")
                }
                return console.pages.render(OperationsTemplates.message, title: title, data: data.value, context: context)
            } catch let error as HubOverview.Unavailable {
                return unavailable(console, title: title, error, context: context)
            }
        }
        router.get("/operations/agreements") { _, context -> Response in
            try context.require(.operator)
            let title = "Agreements"
            let hubConfig = console.configuration.hubConfig
            do {
                let data = try await offPool { TemplateData(try AgreementsOverview.read(hubConfig: hubConfig, hubStore: hubStore, now: Date())) }
                return console.pages.render(OperationsTemplates.agreements, title: title, data: data.value, context: context)
            } catch let error as HubOverview.Unavailable {
                return unavailable(console, title: title, error, context: context)
            }
        }
        DeadLetterActions.addRoutes(to: router, console: console, admin: admin)
        router.get("/operations/metrics") { _, context -> Response in
            try context.require(.operator)
            let title = "Metrics"
            guard let admin else {
                return unavailable(
                    console, title: title,
                    .init(message: "The hub has no admin interface: set admin_endpoint in hub.yaml (docs/protocol.md section 10), restart the broker, then reload this page."),
                    context: context)
            }
            let answer = try await offPool { () -> Result<String, HubAdminClient.Failure> in
                do throws(HubAdminClient.Failure) { return .success(try admin.metrics()) } catch { return .failure(error) }
            }
            switch answer {
            case .success(let text):
                var data = HubMetricsView.data(PrometheusText(text))
                data["at"] = ViewLogPage.displayFormatter().string(from: Date())
                return console.pages.render(OperationsTemplates.metrics, title: title, data: data, context: context)
            case .failure(let failure):
                return unavailable(console, title: title, .init(message: failure.message), context: context)
            }
        }
        router.get("/operations/imports") { _, context -> Response in
            try context.require(.operator)
            let title = "Schools' imports"
            guard let directory = console.configuration.importsDirectory else {
                return unavailable(
                    console, title: title,
                    .init(message: "The console has no imports folder: set imports (the schools-mis adapter's folder) in console.yaml and restart it."),
                    context: context)
            }
            let data = try await offPool { TemplateData(SchoolImports.overview(directory: directory)) }
            return console.pages.render(OperationsTemplates.imports, title: title, data: data.value, context: context)
        }
        router.get("/operations/imports/:folder/:index") { _, context -> Response in
            try context.require(.operator)
            // The folder is one of two fixed names and the file an index into the folder's listing: nothing from the
            // address becomes part of a path.
            guard let folder = context.parameters.get("folder").flatMap(SchoolImports.Folder.init(rawValue:)),
                let index = context.parameters.get("index", as: Int.self), let directory = console.configuration.importsDirectory,
                let found = try await offPool({ SchoolImports.report(directory: directory, folder: folder, index: index) })
            else { throw HTTPError(.notFound, message: "There is no such file: go back to the schools' imports and open it from the list.") }
            let data: [String: Any] = [
                "name": found.entry.name, "folder": folder.rawValue, "modified": ViewLogPage.displayFormatter().string(from: found.entry.modified),
                "text": found.text ?? "", "hasText": found.text != nil,
            ]
            return console.pages.render(OperationsTemplates.importReport, title: "Report on \(found.entry.name)", data: data, context: context)
        }
    }

    static func unavailable(_ console: Console, title: String, _ error: HubOverview.Unavailable, context: ConsoleContext) -> Response {
        console.pages.render(OperationsTemplates.unavailable, title: title, data: ["message": error.message], context: context, status: .serviceUnavailable)
    }
}
