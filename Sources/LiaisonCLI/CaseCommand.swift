import ArgumentParser
import Foundation
import LiaisonAdapterKit
import LiaisonMessages
import AttendanceDomain
import LiaisonStore
import LegalProcess
import NPASDesk

/// `liaison case`: the Education Social Worker's casework on the desk's store.
struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Casework: the cases schools' referrals open, their interventions, feedback to schools, prosecution.",
        discussion: """
            Every command works on the desk's store (--folder, as for `liaison adapter npas-desk`), safely while the \
            desk runs; every change is kept in the case's history. `feedback` and `prosecute` send their message \
            through the hub as the attendance service (agency npas).
            """,
        subcommands: [List.self, Show.self, Allocate.self, Note.self, Intervene.self, Defendant.self, Feedback.self, Prosecute.self, Close.self,
                     CasePenaltyNoticeCommand.self, CaseNoticeToImproveCommand.self, CaseParentingContractCommand.self, CaseReviewCommand.self,
                     CaseFastTrackCommand.self, CaseAttendanceOrderCommand.self, CaseSupervisionOrderCommand.self, CaseRoutesCommand.self, CaseMonitorCommand.self])

    struct Desk: ParsableArguments {
        @Option(help: ArgumentHelp("The desk's working folder.", valueName: "dir")) var folder: String
        /// The desk's store; casework sends nothing derived from a child's UPN, so it leaves the desk's id key alone.
        func store() throws -> DeskStore { try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false) }
    }

    /// Sends one message as the attendance service and returns the hub's receipt line.
    static func send(
        _ options: ConfigOptions, _ adapter: AdapterOptions, log: LogOptions, type: String, to recipient: String, body: [UInt8], id: String
    ) async throws -> String {
        let logger = log.bootstrap(label: "liaison.case")
        do {
            let receipt = try await DeskCommand.send(options, adapter, logger: logger, type: type, to: recipient, body: body, id: id)
            return "hub sequence \(receipt.sequence)" + (receipt.auditEntry.map { ", audit entry \($0)" } ?? "")
                + (receipt.duplicate ? "; the hub already had this exact message, so nothing new was sent" : "")
        } catch {
            throw UserFacingError("\(type) not sent: \(error.message)")
        }
    }

    /// Today's date where the desk is (its local time zone: Europe/London for the county).
    static func today() -> String { CaseActions.today() }

    /// Runs a casework action (``CaseActions``), giving its refusal in the command line's words.
    static func action<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CaseActionError { throw UserFacingError(error.commandLine) }
    }

    /// A date option, checked.
    static func date(_ text: String?, _ option: String) throws -> String? {
        try action { try CaseActions.date(text, option) }
    }

    static func referral(_ deskCase: DeskCase) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any]) ?? [:]
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The cases, newest first; a case whose legal routes have a date passed, or that is ready for prosecution, is flagged.")
        @OptionGroup var desk: Desk
        @OptionGroup var legal: LegalRulesOptions
        @Option(help: "Only cases with this status (open, monitoring, legal_action, disposed, closed).") var status: String?
        @Option(help: "The day the routes' dates are checked on (default today).") var on: String?

        func run() throws {
            let store = try desk.store()
            let cases = try store.cases(status: status)
            let day = try routeDate(on, "on")
            let (rules, note) = try legal.rulesForWarnings()
            let routes = rules.map { LegalRoutes(rules: $0, store: store) }
            if cases.isEmpty { print("No cases.") }
            for item in cases {
                let pupil = CaseCommand.referral(item)["pupil"] as? [String: Any] ?? [:]
                let flag = try routes.map { CaseWarnings.flag(try $0.status(of: item, on: day)) } ?? ""
                print("\(item.reference)  \(item.status)  \(item.laestab)  \(pupil["forename"] ?? "") \(pupil["surname"] ?? "")  ESW: \(item.esw ?? "none")\(flag)")
            }
            if let note, !cases.isEmpty { print(note) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One case: the child, the referral, interventions, the legal routes with their warnings, and history.")
        @OptionGroup var desk: Desk
        @OptionGroup var legal: LegalRulesOptions
        @Argument(help: "The case reference.") var reference: String
        @Option(help: "The day the routes' dates are checked on (default today).") var on: String?

        func run() throws {
            let store = try desk.store()
            guard let item = try store.deskCase(reference) else { throw UserFacingError("There is no case \(reference).") }
            let referral = CaseCommand.referral(item)
            let pupil = referral["pupil"] as? [String: Any] ?? [:]
            let reason = referral["reason"] as? [String: Any] ?? [:]
            print("Case \(item.reference) (\(item.status)), ESW: \(item.esw ?? "none")")
            print("Child: \(pupil["forename"] ?? "") \(pupil["surname"] ?? ""), born \(pupil["date_of_birth"] ?? "?"), UPN \(item.upn), school \(item.laestab)")
            print("Referred for \(reason["category"] ?? "?"): \(reason["details"] ?? "")")
            // What partners have told the desk about the child, under their agreements.
            if let yot = try store.yotCase(upn: item.upn) {
                print("Youth Offending Team: case \(yot.reference), \(yot.status.replacingOccurrences(of: "_", with: " ")) since \(yot.since)")
            }
            if let assignment = try store.adviser(upn: item.upn),
                let adviser = try? JSONSerialization.jsonObject(with: Data(assignment.adviser.utf8)) as? [String: Any]
            {
                let contact = [adviser["team"], adviser["phone"], adviser["email"]].compactMap { $0 as? String }
                print("Connexions personal adviser: \(adviser["name"] as? String ?? "?")" + (contact.isEmpty ? "" : " (\(contact.joined(separator: ", ")))")
                    + ", from \(assignment.assignedOn)" + (assignment.endedOn.map { " to \($0)" } ?? ""))
            }
            let defendants = try store.defendants(of: reference)
            if !defendants.isEmpty {
                let contacts = referral["contacts"] as? [[String: Any]] ?? []
                print("Defendants:")
                for defendant in defendants {
                    let contact = contacts.enumerated().first { index, contact in ((contact["order"] as? Int) ?? index + 1) == defendant.contact }?.element ?? [:]
                    print("  \(defendant.reference)  contact \(defendant.contact): \(contact["forename"] ?? "?") \(contact["surname"] ?? "?")"
                        + " (\(contact["relationship"] ?? "?"); parental responsibility: \(contact["parental_responsibility"] as? Bool == true ? "yes" : "no"); "
                        + "care: \(defendant.hasCare ? "yes" : "no")), chosen by \(defendant.chosenBy): \(defendant.reason)")
                }
            }
            print("Interventions:")
            for intervention in try store.interventions(of: reference) {
                print("  \(intervention.date)  \(intervention.type)  by \(intervention.by)" + (intervention.description.map { ": \($0)" } ?? "")
                    + (intervention.amountPence.map { String(format: " (£%d.%02d, defendant %d, %@)", $0 / 100, $0 % 100, intervention.defendantNumber ?? 1, intervention.status ?? "unpaid") } ?? ""))
            }
            // The routes' dates passed and what the case is ready for, as `liaison case routes` gives them.
            let (rules, note) = try legal.rulesForWarnings()
            if let rules {
                let day = try routeDate(on, "on")
                let status = try LegalRoutes(rules: rules, store: store).status(of: item, on: day)
                let lines = CaseWarnings.lines(status)
                if !lines.isEmpty {
                    print("Legal routes on \(day):")
                    for line in lines { print("  \(line)") }
                }
            } else if let note {
                print(note)
            }
            print("History:")
            for entry in try store.history(of: reference) {
                print("  \(Date(timeIntervalSince1970: Double(entry.at) / 1000).ISO8601Format())  \(entry.kind): \(entry.detail)")
            }
        }
    }

    struct Allocate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allocate an Education Social Worker to a case.")
        @OptionGroup var desk: Desk
        @Argument var reference: String
        @Option(help: "The ESW's name.") var esw: String
        func run() throws { try CaseActions.allocate(reference, esw: esw, in: desk.store()); print("\(reference) allocated to \(esw).") }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to a case's history.")
        @OptionGroup var desk: Desk
        @Argument var reference: String
        @Option var text: String
        func run() throws { try CaseActions.note(reference, text: text, in: desk.store()); print("Noted on \(reference).") }
    }

    struct Intervene: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an intervention: a letter, meeting, home visit, warning notice, contract or penalty notice.")
        static var types: [String] { CaseActions.interventionTypes }
        @OptionGroup var desk: Desk
        @Argument var reference: String
        @Option(help: "One of: \(types.joined(separator: ", ")).") var type: String
        @Option(help: "YYYY-MM-DD (default today).") var date: String?
        @Option(help: "What was done; for a warning letter or notice, its words (the file copies them as an exhibit).") var description: String?
        @Option(help: "Penalty notice: the parent it was issued to (defendant number in a prosecution).") var defendant: Int?
        @Option(help: "Penalty notice: the amount in pounds (80 or 160).") var amount: Int?
        @Option(help: "Penalty notice: paid, unpaid, withdrawn or prosecuted.") var status: String?
        @Option(help: "Penalty notice: the date it was paid.") var paidOn: String?

        func run() throws {
            let intervention = try CaseCommand.action {
                try CaseActions.intervention(
                    type: type, date: date, description: description, defendant: defendant, amount: amount, status: status, paidOn: paidOn)
            }
            try CaseActions.intervene(intervention, on: reference, in: desk.store())
            print("Recorded \(type) on \(reference).")
        }
    }

    struct Defendant: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose a parent to prosecute, and record why (or --remove a choice).",
            discussion: """
                A parent in the Education Act 1996 (s.576) is anyone with parental responsibility or care of the child; \
                each is a separate defendant, chosen case by case. Name the referral's contact (`liaison case show` \
                lists them, by number), their date of birth, whether they have care of the child, and why they are \
                prosecuted. The first chosen is D1, the next D2: the file, the court's outcomes and penalty notices \
                use these references. Choosing the same contact again replaces what was recorded.
                """)
        @OptionGroup var desk: Desk
        @Argument(help: "The case reference.") var reference: String
        @Option(help: "The referral's contact to prosecute, by its number (order).") var contact: Int?
        @Option(help: "Their date of birth, YYYY-MM-DD (for the summons).") var dateOfBirth: String?
        @Flag(help: "They have care of the child (s.576), e.g. the child lives with them.") var hasCare = false
        @Option(help: "Why this parent is prosecuted (or, with --remove, why no longer).") var reason: String
        @Option(help: "Who decided (default: the case's ESW).") var by: String?
        @Option(help: "The address for the summons, if the referral's is missing or out of date: \"LINE; LINE; POSTCODE\".") var address: String?
        @Option(help: "Withdraw the choice of this defendant (D1, D2, ...).") var remove: String?

        func run() throws {
            let store = try desk.store()
            guard let item = try store.deskCase(reference) else { throw UserFacingError("There is no case \(reference).") }
            guard !reason.allSatisfy(\.isWhitespace) else { throw UserFacingError("--reason says why: each parent is chosen case by case.") }
            if let remove {
                do { try store.removeDefendant(reference, defendant: remove, reason: reason) } catch let error as DeskError {
                    throw UserFacingError(error.description)
                }
                print("\(remove) is no longer a defendant on \(reference).")
                return
            }
            guard let contact else { throw UserFacingError("--contact names the referral's contact to prosecute (`liaison case show \(reference)`).") }
            guard let dateOfBirth, try CaseCommand.date(dateOfBirth, "date-of-birth") != nil else {
                throw UserFacingError("--date-of-birth is needed: the summons and the file name each defendant's date of birth.")
            }
            guard let decider = by ?? item.esw else {
                throw UserFacingError("Say who decided: --by NAME, or allocate the case first (`liaison case allocate`).")
            }
            let contacts = CaseCommand.referral(item)["contacts"] as? [[String: Any]] ?? []
            guard let person = contacts.enumerated().first(where: { index, entry in ((entry["order"] as? Int) ?? index + 1) == contact })?.element else {
                throw UserFacingError("The referral has no contact \(contact): `liaison case show \(reference)` lists them.")
            }
            let responsibility = person["parental_responsibility"] as? Bool == true
            guard responsibility || hasCare else {
                throw UserFacingError(
                    "Contact \(contact) has no parental responsibility in the referral: they are a parent (s.576) only if they have care of the child. "
                        + "If they do, say so with --has-care.")
            }
            let lines = address.map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            if let lines, lines.count < 2 { throw UserFacingError("--address is \"LINE; LINE; POSTCODE\": at least one line and the postcode.") }
            let chosen = try store.chooseDefendant(
                reference, contact: contact, dateOfBirth: dateOfBirth, hasCare: hasCare, by: decider, reason: reason, address: lines)
            print("Contact \(contact) is defendant \(chosen.reference) on \(reference) (parental responsibility: \(responsibility ? "yes" : "no"), care: \(hasCare ? "yes" : "no")).")
        }
    }

    struct Feedback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send the school written feedback on a case (case.feedback).")
        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @OptionGroup var desk: Desk
        @Argument var reference: String
        @Option(help: "The feedback to the school.") var text: String
        @Option(help: "The next step, for the school.") var nextStep: String = CaseActions.defaultNextStep
        @Option(help: "open, monitoring, legal_action or closed.") var caseStatus: String = "open"
        @OptionGroup var log: LogOptions

        func run() async throws {
            let store = try desk.store()
            let feedback = try CaseCommand.action {
                try CaseActions.feedback(on: reference, text: text, nextStep: nextStep, caseStatus: caseStatus, in: store)
            }
            let message = feedback.message
            let receipt = try await CaseCommand.send(
                options, adapter, log: log, type: message.type, to: message.recipient, body: message.body, id: message.messageID(sha256Hex: Digest.sha256Hex))
            try CaseActions.record(feedback, receipt: receipt, in: store)
            print("Feedback on \(reference) sent to the school: \(receipt).")
        }
    }

    struct Prosecute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assemble the prosecution file from the case and the register, and send it to the Courts.",
            discussion: """
                The defendants are the parents chosen with `liaison case defendant`. The register extract is the \
                child's marks from the schools' returns for the period (default: every mark held). Refused, with \
                every reason at once, when a court could not act on it: the child not of compulsory school age \
                throughout the period; the information laid on or before the period's end, or more than six months \
                after it (s.127); the hearing not after the laying; no unauthorised absence in the period; for \
                s.444(1A), no warning letter on or before the period's end; a penalty notice for the period paid or \
                still in time; a defendant who is not a parent (s.576) or not chosen with a reason; no ESW to make \
                the statement, no declaration, no school's certificate (s.566), no interventions, missing marks. \
                With --offence 443 the file is for the breach of a school attendance order (`liaison case sao`): the \
                order, the school it names and the breach, refused unless the order's compliance period had passed, \
                the child was of compulsory school age, and it is laid within six months of the breach; the register \
                and certificate options are not used.
                """)
        @OptionGroup var options: ConfigOptions
        @OptionGroup var adapter: AdapterOptions
        @OptionGroup var desk: Desk
        @Argument var reference: String
        @Option(help: "444-1 (strict liability), 444-1A (knowingly failing) or 443 (failing to comply with a school attendance order).") var offence: String
        @Option(help: "The magistrates' court.") var court: String
        @Option(help: "The hearing date, YYYY-MM-DD.") var hearing: String
        @Option(help: "First day of the offence period.") var from: String?
        @Option(help: "Last day of the offence period.") var to: String?
        @Option(help: "The day the information is laid (default today).") var laidOn: String?
        @Option(help: "The day the court issued the summons.") var summonsIssuedOn: String?
        @Option(help: "The court's reference for the summons.") var summonsReference: String?
        @Option(help: "The court's address for the summons: \"LINE; LINE; ...\".") var courtAddress: String?
        @Option(help: "The prosecuting authority.") var prosecutor: String = CaseActions.defaultProsecutor
        @Option(help: "The officer's statement (default: a draft written from the records, to be read before declaring it).") var statement: String?
        @Option(help: "The day the officer signs the statement (default: the day of laying).") var statementDate: String?
        @Flag(help: "The officer declares the statement true; without it nothing is sent.") var declare = false
        @Option(help: "Who at the school signs the certificate of attendance (s.566): \"NAME, ROLE\" (head teacher or a person the school authorised).")
        var certifiedBy: String?
        @Option(help: "The date of the school's certificate.") var certifiedOn: String?
        @Option(help: "A line of the schedule of costs, \"ITEM:PENCE\" (repeat for each).") var costs: [String] = []
        @Option(help: "The folder of the legal rules (penalty-notices.yaml, ...); default: beside --config, else config/legal.") var legal: String?
        @OptionGroup var log: LogOptions

        /// The legal rules' folder: `--legal`, else `legal/` beside the hub's configuration, else `config/legal`.
        func legalFolder() -> String {
            if let legal { return legal }
            let beside = (options.config as NSString).deletingLastPathComponent + "/legal"
            return FileManager.default.fileExists(atPath: "\(beside)/penalty-notices.yaml") ? beside : "config/legal"
        }

        func run() async throws {
            let store = try desk.store()
            let request = CaseActions.ProsecutionRequest(
                offence: offence, court: court, hearing: hearing, from: from, to: to, laidOn: laidOn, summonsIssuedOn: summonsIssuedOn,
                summonsReference: summonsReference, courtAddress: courtAddress, prosecutor: prosecutor, statement: statement,
                statementDate: statementDate, declared: declare, certifiedBy: certifiedBy, certifiedOn: certifiedOn, costs: costs)
            let draft = try CaseCommand.action {
                try CaseActions.prosecution(
                    of: reference, request, in: store,
                    rules: {
                        do { return try LegalRules.load(directory: legalFolder()) } catch {
                            throw UserFacingError("The legal rules could not be read: \(error). Give their folder with --legal (the repository's config/legal).")
                        }
                    },
                    certificateTemplate: CaseActions.certificateTemplate(deskFolder: desk.folder))
            }
            guard let message = draft.message else { throw UserFacingError(draft.refusalMessage) }
            let id = message.messageID(sha256Hex: Digest.sha256Hex)
            let receipt = try await CaseCommand.send(options, adapter, log: log, type: message.type, to: message.recipient, body: message.body, id: id)
            try CaseActions.record(draft, messageID: id, receipt: receipt, in: store)
            print("Prosecution file for \(reference) sent to the Courts: \(receipt).")
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a case.")
        @OptionGroup var desk: Desk
        @Argument var reference: String
        @Option var reason: String
        func run() throws { try CaseActions.close(reference, reason: reason, in: desk.store()); print("\(reference) closed.") }
    }
}
