import AttendanceDomain
import Foundation
import LegalProcess

/// Assembles a `prosecution.file` (schemas/prosecution.file.schema.json, version 2) from a case: the child and
/// school from the school's referral; each defendant the worker chose (``DeskDefendant``), with their date of
/// birth, address and the reason recorded; the register for the period from the returns the desk holds, with
/// the school's certificate under s.566; the interventions, warning letters and penalty notices recorded; the
/// officer's statement in s.9 form; the costs; and the exhibits (EW/1, ...), letters and notices copied.
///
/// It refuses, with every reason at once, a file a court could not act on: the law's reasons come from
/// `LegalProcess.ProsecutionChecks` (compulsory school age, the s.127 time limit, hearing after laying,
/// unauthorised absence, warning letters for s.444(1A), penalty notices, s.576 parents chosen with a reason);
/// the desk's own are what the file would otherwise lack (an officer, a declaration, a certificate, a
/// complete register, an address).
///
/// ```swift
/// let builder = ProsecutionFileBuilder(offence: "444(1)", court: "Example Magistrates' Court", hearingDate: "2026-01-20",
///                                      prosecutor: "Example County Council", laidOn: "2026-01-05", framework: rules.penaltyNotices)
/// let refusals = builder.refusals(case: deskCase, interventions: items, marks: marks, defendants: chosen, penaltyNotices: notices)
/// let body = try builder.build(case: deskCase, interventions: items, marks: marks, defendants: chosen, penaltyNotices: notices)
/// ```
public struct ProsecutionFileBuilder: Sendable {
    /// One reason the file is refused: a stable `code` (the law's codes are `ProsecutionRefusal.Code`'s) and a
    /// message that tells the worker what to do. Messages name defendants by reference, never by name.
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        public var code: String
        public var message: String
        public init(_ code: String, _ message: String) {
            self.code = code
            self.message = message
        }
        public var description: String { message }
    }

    /// A penalty notice as the file shows it and the checks weigh it. The desk's records give these
    /// (``DeskStore/prosecutionNotices(of:framework:)``); the builder does not care where from, so tests give their own.
    public struct Notice: Sendable, Equatable {
        /// The notice's own reference (PN-2025-0001); opaque, never derived from the child.
        public var reference: String
        public var issuedOn: String
        public var defendantNumber: Int
        public var amountPence: Int
        /// paid, unpaid, withdrawn or prosecuted.
        public var status: String
        public var paidOn: String?
        /// The absence the notice was for; nil when not recorded, and then taken as the whole offence period
        /// (the cautious reading: a paid notice, or one still in time, then bars the prosecution).
        public var period: ClosedRange<String>?
        /// The notice's words, for the copy in the exhibits; nil gives a summary of its terms.
        public var text: String?

        public init(
            reference: String, issuedOn: String, defendantNumber: Int, amountPence: Int, status: String, paidOn: String? = nil,
            period: ClosedRange<String>? = nil, text: String? = nil
        ) {
            self.reference = reference
            self.issuedOn = issuedOn
            self.defendantNumber = defendantNumber
            self.amountPence = amountPence
            self.status = status
            self.paidOn = paidOn
            self.period = period
            self.text = text
        }
    }

    /// A school attendance order and its breach, for a s.443 file: the notice before it (s.437(1)), the order and
    /// the school it names, and the failure to comply. The desk's routes give it (``DeskStore/attendanceOrderBreach(of:)``).
    public struct AttendanceOrder: Sendable, Equatable {
        /// The day the s.437(1) notice was served, if the desk recorded one.
        public var noticeServedOn: String?
        /// The day the order was made and served on the parent.
        public var madeOn: String
        /// The school the order names (LAESTAB).
        public var school: String
        /// The parent the notice and order were served on: `D1`, or `C1` when not a chosen defendant.
        public var parent: String?
        /// The day the failure to comply was found, and what it was.
        public var breachOn: String
        public var breach: String

        public init(noticeServedOn: String?, madeOn: String, school: String, parent: String?, breachOn: String, breach: String) {
            self.noticeServedOn = noticeServedOn
            self.madeOn = madeOn
            self.school = school
            self.parent = parent
            self.breachOn = breachOn
            self.breach = breach
        }
    }

    /// The intervention types that are evidence the parent was warned (s.444(1A): the parent knew).
    public static let warningTypes: Set<String> = ["warning_notice", "warning_letter"]

    /// The s.9 declaration (Criminal Justice Act 1967 s.9(2)(b)), printed above the maker's signature.
    public static let declarationText = """
        This statement (consisting of the pages each signed by me) is true to the best of my knowledge and belief and I \
        make it knowing that, if it is tendered in evidence, I shall be liable to prosecution if I have wilfully stated in \
        it anything which I know to be false, or do not believe to be true.
        """

    /// The s.566 certificate's wording, with `{school}`, `{child}`, `{date_of_birth}`, `{from}`, `{to}`, `{possible}`,
    /// `{attended}`, `{authorised}`, `{unauthorised}`, `{signatory}` and `{role}` filled in. A desk may replace it
    /// with its own (`FOLDER/templates/s566-certificate.txt` for `liaison case prosecute`).
    public static let defaultCertificateTemplate = """
        I, {signatory}, {role} of {school}, certify that the attached extract of the school's attendance register for \
        {child} (born {date_of_birth}) for the period {from} to {to} is a true extract of the register kept by the school, \
        and that it shows {attended} sessions attended of {possible} possible, {authorised} sessions of authorised absence \
        and {unauthorised} sessions of unauthorised absence. This certificate is given under section 566 of the Education \
        Act 1996.
        """

    public var offence: String
    public var court: String
    public var hearingDate: String
    public var periodStart: String?
    public var periodEnd: String?
    public var prosecutor: String
    public var statement: String?
    /// The officer declares the statement true (an s9 statement is signed by its maker, never by the system).
    public var declared: Bool
    /// Who at the school certified the register under s.566 ("name, role"), and when.
    public var certifiedBy: String?
    public var certifiedOn: String?
    /// The day the information is laid (YYYY-MM-DD).
    public var laidOn: String
    public var summonsIssuedOn: String?
    public var summonsReference: String?
    public var courtAddress: [String]?
    /// The day the officer signs the statement; the day of laying when not given.
    public var statementDate: String?
    /// The schedule of costs.
    public var costs: [(item: String, pence: Int)]
    public var certificateTemplate: String
    /// The penalty-notice framework, for how long an unpaid notice may still be paid.
    public var framework: PenaltyNoticeFramework
    /// For offence `443`: the order and its breach (nil when the case has no breach recorded: refused).
    public var attendanceOrder: AttendanceOrder?
    /// For offence `443`: the orders' rules (the compliance period).
    public var attendanceOrders = SchoolAttendanceOrder(noticePeriodDays: SchoolAttendanceOrder.statutoryMinimumNoticeDays)

    public init(
        offence: String, court: String, hearingDate: String, periodStart: String? = nil, periodEnd: String? = nil,
        prosecutor: String, statement: String? = nil, declared: Bool = false, certifiedBy: String? = nil, certifiedOn: String? = nil,
        laidOn: String, summonsIssuedOn: String? = nil, summonsReference: String? = nil, courtAddress: [String]? = nil,
        statementDate: String? = nil, costs: [(item: String, pence: Int)] = [], certificateTemplate: String = Self.defaultCertificateTemplate,
        framework: PenaltyNoticeFramework
    ) {
        self.offence = offence
        self.court = court
        self.hearingDate = hearingDate
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.prosecutor = prosecutor
        self.statement = statement
        self.declared = declared
        self.certifiedBy = certifiedBy
        self.certifiedOn = certifiedOn
        self.laidOn = laidOn
        self.summonsIssuedOn = summonsIssuedOn
        self.summonsReference = summonsReference
        self.courtAddress = courtAddress
        self.statementDate = statementDate
        self.costs = costs
        self.certificateTemplate = certificateTemplate
        self.framework = framework
    }

    /// What the builder gathered from the case: everything ``refusals(case:interventions:marks:defendants:penaltyNotices:table:)``
    /// checks and ``build(case:interventions:marks:defendants:penaltyNotices:table:)`` writes.
    struct Gathered {
        var refusals: [Refusal] = []
        var pupil: [String: Any] = [:]
        var school: [String: Any] = [:]
        var defendants: [[String: Any]] = []
        var period: [String] = []
        var periodRange: ClosedRange<SchoolDate>?
        var figures = PupilFigures()
        var extract: [String: [String: String]] = [:]
        var meanings: [String: String] = [:]
        var interventions: [[String: Any]] = []
        var warnings: [[String: Any]] = []
        var certifier: [String] = []
        /// The period the file alleges, first and last day: the register's days for s.444, the order to the breach for s.443.
        var span: (from: String, to: String) = ("", "")
    }

    /// Every reason the file must not go to court; empty if it may.
    public func refusals(
        case deskCase: DeskCase, interventions: [DeskIntervention], marks: [String: (am: String, pm: String)], defendants: [DeskDefendant],
        penaltyNotices: [Notice], table: CodeTable = .standard
    ) -> [Refusal] {
        gather(deskCase, interventions, marks, defendants, penaltyNotices, table).refusals
    }

    /// The file's body, or a `DeskError` naming every reason it is refused (``refusals(case:interventions:marks:defendants:penaltyNotices:table:)``).
    public func build(
        case deskCase: DeskCase, interventions: [DeskIntervention], marks: [String: (am: String, pm: String)], defendants chosen: [DeskDefendant],
        penaltyNotices: [Notice], table: CodeTable = .standard
    ) throws -> [String: Any] {
        let found = gather(deskCase, interventions, marks, chosen, penaltyNotices, table)
        guard found.refusals.isEmpty else { throw DeskError(found.refusals.map(\.message).joined(separator: "; ")) }
        let (from, to) = found.span
        let figures = found.figures
        let isBreach = offence == Offence.section443.rawValue
        let esw = deskCase.esw ?? ""
        let madeOn = statementDate ?? laidOn
        let name = "\(found.pupil["forename"] ?? "") \(found.pupil["surname"] ?? "")"
        let schoolName = found.school["name"] as? String ?? "the school"

        // Exhibits: the certificate with the register, then each warning letter, then each penalty notice.
        let prefix = Self.initials(esw)
        var exhibits: [[String: Any]] = []
        if let order = attendanceOrder, isBreach {
            // A s.443 file's evidence is the order and what went before it, not the register.
            if let served = order.noticeServedOn {
                exhibits.append([
                    "reference": "\(prefix)/1", "description": "Notice under s.437(1) of the Education Act 1996", "kind": "other", "date": served,
                    "text": "Notice served on \(order.parent ?? "the parent") on \(Self.longDate(served)) requiring them to satisfy the authority, "
                        + "within the period it specified, that the child is receiving suitable education.",
                ])
            }
            exhibits.append([
                "reference": "\(prefix)/\(exhibits.count + 1)", "description": "School attendance order (s.437) naming school \(order.school)",
                "kind": "other", "date": order.madeOn,
                "text": "School attendance order made and served on \(order.parent ?? "the parent") on \(Self.longDate(order.madeOn)), requiring them "
                    + "to cause the child to become a registered pupil at school \(order.school) within \(attendanceOrders.compliancePeriodDays) days.",
            ])
        } else {
            exhibits.append([
                "reference": "\(prefix)/1", "description": "Certificate of attendance (s.566) with the register extract",
                "kind": "register_certificate", "date": certifiedOn!,
            ])
        }
        for warning in found.warnings {
            let date = warning["date"] as? String ?? ""
            let words = (warning["description"] as? String).flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
            exhibits.append([
                "reference": "\(prefix)/\(exhibits.count + 1)", "description": "Warning letter of \(Self.longDate(date))", "kind": "warning_letter",
                "date": date,
                "text": words ?? "Warning letter sent on \(Self.longDate(date)); the words of the letter are on the case file and were not recorded at the desk.",
            ])
        }
        for notice in penaltyNotices {
            exhibits.append([
                "reference": "\(prefix)/\(exhibits.count + 1)", "description": "Penalty notice \(notice.reference)", "kind": "penalty_notice",
                "date": notice.issuedOn, "text": notice.text ?? noticeSummary(notice, period: from...to, all: penaltyNotices),
            ])
        }
        func exhibit(_ kind: String) -> [String] { exhibits.filter { $0["kind"] as? String == kind }.map { $0["reference"] as! String } }

        let rate = figures.attendanceRate.map { String(format: "%.1f%%", $0) } ?? "no possible sessions"
        let orderExhibit = exhibits.first { ($0["description"] as? String ?? "").hasPrefix("School attendance order") }?["reference"] as? String ?? ""
        let orderText = attendanceOrder.map { order in
            "I am an Education Social Worker employed by \(prosecutor). "
                + (order.noticeServedOn.map { "On \(Self.longDate($0)) a notice under section 437(1) of the Education Act 1996 was served on the parent of \(name). " } ?? "")
                + "On \(Self.longDate(order.madeOn)) the authority made and served a school attendance order requiring \(name) to become a registered "
                + "pupil at school \(order.school). On \(Self.longDate(order.breachOn)) the order had not been complied with: \(order.breach). "
                + "I produce the order as exhibit \(orderExhibit)."
        }
        var text = statement ?? (isBreach ? orderText : nil) ?? """
            I am an Education Social Worker employed by \(prosecutor). \(name) is a registered pupil at \(schoolName). \
            Between \(Self.longDate(from)) and \(Self.longDate(to)) \(name) attended \(figures.attended) of \(figures.possible) possible \
            sessions (\(rate)); \(figures.unauthorised) sessions were unauthorised absences. I produce the school's certificate of \
            attendance and the register extract as exhibit \(exhibit("register_certificate").first ?? "").
            """
        if statement == nil {
            let letters = exhibit("warning_letter"), notices = exhibit("penalty_notice")
            if !letters.isEmpty { text += " I produce the warning letters sent as \(letters.joined(separator: ", "))." }
            if !notices.isEmpty { text += " I produce the penalty notices issued as \(notices.joined(separator: ", "))." }
        }

        let filePenaltyNotices = penaltyNotices.map { notice -> [String: Any] in
            var entry: [String: Any] = [
                "reference": notice.reference, "issued_on": notice.issuedOn, "defendant_number": notice.defendantNumber,
                "defendant_reference": "D\(notice.defendantNumber)", "amount_pence": notice.amountPence, "status": notice.status,
                "period": ["start_date": notice.period?.lowerBound ?? from, "end_date": notice.period?.upperBound ?? to],
            ]
            if notice.status == "paid", let paidOn = notice.paidOn { entry["paid_on"] = paidOn }
            return entry
        }
        var information: [String: Any] = ["laid_on": laidOn, "prosecutor": prosecutor]
        if let summonsIssuedOn { information["summons_issued_on"] = summonsIssuedOn }
        if let summonsReference { information["summons_reference"] = summonsReference }
        if let courtAddress, !courtAddress.isEmpty { information["court_address"] = courtAddress }
        let signatory = found.certifier.count == 2 ? ["name": found.certifier[0], "role": found.certifier[1]] : ["name": "", "role": ""]
        let values: [String: String] = [
            "school": schoolName, "child": name, "date_of_birth": Self.longDate(found.pupil["date_of_birth"] as? String ?? ""),
            "from": Self.longDate(from), "to": Self.longDate(to), "possible": "\(figures.possible)", "attended": "\(figures.attended)",
            "authorised": "\(figures.authorised)", "unauthorised": "\(figures.unauthorised)", "signatory": signatory["name"]!,
            "role": signatory["role"]!,
        ]
        let wording = values.reduce(certificateTemplate) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        var file: [String: Any] = [
            "case_reference": deskCase.reference,
            "offence": offence,
            "route": found.interventions.contains { $0["type"] as? String == "fast_track" } ? "fast_track" : "standard",
            "period": ["start_date": from, "end_date": to],
            "information": information,
            "child": [
                "upn": deskCase.upn, "forename": found.pupil["forename"] ?? "", "surname": found.pupil["surname"] ?? "",
                "date_of_birth": found.pupil["date_of_birth"] ?? "", "school": found.school,
            ],
            "defendants": found.defendants,
            "witness_statement": [
                "officer": ["name": esw, "role": "Education Social Worker"], "made_on": madeOn, "text": text, "declaration": true,
                "declaration_text": Self.declarationText, "signature": ["name": esw, "date": madeOn],
            ],
            "interventions": found.interventions,
            "penalty_notices": filePenaltyNotices,
            "costs": costs.map { ["item": $0.item, "pence": $0.pence] as [String: Any] },
            "exhibits": exhibits,
            "hearing": ["court": ["name": court], "date": hearingDate],
        ]
        if let order = attendanceOrder, isBreach {
            var entry: [String: Any] = [
                "made_on": order.madeOn, "school": ["laestab": order.school],
                "compliance_ends": SchoolDate(parsing: order.madeOn).map { attendanceOrders.complianceEnds(orderMade: $0).description } ?? order.madeOn,
                "breach": ["date": order.breachOn, "description": order.breach],
            ]
            if let served = order.noticeServedOn { entry["notice_served_on"] = served }
            if let parent = order.parent { entry["parent_reference"] = parent }
            file["attendance_order"] = entry
            return file
        }
        file["register_extract"] = [
            "school": found.school, "period": ["start_date": from, "end_date": to],
            "certified_by": signatory, "certified_on": certifiedOn!,
            "totals": [
                "sessions_possible": figures.possible, "present": figures.present, "aea": figures.aea,
                "authorised": figures.authorised, "unauthorised": figures.unauthorised,
            ],
            "marks": found.extract, "meanings": found.meanings,
        ] as [String: Any]
        file["attendance_certificate"] = ["signatory": signatory, "signed_on": certifiedOn!, "wording": wording, "school": found.school]
        return file
    }

    // MARK: Gathering and checking

    func gather(
        _ deskCase: DeskCase, _ interventions: [DeskIntervention], _ marks: [String: (am: String, pm: String)], _ chosen: [DeskDefendant],
        _ notices: [Notice], _ table: CodeTable
    ) -> Gathered {
        var found = Gathered()
        func refuse(_ code: String, _ message: String) { found.refusals.append(Refusal(code, message)) }
        guard let referral = try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any] else {
            refuse("referral-unreadable", "The case's referral cannot be read: ask the school to refer the child again.")
            return found
        }
        found.pupil = referral["pupil"] as? [String: Any] ?? [:]
        found.school = referral["school"] as? [String: Any] ?? [:]
        guard let offence = Offence(rawValue: offence) else {
            refuse("unknown-offence", "The offence is 444(1), 444(1A) or 443.")
            return found
        }
        let isBreach = offence == .section443

        // The desk's own reasons: what the file would lack.
        if deskCase.esw == nil {
            refuse("no-officer", "no Education Social Worker is allocated to make the statement (`liaison case allocate`)")
        }
        if !declared { refuse("statement-not-declared", "the officer has not declared the statement true (--declare, after reading it)") }
        found.certifier = certifiedBy?.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        if !isBreach, found.certifier.count != 2 || found.certifier.contains(where: \.isEmpty) || certifiedOn.flatMap({ SchoolDate(parsing: $0) }) == nil {
            refuse(
                "no-certificate",
                "the school's certificate of the register (s.566) is needed: --certified-by \"NAME, ROLE\" (the head teacher or a person the school authorised) and --certified-on DATE")
        }

        // The defendants the worker chose, each from the referral's contacts.
        let contacts = referral["contacts"] as? [[String: Any]] ?? []
        for defendant in chosen.sorted(by: { $0.number < $1.number }) {
            let contact = DeskDefendant.contact(defendant.contact, in: contacts)
            guard let contact else {
                refuse("unknown-contact", "defendant \(defendant.reference) is contact \(defendant.contact), which the referral does not have: choose them again")
                continue
            }
            let address: Any? =
                defendant.address.flatMap(Self.address)
                ?? contact["address"] ?? (contact["address_as_pupil"] as? Bool == true ? found.pupil["address"] : nil)
            if address == nil {
                refuse("no-address", "defendant \(defendant.reference) has no address for the summons: choose them again with --address")
            }
            if SchoolDate(parsing: defendant.dateOfBirth) == nil {
                refuse("no-date-of-birth", "defendant \(defendant.reference) has no date of birth: choose them again with --date-of-birth")
            }
            var entry: [String: Any] = [
                "reference": defendant.reference, "defendant_number": defendant.number, "forename": contact["forename"] ?? "",
                "surname": contact["surname"] ?? "", "date_of_birth": defendant.dateOfBirth, "address": address ?? [:],
                "relationship": contact["relationship"] ?? "other",
                "parental_responsibility": contact["parental_responsibility"] as? Bool ?? false, "has_care": defendant.hasCare,
                "chosen": ["by": defendant.chosenBy, "reason": defendant.reason],
            ]
            if let title = contact["title"] { entry["title"] = title }
            found.defendants.append(entry)
        }
        if isBreach {
            gatherBreach(deskCase, referral, interventions, chosen, contacts, into: &found)
            return found
        }

        // The register for the period: every session marked, each code with its meaning.
        found.period = marks.keys.filter { date in (periodStart.map { date >= $0 } ?? true) && (periodEnd.map { date <= $0 } ?? true) }.sorted()
        let missing = found.period.filter { marks[$0]!.am == "-" || marks[$0]!.pm == "-" }
        if !missing.isEmpty {
            refuse(
                "unmarked-sessions",
                "the register has sessions with no mark on \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? " and \(missing.count - 5) more days" : ""): the school must complete it")
        }
        for date in found.period {
            let day = marks[date]!
            found.extract[date] = ["am": day.am, "pm": day.pm]
            for symbol in [day.am, day.pm] {
                guard let code = table.code(symbol) else { continue }
                found.figures.record(code)
                found.meanings[symbol] = code.meaning
            }
        }

        let noInterventions = Self.collectInterventions(referral, interventions, into: &found)
        found.refusals += noInterventions

        // The law's reasons, from LegalProcess: they need a period, the child's date of birth and the dates.
        let start = (periodStart ?? found.period.first).flatMap { SchoolDate(parsing: $0) }
        let end = (periodEnd ?? found.period.last).flatMap { SchoolDate(parsing: $0) }
        guard let start, let end, start <= end else {
            refuse(
                "no-register-marks",
                "the desk holds no register marks for this child\(periodStart != nil || periodEnd != nil ? " in the period" : ""): import the school's returns first")
            return found
        }
        if found.period.isEmpty {
            // ProsecutionChecks says so too (no-unauthorised-absence), in its words; the desk's reason keeps the
            // period the file would have.
            refuse("no-register-marks", "the desk holds no register marks for this child in the period: import the school's returns first")
        }
        found.periodRange = start...end
        found.span = (found.period.first ?? start.description, found.period.last ?? end.description)
        guard let dateOfBirth = (found.pupil["date_of_birth"] as? String).flatMap({ SchoolDate(parsing: $0) }) else {
            refuse("no-child-date-of-birth", "the referral gives no date of birth for the child, which proves compulsory school age: ask the school")
            return found
        }
        guard let laid = SchoolDate(parsing: laidOn), let hearing = SchoolDate(parsing: hearingDate) else {
            refuse("bad-date", "the day of laying and the hearing are dates, YYYY-MM-DD")
            return found
        }
        let facts = ProsecutionFacts(
            offence: offence, period: start...end, dateOfBirth: dateOfBirth, laidOn: laid, hearingOn: hearing,
            register: RegisterMarks(byDate: marks, table: table),
            warningLetters: found.warnings.compactMap { ($0["date"] as? String).flatMap { SchoolDate(parsing: $0) } },
            penaltyNotices: notices.compactMap { notice in
                guard let issued = SchoolDate(parsing: notice.issuedOn), let status = PenaltyNotice.Status(rawValue: notice.status) else { return nil }
                let lower = notice.period.flatMap { SchoolDate(parsing: $0.lowerBound) } ?? start
                let upper = notice.period.flatMap { SchoolDate(parsing: $0.upperBound) } ?? end
                return PenaltyNotice(
                    parent: "D\(notice.defendantNumber)", issuedOn: issued, period: lower...max(lower, upper), status: status,
                    paidOn: notice.paidOn.flatMap { SchoolDate(parsing: $0) })
            },
            defendants: chosen.map { defendant in
                let contact = DeskDefendant.contact(defendant.contact, in: contacts)
                return Defendant(
                    id: defendant.reference, parentalResponsibility: contact?["parental_responsibility"] as? Bool ?? false, hasCare: defendant.hasCare,
                    choice: Defendant.Choice(by: defendant.chosenBy, reason: defendant.reason))
            })
        for refusal in ProsecutionChecks(framework: framework).refusals(for: facts) {
            if refusal.code == .noUnauthorisedAbsence, found.period.isEmpty { continue }  // said above, with the desk's advice
            let hint = [ProsecutionRefusal.Code.noDefendant, .defendantNotChosen, .notAParent].contains(refusal.code)
                ? " (`liaison case defendant \(deskCase.reference) --contact N --date-of-birth DATE --reason TEXT [--has-care]`)" : ""
            refuse(refusal.code.description, refusal.message + hint)
        }
        return found
    }

    /// The referral's `actions_taken` and the interventions recorded, oldest first, and the warning letters among them;
    /// the refusal when there are none.
    static func collectInterventions(_ referral: [String: Any], _ interventions: [DeskIntervention], into found: inout Gathered) -> [Refusal] {
        let actions = referral["actions_taken"] as? [[String: Any]] ?? []
        let recorded = interventions.filter { $0.type != "penalty_notice" }.map { item -> [String: Any] in
            var entry: [String: Any] = ["date": item.date, "type": item.type, "by": item.by]
            if let description = item.description { entry["description"] = description }
            return entry
        }
        found.interventions = (actions + recorded).sorted { ($0["date"] as? String ?? "") < ($1["date"] as? String ?? "") }
        found.warnings = found.interventions.filter { Self.warningTypes.contains($0["type"] as? String ?? "") }
        guard found.interventions.isEmpty else { return [] }
        return [Refusal("no-interventions", "no interventions are recorded: a court expects the school and the service to have tried first (`liaison case intervene`)")]
    }

    /// A s.443 file's checks: the order and its breach from the desk's routes, and the law's reasons from
    /// `ProsecutionChecks.refusals(for:orders:)` (the order made and its compliance period passed, compulsory school
    /// age, laid within six months of the breach, the hearing after the laying, the defendants). The period the file
    /// alleges runs from the order to the breach. The register plays no part: the offence is the breach.
    func gatherBreach(
        _ deskCase: DeskCase, _ referral: [String: Any], _ interventions: [DeskIntervention], _ chosen: [DeskDefendant],
        _ contacts: [[String: Any]], into found: inout Gathered
    ) {
        func refuse(_ code: String, _ message: String) { found.refusals.append(Refusal(code, message)) }
        let noInterventions = Self.collectInterventions(referral, interventions, into: &found)
        found.refusals += noInterventions
        guard let order = attendanceOrder, let breachOn = SchoolDate(parsing: order.breachOn) else {
            refuse(
                "no-attendance-order-breach",
                "no breach of a school attendance order is recorded on case \(deskCase.reference): record the order (`liaison case sao order`) "
                    + "and its breach (`liaison case sao breach`) first")
            return
        }
        let made = SchoolDate(parsing: order.madeOn)
        found.span = ((made.map { min($0, breachOn) } ?? breachOn).description, breachOn.description)
        guard let dateOfBirth = (found.pupil["date_of_birth"] as? String).flatMap({ SchoolDate(parsing: $0) }) else {
            refuse("no-child-date-of-birth", "the referral gives no date of birth for the child, which proves compulsory school age: ask the school")
            return
        }
        guard let laid = SchoolDate(parsing: laidOn), let hearing = SchoolDate(parsing: hearingDate) else {
            refuse("bad-date", "the day of laying and the hearing are dates, YYYY-MM-DD")
            return
        }
        let breach = AttendanceOrderBreach(
            orderMade: made, breachOn: breachOn, dateOfBirth: dateOfBirth, laidOn: laid, hearingOn: hearing,
            defendants: chosen.map { defendant in
                let contact = DeskDefendant.contact(defendant.contact, in: contacts)
                return Defendant(
                    id: defendant.reference, parentalResponsibility: contact?["parental_responsibility"] as? Bool ?? false, hasCare: defendant.hasCare,
                    choice: Defendant.Choice(by: defendant.chosenBy, reason: defendant.reason))
            })
        for refusal in ProsecutionChecks(framework: framework).refusals(for: breach, orders: attendanceOrders) {
            let hint = [ProsecutionRefusal.Code.noDefendant, .defendantNotChosen, .notAParent].contains(refusal.code)
                ? " (`liaison case defendant \(deskCase.reference) --contact N --date-of-birth DATE --reason TEXT [--has-care]`)" : ""
            refuse(refusal.code.description, refusal.message + hint)
        }
    }

    // MARK: Wording

    /// `12 Example Street; Dereham; NR19 1ZZ` (or commas) as an address: the last part is the postcode.
    static func address(_ lines: [String]) -> [String: Any]? {
        let parts = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard parts.count >= 2 else { return nil }
        return ["lines": Array(parts.dropLast().prefix(5)), "postcode": parts.last!.uppercased()]
    }

    /// The officer's initials, for exhibit references (E. Worker's exhibits are EW/1, EW/2, ...).
    static func initials(_ name: String) -> String {
        let letters = name.split(whereSeparator: { $0 == " " || $0 == "." || $0 == "-" }).compactMap(\.first).filter(\.isLetter)
        let prefix = String(letters.prefix(4)).uppercased().filter { ("A"..."Z").contains($0) }
        return prefix.isEmpty ? "EX" : prefix
    }

    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// `2025-09-03` as `3 September 2025`, for the documents' words.
    static func longDate(_ text: String) -> String {
        guard let date = SchoolDate(parsing: text) else { return text }
        return "\(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// A penalty notice's terms in words, when the desk holds no copy of its letter.
    func noticeSummary(_ notice: Notice, period: ClosedRange<String>, all: [Notice]) -> String {
        let covered = notice.period ?? period
        var words = "Penalty notice \(notice.reference) under section 444A of the Education Act 1996, issued on \(Self.longDate(notice.issuedOn)) "
            + "to defendant D\(notice.defendantNumber) for the failure to secure the child's regular attendance between "
            + "\(Self.longDate(covered.lowerBound)) and \(Self.longDate(covered.upperBound)), for "
            + String(format: "£%d.%02d.", notice.amountPence / 100, notice.amountPence % 100)
        if let issued = SchoolDate(parsing: notice.issuedOn) {
            // A later notice to the same parent costs what the framework says for a repeat, with no reduction.
            let previous = all.filter { $0.defendantNumber == notice.defendantNumber && $0.issuedOn < notice.issuedOn }.compactMap { earlier in
                SchoolDate(parsing: earlier.issuedOn).map { day in
                    PenaltyNotice(parent: "D\(earlier.defendantNumber)", issuedOn: day, period: day...day, status: PenaltyNotice.Status(rawValue: earlier.status) ?? .unpaid)
                }
            }
            let terms = framework.deadlines(issuedOn: issued, previous: previous)
            words += " Payable: " + terms.map { String(format: "£%d.%02d", $0.pence / 100, $0.pence % 100) + " by \(Self.longDate($0.lastDay.description))" }
                .joined(separator: ", ") + "."
        }
        words += " Status: \(notice.status)" + (notice.paidOn.map { " on \(Self.longDate($0))" } ?? "") + "."
        return words
    }
}
