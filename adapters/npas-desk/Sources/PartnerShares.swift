import AttendanceDomain
import Foundation
import LiaisonAdapterKit
import LiaisonMessages
import Logging
import StrictJSON

/// The shares the desk derives for partners from a school's return and roll, each only under its agreement
/// (the hub decides; the desk sends only what it believes is due, so refusals are rare and mean something):
///
/// - `yot.attendance-summary`: each child on the YOT caseload (as the YOT's `yot.case-update`s left it) gets the
///   half term's attendance, exclusions (runs of code E) and education status, and their SEN from the roll.
/// - `connexions.notification`: a young person aged 13 to 19 whose absence this school year, to the end of the
///   return's half term, is persistent (10% or more) is notified once a school year, with names, address and the
///   first parent with parental responsibility from the roll. The hub withholds those who opted out.
///
/// Both need the complete return and the roll of the same school and half term, which come as two messages:
/// whichever arrives second sends the shares. A return to date (a daily or weekly export) sends none. Each share sent (or refused) is recorded, so none is sent twice.
extension NPASDesk {
    /// What became of one round of shares, for the log.
    struct ShareTally: Sendable {
        var yotSent = 0, yotRefused = 0, yotSENUnknown = 0
        var connexionsSent = 0, connexionsRefused = 0, connexionsUnnamed = 0
    }

    /// Sends the shares a school's half term gives, if the desk holds both its return and its roll.
    func sendPartnerShares(laestab: String, endDate: String, client: AdapterClient) async -> DeliveryOutcome {
        let store = self.store
        let loaded: (AttendanceReturn, [String: PupilRoll.Pupil], [String: String])?
        do {
            loaded = try await offPool {
                guard try store.hasRoll(laestab: laestab, asOf: endDate) else { return nil }
                let caseload = try store.yotCaseload()  // the YOT's summaries need marks (for exclusions); nothing else does
                guard let body = try store.storedReturn(laestab: laestab, endDate: endDate, marksOf: Set(caseload.keys)) else { return nil }
                return (body, try store.rollEntries(body.pupils.map(\.upn)), caseload)
            }
        } catch {
            return .retry("The desk's store could not be read: \(error)")
        }
        // A return to date (a daily or weekly export) waits for the half term's complete register.
        guard let (body, roll, caseload) = loaded, body.markedThrough == nil else { return .done }
        var tally = ShareTally()
        if case .retry(let reason) = await sendYOTSummaries(body, roll: roll, caseload: caseload, client: client, tally: &tally) { return .retry(reason) }
        if case .retry(let reason) = await sendConnexionsNotifications(body, roll: roll, client: client, tally: &tally) { return .retry(reason) }
        if tally.yotSent + tally.yotRefused + tally.yotSENUnknown + tally.connexionsSent + tally.connexionsRefused + tally.connexionsUnnamed > 0 {
            logger.info("Sent partners' shares", metadata: [
                "school": "\(laestab)", "yot_summaries": "\(tally.yotSent)", "yot_refused": "\(tally.yotRefused)",
                "yot_sen_unknown": "\(tally.yotSENUnknown)", "connexions_notifications": "\(tally.connexionsSent)",
                "connexions_refused": "\(tally.connexionsRefused)", "connexions_unnamed": "\(tally.connexionsUnnamed)",
            ])
        }
        return .done
    }

    // MARK: Youth Offending Team

    func sendYOTSummaries(
        _ body: AttendanceReturn, roll: [String: PupilRoll.Pupil], caseload: [String: String], client: AdapterClient, tally: inout ShareTally
    ) async -> DeliveryOutcome {
        let period = "\(body.period.academicYear)-ht\(body.period.halfTerm)"
        let store = self.store
        guard let sent = try? await offPool({ try store.sharesSent(kind: "yot", period: period) }) else {
            return .retry("The desk's store could not be read.")
        }
        var shares: [Share] = []
        for pupil in body.pupils where caseload[pupil.upn] != nil && !sent.contains(pupil.upn) {
            guard let sen = roll[pupil.upn]?.sen else {
                tally.yotSENUnknown += 1  // the school's export does not say: a summary without SEN would mislead
                continue
            }
            shares.append(Share(
                type: "yot.attendance-summary", to: "yot", id: ids.id("yot-summary-", pupil.upn, period), body: Self.yotSummary(pupil, of: body, sen: sen),
                kind: "yot", upn: pupil.upn, period: period))
        }
        let result = await send(shares, client: client)
        tally.yotSent += result.sent
        tally.yotRefused += result.refused
        return result.failure.map { .retry($0) } ?? .done
    }

