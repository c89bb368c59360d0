import AttendanceDomain
import Foundation

/// Assembles a `prosecution.file` (schemas/prosecution.file.schema.json) from a case: the child and school
/// and each parent with parental responsibility from the school's referral, the register for the period
/// from the returns the desk holds, the interventions and penalty notices recorded, and the officer's
/// statement. It refuses, with every reason at once, a file that lacks what a court needs.
public struct ProsecutionFileBuilder: Sendable {
    public var offence: String
    public var court: String
    public var hearingDate: String
    public var periodStart: String?
    public var periodEnd: String?
    public var prosecutor: String
    public var statement: String?
    /// The officer declares the statement true (an s9 statement is signed by its maker, never by the system).
    public var declared: Bool
    /// Who at the school certified the register extract ("name, role"), and when.
    public var certifiedBy: String?
    public var certifiedOn: String?
    /// The date the information is laid and the statement made (YYYY-MM-DD).
    public var today: String

    public init(
        offence: String, court: String, hearingDate: String, periodStart: String? = nil, periodEnd: String? = nil,
        prosecutor: String, statement: String? = nil, declared: Bool = false, certifiedBy: String? = nil, certifiedOn: String? = nil,
        today: String
    ) {
        self.declared = declared
        self.certifiedBy = certifiedBy
        self.certifiedOn = certifiedOn
        self.offence = offence
        self.court = court
        self.hearingDate = hearingDate
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.prosecutor = prosecutor
        self.statement = statement
        self.today = today
    }

    /// The file's body, or a `DeskError` naming everything missing.
    public func build(
        case deskCase: DeskCase, interventions: [DeskIntervention], marks: [String: (am: String, pm: String)], table: CodeTable = .standard
    ) throws -> [String: Any] {
        guard let referral = try JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any] else {
            throw DeskError("The case's referral cannot be read.")
        }
        let pupil = referral["pupil"] as? [String: Any] ?? [:]
        let school = referral["school"] as? [String: Any] ?? [:]
        var problems: [String] = []
        guard ["444(1)", "444(1A)"].contains(offence) else { throw DeskError("The offence is 444(1) or 444(1A).") }

        // Each parent with parental responsibility, prosecuted separately.
        let parents = (referral["contacts"] as? [[String: Any]] ?? []).filter { $0["parental_responsibility"] as? Bool == true }
        if parents.isEmpty { problems.append("no contact in the referral has parental responsibility: a court can only try a parent") }
        var defendants: [[String: Any]] = []
        for (index, parent) in parents.enumerated() {
            let address = parent["address"] ?? (parent["address_as_pupil"] as? Bool == true ? pupil["address"] : nil)
            guard let address else {
                problems.append("\(parent["forename"] ?? "") \(parent["surname"] ?? "") has no address for a summons")
                continue
            }
            var defendant: [String: Any] = [
                "defendant_number": index + 1, "forename": parent["forename"] ?? "", "surname": parent["surname"] ?? "",
                "address": address, "relationship": parent["relationship"] ?? "other", "parental_responsibility": true,
            ]
            if let title = parent["title"] { defendant["title"] = title }
            defendants.append(defendant)
        }

        if deskCase.esw == nil { problems.append("no Education Social Worker is allocated to make the statement (`liaison case allocate`)") }
        if !declared { problems.append("the officer has not declared the statement true (--declare, after reading it)") }
        let certifier = certifiedBy?.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        if certifier.count != 2 || certifier.contains(where: \.isEmpty) || certifiedOn.flatMap({ SchoolDate(parsing: $0) }) == nil {
            problems.append("the school's certificate of the register is needed: --certified-by \"NAME, ROLE\" and --certified-on DATE")
        }

