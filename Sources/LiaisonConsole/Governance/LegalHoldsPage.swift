import Foundation
import Hummingbird
import LiaisonStore

/// `/legal-holds`: the legal holds in force, as `liaison audit holds` lists them. Placing and releasing a hold writes
/// the hub's store, which the console only reads, so they stay `liaison audit hold` and `release`; the page says so.
enum LegalHoldsPage {
    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        router.get("/legal-holds") { _, context -> Response in
            try context.require(.ig)
            let title = "Legal holds"
            let holds: [LegalHold]
            do { holds = try await GovernancePages.withHubStore(console) { try $0.legalHolds() } } catch let error as GovernancePages.Unavailable {
                return GovernancePages.unavailable(console, title: title, reason: error.reason, context: context)
            }
            let formatter = ViewLogPage.displayFormatter()
            let rows = holds.map { hold -> [String: Any] in
                ["pseudonym": hold.pseudonym, "reference": hold.reference, "placed": GovernancePages.display(hold.placedAt, formatter: formatter), "entry": hold.entry]
            }
            return console.pages.render(GovernanceTemplates.legalHolds, title: title, data: ["holds": rows, "count": rows.count], context: context)
        }
    }
}
