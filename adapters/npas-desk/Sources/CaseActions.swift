import AttendanceDomain
import Foundation
import LegalProcess

/// The casework actions on a desk case (allocate, note, intervene, feedback, prosecute, close): their checks, the
/// messages they send and what they record. `liaison case` and the console's casework pages both call these, so the
/// command line and the console cannot differ in what they accept, send or keep.
///
/// What is not here is how a message reaches the hub (the caller sends ``OutgoingMessage/body`` and passes the
/// receipt back to be recorded) and the message id's digest (NPASDesk has no hash of its own: the caller gives one).
///
/// ```swift
/// let item = try CaseActions.intervention(type: "letter", date: nil, description: "Warning letter", today: "2026-01-05")
/// try CaseActions.intervene(item, on: "NPAS-2026-0001", in: store)
/// let draft = try CaseActions.prosecution(of: "NPAS-2026-0001", request, in: store, rules: { rules }, certificateTemplate: nil)
/// draft.refusals   // every reason at once, from the same ProsecutionFileBuilder `liaison case prosecute` uses
/// ```
public enum CaseActions {
    /// The interventions a worker may record (schemas' `intervention.type`).
    public static let interventionTypes = [
        "letter", "phone_call", "meeting", "home_visit", "attendance_support_plan", "attendance_contract", "parenting_contract",
        "early_help", "warning_notice", "penalty_notice", "referral_to_agency", "education_supervision_order", "fast_track", "other",
    ]
    /// A penalty notice's statuses.
    public static let penaltyNoticeStatuses = ["paid", "unpaid", "withdrawn", "prosecuted"]
    /// What feedback may tell the school the case now is.
    public static let feedbackStatuses = ["open", "monitoring", "legal_action", "closed"]
    /// Feedback's next step for the school when none is given.
    public static let defaultNextStep = "Keep the attendance service informed of the pupil's attendance."
    /// The offences a prosecution may be for, as `--offence` takes them, and the section each is.
    public static let offences = ["444-1": "444(1)", "444-1A": "444(1A)", "444(1)": "444(1)", "444(1A)": "444(1A)", "443": "443"]
    /// The prosecuting authority when none is given.
    public static let defaultProsecutor = "Example County Council"

    /// How a form names each value (by its command-line option), for its label and its errors.
    public static let labels: [String: String] = [
        "esw": "Education Social Worker", "text": "Note", "reason": "Reason", "type": "Type of intervention", "date": "Date",
        "description": "What was done", "defendant": "Defendant number", "amount": "Amount in pounds", "status": "Penalty notice status",
        "paid-on": "Date paid", "next-step": "Next step for the school", "case-status": "The case is now", "offence": "Offence",
        "court": "Magistrates' court", "hearing": "Hearing date", "from": "First day of the offence period", "to": "Last day of the offence period",
        "laid-on": "Day the information is laid", "summons-issued-on": "Day the court issued the summons", "summons-reference": "Summons reference",
        "court-address": "Court's address", "prosecutor": "Prosecuting authority", "statement": "Officer's statement",
        "statement-date": "Day the officer signs the statement", "declare": "Declaration", "certified-by": "Certificate signed by",
        "certified-on": "Date of the school's certificate", "costs": "Schedule of costs",
    ]

    static func label(_ field: String) -> String { labels[field] ?? field }

    /// Today where the desk is (its local time zone: Europe/London for the county).
    public static func today() -> String { SchoolDate.today(in: .current).description }

    /// A date value, checked (nil stays nil).
    public static func date(_ text: String?, _ field: String) throws(CaseActionError) -> String? {
        guard let text else { return nil }
        guard SchoolDate(parsing: text) != nil else {
            throw CaseActionError(
                field: field, commandLine: "--\(field) is a date, YYYY-MM-DD: '\(text)' is not.",
                form: "\(label(field)) must be a date, YYYY-MM-DD: '\(text)' is not.")
        }
        return text
    }

    /// The case, or the error every action gives for a reference the desk does not hold.
    public static func deskCase(_ reference: String, in store: DeskStore) throws -> DeskCase {
        guard let item = try store.deskCase(reference) else { throw CaseActionError("There is no case \(reference).") }
        return item
    }

    // MARK: Allocate, note, close

    /// Allocates an Education Social Worker to the case (kept in its history).
    public static func allocate(_ reference: String, esw: String, in store: DeskStore) throws {
        try store.allocate(reference, esw: esw)
    }

    /// Adds a note to the case's history.
    public static func note(_ reference: String, text: String, in store: DeskStore) throws {
        try store.change(reference, kind: "note", detail: text)
    }