    /// A child's half term for the YOT: attendance, exclusions (each run of code E a suspension), education status
    /// (on a part-time timetable if any session is C2) and SEN. The agreement passes SEN status, not the need.
    static func yotSummary(_ pupil: AttendanceReturn.Pupil, of body: AttendanceReturn, sen: PupilRoll.SEN) -> JSONValue {
        let exclusions = runs(of: "E", in: pupil).map { run -> JSONValue in
            ["kind": "suspension", "start_date": .string(run.start), "sessions": .number(Double(run.sessions))]
        }
        return [
            "upn": .string(pupil.upn),
            "school": school(of: body),
            "period": ["start_date": .string(body.period.startDate), "end_date": .string(body.period.endDate)],
            "education_status": (pupil.codes["C2"] ?? 0) > 0 ? "on_roll_part_time_timetable" : "on_roll_full_time",
            "attendance": figures(pupil),
            "exclusions": .array(exclusions),
            "sen": ["status": .string(sen.status)],  // the protocol shares the status, never the need
        ]
    }

    /// The school as a share names it: its LAESTAB, and its name when the return gave one.
    static func school(of body: AttendanceReturn) -> JSONValue {
        guard let name = body.school.name else { return ["laestab": .string(body.school.laestab)] }
        return ["laestab": .string(body.school.laestab), "name": .string(name)]
    }

    static func figures(_ pupil: AttendanceReturn.Pupil) -> JSONValue {
        var figures: [String: JSONValue] = [
            "sessions_possible": .number(Double(pupil.sessionsPossible)), "present": .number(Double(pupil.present)),
            "aea": .number(Double(pupil.aea)), "authorised": .number(Double(pupil.authorised)),
            "unauthorised": .number(Double(pupil.unauthorised)),
        ]
        if pupil.sessionsPossible > 0 {
            figures["attendance_rate"] = .number((Double(pupil.present + pupil.aea) / Double(pupil.sessionsPossible) * 1000).rounded() / 10)
        }
        return .object(figures)
    }

    /// The runs of consecutive sessions marked with one code: the first date and the number of sessions.
    static func runs(of code: String, in pupil: AttendanceReturn.Pupil) -> [(start: String, sessions: Int)] {
        var runs: [(start: String, sessions: Int)] = []
        var current: (start: String, sessions: Int)?
        for (date, day) in (pupil.marks ?? [:]).sorted(by: { $0.key < $1.key }) {
            for mark in [day.am, day.pm] {
                if mark == code {
                    if current == nil { current = (date, 0) }
                    current!.sessions += 1
                } else if let run = current {
                    runs.append(run)
                    current = nil
                }
            }
        }
        if let current { runs.append(current) }
        return runs
    }

    // MARK: Connexions