        // The register for the period: every session marked, each code with its meaning.
        let period = marks.keys.filter { date in (periodStart.map { date >= $0 } ?? true) && (periodEnd.map { date <= $0 } ?? true) }.sorted()
        if period.isEmpty { problems.append("the desk holds no register marks for this child in the period: import the school's returns first") }
        let missing = period.filter { marks[$0]!.am == "-" || marks[$0]!.pm == "-" }
        if !missing.isEmpty {
            problems.append("the register has sessions with no mark on \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? " and \(missing.count - 5) more days" : ""): the school must complete it")
        }
        var figures = PupilFigures()
        var extract: [String: [String: String]] = [:]
        var meanings: [String: String] = [:]
        for date in period {
            let day = marks[date]!
            extract[date] = ["am": day.am, "pm": day.pm]
            for symbol in [day.am, day.pm] {
                guard let code = table.code(symbol) else { continue }
                figures.record(code)
                meanings[symbol] = code.meaning
            }
        }

        let actions = (referral["actions_taken"] as? [[String: Any]] ?? [])
        let recorded = interventions.filter { $0.type != "penalty_notice" }.map { item -> [String: Any] in
            var entry: [String: Any] = ["date": item.date, "type": item.type, "by": item.by]
            if let description = item.description { entry["description"] = description }
            return entry
        }
        let allInterventions = (actions + recorded).sorted { ($0["date"] as? String ?? "") < ($1["date"] as? String ?? "") }
        if allInterventions.isEmpty {
            problems.append("no interventions are recorded: a court expects the school and the service to have tried first (`liaison case intervene`)")
        }
        guard problems.isEmpty else { throw DeskError(problems.joined(separator: "; ")) }

        let penaltyNotices = interventions.filter { $0.type == "penalty_notice" }.map { notice -> [String: Any] in
            var entry: [String: Any] = [
                "issued_on": notice.date, "defendant_number": notice.defendantNumber ?? 1, "amount_pence": notice.amountPence ?? 0,
                "status": notice.status ?? "unpaid",
            ]
            if notice.status == "paid", let paidOn = notice.paidOn { entry["paid_on"] = paidOn }
            return entry
        }
        let name = "\(pupil["forename"] ?? "") \(pupil["surname"] ?? "")"
        let schoolName = school["name"] as? String ?? "the school"
        let rate = figures.attendanceRate.map { String(format: "%.1f%%", $0) } ?? "no possible sessions"
        let text = statement ?? """
            I am an Education Social Worker employed by \(prosecutor). \(name) is a registered pupil at \(schoolName). \
            Between \(period.first!) and \(period.last!) \(name) attended \(figures.attended) of \(figures.possible) possible sessions \
            (\(rate)); \(figures.unauthorised) sessions were unauthorised absences. The school's certified register extract and the \
            record of interventions and penalty notices in this file are true copies of the records held.
            """
        let esw = deskCase.esw ?? ""
        return [
            "case_reference": deskCase.reference,
            "offence": offence,
            "route": allInterventions.contains { $0["type"] as? String == "fast_track" } ? "fast_track" : "standard",
            "period": ["start_date": period.first!, "end_date": period.last!],
            "information": ["laid_on": today, "prosecutor": prosecutor],
            "child": [
                "upn": deskCase.upn, "forename": pupil["forename"] ?? "", "surname": pupil["surname"] ?? "",
                "date_of_birth": pupil["date_of_birth"] ?? "", "school": school,
            ],
            "defendants": defendants,
            "witness_statement": [
                "officer": ["name": esw, "role": "Education Social Worker"], "made_on": today, "text": text, "declaration": declared,
            ],
            "register_extract": [
                "school": school, "period": ["start_date": period.first!, "end_date": period.last!],
                "certified_by": ["name": certifier[0], "role": certifier[1]], "certified_on": certifiedOn ?? today,
                "totals": [
                    "sessions_possible": figures.possible, "present": figures.present, "aea": figures.aea,
                    "authorised": figures.authorised, "unauthorised": figures.unauthorised,
                ],
                "marks": extract, "meanings": meanings,
            ],
            "interventions": allInterventions,
            "penalty_notices": penaltyNotices,
            "hearing": ["court": ["name": court], "date": hearingDate],
        ]
    }
}