    /// Closes the case, with the reason in its history.
    public static func close(_ reference: String, reason: String, in store: DeskStore) throws {
        try store.setStatus(reference, "closed", detail: reason)
    }

    // MARK: Intervene

    /// An intervention from a worker's values, checked: the type one of ``interventionTypes``; dates as dates; a
    /// penalty notice with its amount (pounds) and defendant, and a paid one with the day it was paid.
    public static func intervention(
        type: String, date: String?, description: String?, defendant: Int? = nil, amount: Int? = nil, status: String? = nil,
        paidOn: String? = nil, today: String = today()
    ) throws(CaseActionError) -> DeskIntervention {
        guard interventionTypes.contains(type) else {
            throw CaseActionError(
                field: "type", commandLine: "--type is one of \(interventionTypes.joined(separator: ", ")).",
                form: "Choose the type of intervention.")
        }
        _ = try Self.date(date, "date")
        _ = try Self.date(paidOn, "paid-on")
        if let status, !penaltyNoticeStatuses.contains(status) {
            throw CaseActionError(
                field: "status", commandLine: "--status is paid, unpaid, withdrawn or prosecuted.",
                form: "Penalty notice status is paid, unpaid, withdrawn or prosecuted.")
        }
        if let defendant, !(1...9).contains(defendant) {
            throw CaseActionError(
                field: "defendant", commandLine: "--defendant is a number from 1 to 9.", form: "Defendant number is a number from 1 to 9.")
        }
        if type == "penalty_notice" {
            guard let amount, amount > 0, defendant != nil else {
                throw CaseActionError(
                    field: amount.map { $0 > 0 } == true ? "defendant" : "amount",
                    commandLine: "A penalty notice needs --amount (pounds) and --defendant (which parent).",
                    form: "A penalty notice needs the amount in pounds and the defendant number (which parent).")
            }
            if status == "paid", paidOn == nil {
                throw CaseActionError(
                    field: "paid-on", commandLine: "A paid penalty notice needs --paid-on.", form: "A paid penalty notice needs the date it was paid.")
            }
        }
        return DeskIntervention(
            date: date ?? today, type: type, description: description, defendantNumber: defendant, amountPence: amount.map { $0 * 100 },
            status: type == "penalty_notice" ? (status ?? "unpaid") : nil, paidOn: paidOn)
    }

    /// Records an intervention on the case (and in its history).
    public static func intervene(_ intervention: DeskIntervention, on reference: String, in store: DeskStore) throws {
        try store.add(intervention, to: reference)
    }

    // MARK: Messages through the hub

    /// A message an action sends through the hub as the attendance service: its type, recipient and body (JSON,
    /// sorted keys). Its id follows its content (``messageID(sha256Hex:)``), so the same message again is a duplicate.
    public struct OutgoingMessage: Sendable {
        public let reference: String
        public let type: String
        public let recipient: String
        public let body: [UInt8]
        /// The id's prefix before the digest (`feedback-NPAS-2026-0001`).
        let idStem: String
        /// What the id's digest is of.
        let idContent: [UInt8]

        /// The message id: the stem and the first 12 hex digits of `sha256Hex(content)`.
        public func messageID(sha256Hex: ([UInt8]) -> String) -> String { "\(idStem)-\(sha256Hex(idContent).prefix(12))" }
    }

    // MARK: Feedback

    /// Feedback to the school (`case.feedback`), and what the case becomes once it is sent.
    public struct Feedback: Sendable {
        public let message: OutgoingMessage
        /// The status the school is told the case has.
        public let caseStatus: String
        /// The case's status before.
        public let previousStatus: String
    }

    /// The feedback letter to the school on the case: the worker's words, the next step for the school and the
    /// status the case now has (one of ``feedbackStatuses``); signed by the allocated worker.
    public static func feedback(
        on reference: String, text: String, nextStep: String = defaultNextStep, caseStatus: String = "open", in store: DeskStore,
        today: String = today()
    ) throws -> Feedback {
        guard feedbackStatuses.contains(caseStatus) else {
            throw CaseActionError(
                field: "case-status", commandLine: "--case-status is open, monitoring, legal_action or closed.",
                form: "Choose what the case is now: open, monitoring, legal action or closed.")
        }
        let item = try deskCase(reference, in: store)
        let referral = (try? JSONSerialization.jsonObject(with: Data(item.referral.utf8)) as? [String: Any]) ?? [:]
        var body: [String: Any] = [
            "case_reference": reference, "school": referral["school"] ?? ["laestab": item.laestab], "upn": item.upn,
            "date": today, "feedback": text, "next_steps": [["action": nextStep, "owner": "school"]],
            "case_status": caseStatus,
        ]
        if let esw = item.esw { body["author"] = ["name": esw, "role": "Education Social Worker"] }
        let bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        // The same letter sent again (after an unclear failure) is the same message: the school gets it once.
        let message = OutgoingMessage(
            reference: reference, type: "case.feedback", recipient: "schools-mis", body: bytes, idStem: "feedback-\(reference)",
            idContent: Array(text.utf8))
        return Feedback(message: message, caseStatus: caseStatus, previousStatus: item.status)
    }