    func sendConnexionsNotifications(
        _ body: AttendanceReturn, roll: [String: PupilRoll.Pupil], client: AdapterClient, tally: inout ShareTally
    ) async -> DeliveryOutcome {
        let year = String(body.period.academicYear)
        let store = self.store
        guard let sent = try? await offPool({ try store.sharesSent(kind: "connexions", period: year) }) else {
            return .retry("The desk's store could not be read.")
        }
        let today = SchoolDate.today()
        // Ages 13 to 19 on the day, as the agreement says (the hub checks it again).
        let candidates = body.pupils.filter { pupil in
            guard !sent.contains(pupil.upn), let birth = (roll[pupil.upn]?.dateOfBirth ?? pupil.dateOfBirth).flatMap({ SchoolDate(parsing: $0) })
            else { return false }
            return (13...19).contains(birth.years(to: today))
        }.map(\.upn)
        let academicYear = body.period.academicYear, halfTerm = body.period.halfTerm
        guard let yearToDate = try? await offPool({ try store.yearToDate(upns: candidates, academicYear: academicYear, throughHalfTerm: halfTerm) }) else {
            return .retry("The desk's store could not be read.")
        }
        var shares: [Share] = []
        for upn in candidates {
            guard let held = yearToDate[upn] else { continue }
            let figures = PupilFigures(codeCounts: held.codes)
            guard figures.isPersistentlyAbsent else { continue }
            guard let entry = roll[upn], let notification = Self.connexionsNotification(
                entry, of: body, figures: figures, from: held.start, today: today.description)
            else {
                tally.connexionsUnnamed += 1  // no name or address on the school's roll: Connexions could not act on it
                continue
            }
            shares.append(Share(
                type: "connexions.notification", to: "connexions", id: ids.id("connexions-", upn, year), body: notification, kind: "connexions",
                upn: upn, period: year))
        }
        let result = await send(shares, client: client)
        tally.connexionsSent += result.sent
        tally.connexionsRefused += result.refused
        return result.failure.map { .retry($0) } ?? .done
    }

    /// A young person at risk, for Connexions; nil when the roll lacks a name, date of birth or address.
    static func connexionsNotification(
        _ entry: PupilRoll.Pupil, of body: AttendanceReturn, figures: PupilFigures, from start: String, today: String
    ) -> JSONValue? {
        guard let forename = entry.forename, let surname = entry.surname, let birth = entry.dateOfBirth, let address = entry.address else { return nil }
        func postal(_ address: PupilRoll.Address) -> JSONValue {
            ["lines": .array(address.lines.map { .string($0) }), "postcode": .string(address.postcode)]
        }
        var youngPerson: [String: JSONValue] = [
            "upn": .string(entry.upn), "forename": .string(forename), "surname": .string(surname), "date_of_birth": .string(birth),
            "address": postal(address),
        ]
        if let year = entry.yearGroup { youngPerson["year_group"] = .string(year) }
        let rate = (Double(figures.absent) / Double(figures.possible) * 1000).rounded() / 10
        var counts: [String: JSONValue] = [
            "sessions_possible": .number(Double(figures.possible)), "present": .number(Double(figures.present)),
            "aea": .number(Double(figures.aea)), "authorised": .number(Double(figures.authorised)),
            "unauthorised": .number(Double(figures.unauthorised)),
        ]
        if let attendance = figures.attendanceRate { counts["attendance_rate"] = .number((attendance * 10).rounded() / 10) }
        var notification: [String: JSONValue] = [
            "date": .string(today),
            "young_person": .object(youngPerson),
            "school": school(of: body),
            "attendance": ["period": ["start_date": .string(start), "end_date": .string(body.period.endDate)], "figures": .object(counts)],
            "reason": [
                "category": figures.isSeverelyAbsent ? "severe_absence" : "persistent_absence",
                "details": .string(
                    "Absent from \(figures.absent) of \(figures.possible) possible sessions (\(rate)%) this school year to \(body.period.endDate), \(figures.unauthorised) of them unauthorised."),
            ],
        ]
        if let parent = entry.firstParent {
            var contact: [String: JSONValue] = [
                "forename": .string(parent.forename), "surname": .string(parent.surname), "relationship": .string(parent.relationship),
                "parental_responsibility": .bool(parent.parentalResponsibility),
            ]
            if let order = parent.order { contact["order"] = .number(Double(order)) }
            if let title = parent.title { contact["title"] = .string(title) }
            if let own = parent.address { contact["address"] = postal(own) }
            if parent.addressAsPupil == true { contact["address_as_pupil"] = true }
            notification["parent_contact"] = .object(contact)
        }
        return .object(notification)
    }

    // MARK: Sending