    /// Records feedback the hub accepted: in the history with the receipt, then the status the school was told
    /// (a disposed case stays disposed when the school is told of legal action).
    public static func record(_ feedback: Feedback, receipt: String, in store: DeskStore) throws {
        let reference = feedback.message.reference
        try store.change(reference, kind: "feedback", detail: "sent to the school (\(receipt))")
        if feedback.caseStatus != feedback.previousStatus, feedback.caseStatus != "legal_action" || feedback.previousStatus != "disposed" {
            try store.setStatus(reference, feedback.caseStatus, detail: "as told to the school")
        }
    }

    // MARK: Prosecute

    /// A prosecution's values as the worker gives them (`liaison case prosecute`'s options, the console's form).
    public struct ProsecutionRequest: Sendable, Equatable {
        public var offence: String
        public var court: String
        public var hearing: String
        public var from: String?
        public var to: String?
        public var laidOn: String?
        public var summonsIssuedOn: String?
        public var summonsReference: String?
        /// "LINE; LINE; ...".
        public var courtAddress: String?
        public var prosecutor: String
        public var statement: String?
        public var statementDate: String?
        public var declared: Bool
        /// "NAME, ROLE".
        public var certifiedBy: String?
        public var certifiedOn: String?
        /// Each "ITEM:PENCE".
        public var costs: [String]

        public init(
            offence: String, court: String, hearing: String, from: String? = nil, to: String? = nil, laidOn: String? = nil,
            summonsIssuedOn: String? = nil, summonsReference: String? = nil, courtAddress: String? = nil,
            prosecutor: String = CaseActions.defaultProsecutor, statement: String? = nil, statementDate: String? = nil, declared: Bool = false,
            certifiedBy: String? = nil, certifiedOn: String? = nil, costs: [String] = []
        ) {
            self.offence = offence
            self.court = court
            self.hearing = hearing
            self.from = from
            self.to = to
            self.laidOn = laidOn
            self.summonsIssuedOn = summonsIssuedOn
            self.summonsReference = summonsReference
            self.courtAddress = courtAddress
            self.prosecutor = prosecutor
            self.statement = statement
            self.statementDate = statementDate
            self.declared = declared
            self.certifiedBy = certifiedBy
            self.certifiedOn = certifiedOn
            self.costs = costs
        }
    }

    /// A prosecution file as it stands: every reason it may not go to court, or, when there are none, the file.
    public struct ProsecutionDraft: Sendable {
        public let reference: String
        /// The section, `444(1)`, `444(1A)` or `443`.
        public let offence: String
        public let hearing: String
        /// Every reason the file is refused (``ProsecutionFileBuilder/refusals(case:interventions:marks:defendants:penaltyNotices:table:)``).
        public let refusals: [ProsecutionFileBuilder.Refusal]
        /// The file's body (JSON, sorted keys) when there are no refusals: the message the Courts would get.
        public let file: [UInt8]?
        /// The defendants the file names, (D1, 1), ...
        public let defendants: [DefendantName]

        public struct DefendantName: Sendable, Equatable {
            public let reference: String
            public let number: Int
        }

        /// The refusals as `liaison case prosecute` gives them: one message naming every reason.
        public var refusalMessage: String {
            "The prosecution file for \(reference) was not sent: \(refusals.map(\.message).joined(separator: "; "))."
        }

        /// The message to send: the Courts' `prosecution.file`; its id follows the content (the same file again is a
        /// duplicate; a corrected one is a new message). Nil while the file is refused.
        public var message: OutgoingMessage? {
            file.map {
                OutgoingMessage(
                    reference: reference, type: "prosecution.file", recipient: "courts", body: $0, idStem: "prosecution-\(reference)-\(hearing)",
                    idContent: $0)
            }
        }
    }