    /// One derived share, encoded, with what records it.
    struct Share: Sendable {
        var type: String, to: String, id: String
        var body: [UInt8]
        var kind: String, upn: String, period: String

        /// The body is written with the hub's own JSON writer (keys in code-point order); Foundation's
        /// `JSONSerialization` was a tenth of the desk's time in the county's first half term.
        init(type: String, to: String, id: String, body: JSONValue, kind: String, upn: String, period: String) {
            (self.type, self.to, self.id, self.body, self.kind, self.upn, self.period) = (type, to, id, body.encoded(), kind, upn, period)
        }
    }

    /// Whether a refusal is the rules' answer about the child (not in the cohort, opted out, outside the ages):
    /// then it stands, and is recorded so the share is not tried again.
    static func isAboutTheRecord(_ reason: String) -> Bool {
        reason.contains("451 denied:") && reason.contains("no record meets")
    }

    /// Sends shares (several in flight at once, so the hub commits them in groups) and records, in one
    /// transaction, each the hub accepted or refused about the child (an opt-out, a child not on the caseload:
    /// recorded so it is not tried again, and logged without the child's details). A failure to reach the hub
    /// leaves that share unrecorded, to be sent when the delivery is retried.
    func send(_ shares: [Share], client: AdapterClient) async -> (sent: Int, refused: Int, failure: String?) {
        guard !shares.isEmpty else { return (0, 0, nil) }
        let outcomes = await Self.sendConcurrently(shares.map { ($0.type, $0.to, $0.id, $0.body) }, client: client)
        var records: [(kind: String, upn: String, period: String, outcome: String)] = []
        var sent = 0, refused = 0
        var failure: String?
        for (share, outcome) in zip(shares, outcomes) {
            switch outcome {
            case .sent:
                sent += 1
                records.append((share.kind, share.upn, share.period, "sent"))
            case .refused(let reason) where Self.isAboutTheRecord(reason):
                refused += 1
                logger.debug("The hub did not release a share", metadata: ["type": "\(share.type)", "reason": "\(reason)"])
                records.append((share.kind, share.upn, share.period, "refused"))
            case .refused(let reason):
                // Refused for a reason that is not about the child (an agreement past its review or end, a body
                // the schema refuses): not recorded, so it is sent when the school's return or roll next comes.
                refused += 1
                logger.error("The hub refused a share for a reason that is not about the child", metadata: [
                    "type": "\(share.type)", "reason": "\(reason.replacingOccurrences(of: share.upn, with: "(the child)"))",
                ])
            case .failed(let reason):
                failure = "A \(share.type) could not be sent: \(reason)"
            }
        }
        let store = self.store, done = records
        do { try await offPool { try store.recordShares(done) } } catch {
            return (sent, refused, "The desk's store could not record the shares: \(error)")
        }
        return (sent, refused, failure)
    }

    enum SendOutcome: Sendable {
        case sent
        case refused(String)
        case failed(String)
    }

    /// Sends messages with up to `width` waiting for the hub at once; the outcomes are in the messages' order.
    static func sendConcurrently(
        _ messages: [(type: String, to: String, id: String, body: [UInt8])], client: AdapterClient, width: Int = 64
    ) async -> [SendOutcome] {
        await withTaskGroup(of: (Int, SendOutcome).self) { group in
            var outcomes = [SendOutcome](repeating: .sent, count: messages.count)
            var next = 0
            func start(_ index: Int) {
                let message = messages[index]
                group.addTask {
                    do {
                        _ = try await client.send(type: message.type, to: [message.to], body: message.body, id: message.id)
                        return (index, .sent)
                    } catch let error as AdapterError where error.code == .rejected {
                        return (index, .refused(error.message))
                    } catch {
                        return (index, .failed((error as? AdapterError)?.message ?? "\(error)"))
                    }
                }
            }
            while next < min(width, messages.count) {
                start(next)
                next += 1
            }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                if next < messages.count {
                    start(next)
                    next += 1
                }
            }
            return outcomes
        }
    }

}