    /// The school's certificate of attendance wording: the desk's own (`templates/s566-certificate.txt` in its
    /// folder) when it has one, else the builder's default.
    public static func certificateTemplate(deskFolder: String) -> String {
        let template = try? String(contentsOfFile: "\(deskFolder)/templates/s566-certificate.txt", encoding: .utf8)
        return template.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 } ?? ProsecutionFileBuilder.defaultCertificateTemplate
    }

    /// Checks the worker's values, then assembles the file from the case, the register and the desk's records with
    /// ``ProsecutionFileBuilder``: every refusal at once, or the file. Nothing is changed or sent. `rules` is asked
    /// for only once the values are good.
    public static func prosecution(
        of reference: String, _ request: ProsecutionRequest, in store: DeskStore, rules: () throws -> LegalRules, certificateTemplate: String,
        today: String = today()
    ) throws -> ProsecutionDraft {
        let item = try deskCase(reference, in: store)
        guard let statute = offences[request.offence.uppercased()] else {
            throw CaseActionError(field: "offence", commandLine: "--offence is 444-1, 444-1A or 443.", form: "Choose the offence: s.444(1), s.444(1A) or s.443.")
        }
        for (value, field) in [
            (request.hearing, "hearing"), (request.from, "from"), (request.to, "to"), (request.laidOn, "laid-on"),
            (request.summonsIssuedOn, "summons-issued-on"), (request.statementDate, "statement-date"), (request.certifiedOn, "certified-on"),
        ] as [(String?, String)] {
            _ = try date(value, field)
        }
        let schedule = try request.costs.map { line throws(CaseActionError) -> (item: String, pence: Int) in
            let parts = line.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 2, let pence = Int(parts.last!.trimmingCharacters(in: .whitespaces)), (0...10_000_000).contains(pence),
                !parts.dropLast().joined(separator: ":").allSatisfy(\.isWhitespace)
            else {
                throw CaseActionError(
                    field: "costs", commandLine: "--costs is \"ITEM:PENCE\", e.g. \"Officer time:12000\" (pence, at most 10000000): '\(line)' is not.",
                    form: "Each line of the schedule of costs is ITEM:PENCE, e.g. Officer time:12000 (pence, at most 10000000): '\(line)' is not.")
            }
            return (parts.dropLast().joined(separator: ":").trimmingCharacters(in: .whitespaces), pence)
        }
        let legal = try rules()
        var builder = ProsecutionFileBuilder(
            offence: statute, court: request.court, hearingDate: request.hearing, periodStart: request.from, periodEnd: request.to,
            prosecutor: request.prosecutor, statement: request.statement, declared: request.declared, certifiedBy: request.certifiedBy,
            certifiedOn: request.certifiedOn, laidOn: request.laidOn ?? today, summonsIssuedOn: request.summonsIssuedOn,
            summonsReference: request.summonsReference,
            courtAddress: request.courtAddress.map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } },
            statementDate: request.statementDate, costs: schedule, certificateTemplate: certificateTemplate, framework: legal.penaltyNotices)
        if statute == Offence.section443.rawValue {
            builder.attendanceOrder = try store.attendanceOrderBreach(of: reference)
            builder.attendanceOrders = legal.schoolAttendanceOrders
        }
        let interventions = try store.interventions(of: reference)
        let marks = try store.marks(upn: item.upn, laestab: item.laestab)
        let defendants = try store.defendants(of: reference)
        let notices = try store.prosecutionNotices(of: reference, framework: legal.penaltyNotices)
        let refusals = builder.refusals(case: item, interventions: interventions, marks: marks, defendants: defendants, penaltyNotices: notices)
        guard refusals.isEmpty else {
            return ProsecutionDraft(reference: reference, offence: statute, hearing: request.hearing, refusals: refusals, file: nil, defendants: [])
        }
        let file = try builder.build(case: item, interventions: interventions, marks: marks, defendants: defendants, penaltyNotices: notices)
        let named = (file["defendants"] as? [[String: Any]] ?? []).compactMap { defendant -> ProsecutionDraft.DefendantName? in
            guard let name = defendant["reference"] as? String, let number = defendant["defendant_number"] as? Int else { return nil }
            return ProsecutionDraft.DefendantName(reference: name, number: number)
        }
        return ProsecutionDraft(
            reference: reference, offence: statute, hearing: request.hearing, refusals: [],
            file: Array(try JSONSerialization.data(withJSONObject: file, options: [.sortedKeys])), defendants: named)
    }

    /// Records a prosecution file the hub accepted: the case goes to legal action, with the defendants the file
    /// named, so the court's outcomes can be matched to them.
    public static func record(_ draft: ProsecutionDraft, messageID: String, receipt: String, in store: DeskStore) throws {
        try store.recordProsecution(
            draft.reference, hearingDate: draft.hearing, offence: draft.offence, defendants: draft.defendants.map { ($0.reference, $0.number) },
            messageID: messageID, receipt: receipt)
    }
}
