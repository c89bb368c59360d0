import AttendanceDomain
import Foundation
import LiaisonAdapterKit
import LiaisonMessages
import Logging

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
                guard try store.hasRoll(laestab: laestab, asOf: endDate), let body = try store.storedReturn(laestab: laestab, endDate: endDate) else {
                    return nil
                }
                return (body, try store.rollEntries(body.pupils.map(\.upn)), try store.yotCaseload())
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
        for pupil in body.pupils where caseload[pupil.upn] != nil && !sent.contains(pupil.upn) {
            guard let sen = roll[pupil.upn]?.sen else {
                tally.yotSENUnknown += 1  // the school's export does not say: a summary without SEN would mislead
                continue
            }
            let summary = Self.yotSummary(pupil, of: body, sen: sen)
            let outcome = await sendShare(
                type: "yot.attendance-summary", to: "yot", body: summary, id: "yot-summary-\(pupil.upn)-\(period)", kind: "yot", upn: pupil.upn,
                period: period, client: client)
            switch outcome {
            case .sent: tally.yotSent += 1
            case .refused: tally.yotRefused += 1
            case .failed(let reason): return .retry(reason)
            }
        }
        return .done
    }

    /// A child's half term for the YOT: attendance, exclusions (each run of code E a suspension), education status
    /// (on a part-time timetable if any session is C2) and SEN. The agreement passes SEN status, not the need.
    static func yotSummary(_ pupil: AttendanceReturn.Pupil, of body: AttendanceReturn, sen: PupilRoll.SEN) -> [String: Any] {
        var exclusions: [[String: Any]] = []
        for run in runs(of: "E", in: pupil) {
            exclusions.append(["kind": "suspension", "start_date": run.start, "sessions": run.sessions])
        }
        var senBody: [String: Any] = ["status": sen.status]
        if let need = sen.primaryNeed { senBody["primary_need"] = need }
        return [
            "upn": pupil.upn,
            "school": body.school.name.map { ["laestab": body.school.laestab, "name": $0] } ?? ["laestab": body.school.laestab],
            "period": ["start_date": body.period.startDate, "end_date": body.period.endDate],
            "education_status": (pupil.codes["C2"] ?? 0) > 0 ? "on_roll_part_time_timetable" : "on_roll_full_time",
            "attendance": figures(pupil),
            "exclusions": exclusions,
            "sen": senBody,
        ]
    }

    static func figures(_ pupil: AttendanceReturn.Pupil) -> [String: Any] {
        var figures: [String: Any] = [
            "sessions_possible": pupil.sessionsPossible, "present": pupil.present, "aea": pupil.aea,
            "authorised": pupil.authorised, "unauthorised": pupil.unauthorised,
        ]
        if pupil.sessionsPossible > 0 {
            figures["attendance_rate"] = (Double(pupil.present + pupil.aea) / Double(pupil.sessionsPossible) * 1000).rounded() / 10
        }
        return figures
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
        guard let sent = try? await offPool({ try store.sharesSent(kind: "connexions", period: year) }),
            let today = SchoolDate(parsing: Self.today())
        else { return .retry("The desk's store could not be read.") }
        for pupil in body.pupils where !sent.contains(pupil.upn) {
            // Ages 13 to 19 on the day, as the agreement says (the hub checks it again).
            guard let birth = (roll[pupil.upn]?.dateOfBirth ?? pupil.dateOfBirth).flatMap({ SchoolDate(parsing: $0) }),
                (13...19).contains(birth.years(to: today))
            else { continue }
            let upn = pupil.upn, academicYear = body.period.academicYear, halfTerm = body.period.halfTerm
            guard let yearToDate = try? await offPool({ try store.yearToDate(upn: upn, academicYear: academicYear, throughHalfTerm: halfTerm) }) else {
                return .retry("The desk's store could not be read.")
            }
            let figures = PupilFigures.of(codes: yearToDate.codes)
            guard figures.isPersistentlyAbsent else { continue }
            guard let entry = roll[upn], let notification = Self.connexionsNotification(
                entry, of: body, figures: figures, from: yearToDate.start ?? body.period.startDate, today: today.description)
            else {
                tally.connexionsUnnamed += 1  // no name or address on the school's roll: Connexions could not act on it
                continue
            }
            let outcome = await sendShare(
                type: "connexions.notification", to: "connexions", body: notification, id: "connexions-\(upn)-\(year)", kind: "connexions",
                upn: upn, period: year, client: client)
            switch outcome {
            case .sent: tally.connexionsSent += 1
            case .refused: tally.connexionsRefused += 1
            case .failed(let reason): return .retry(reason)
            }
        }
        return .done
    }

    /// A young person at risk, for Connexions; nil when the roll lacks a name, date of birth or address.
    static func connexionsNotification(
        _ entry: PupilRoll.Pupil, of body: AttendanceReturn, figures: PupilFigures, from start: String, today: String
    ) -> [String: Any]? {
        guard let forename = entry.forename, let surname = entry.surname, let birth = entry.dateOfBirth, let address = entry.address else { return nil }
        var youngPerson: [String: Any] = [
            "upn": entry.upn, "forename": forename, "surname": surname, "date_of_birth": birth,
            "address": ["lines": address.lines, "postcode": address.postcode],
        ]
        if let year = entry.yearGroup { youngPerson["year_group"] = year }
        let rate = (Double(figures.absent) / Double(figures.possible) * 1000).rounded() / 10
        var counts: [String: Any] = [
            "sessions_possible": figures.possible, "present": figures.present, "aea": figures.aea,
            "authorised": figures.authorised, "unauthorised": figures.unauthorised,
        ]
        if let attendance = figures.attendanceRate { counts["attendance_rate"] = (attendance * 10).rounded() / 10 }
        var notification: [String: Any] = [
            "date": today,
            "young_person": youngPerson,
            "school": body.school.name.map { ["laestab": body.school.laestab, "name": $0] } ?? ["laestab": body.school.laestab],
            "attendance": ["period": ["start_date": start, "end_date": body.period.endDate], "figures": counts],
            "reason": [
                "category": figures.isSeverelyAbsent ? "severe_absence" : "persistent_absence",
                "details": "Absent from \(figures.absent) of \(figures.possible) possible sessions (\(rate)%) this school year to \(body.period.endDate), \(figures.unauthorised) of them unauthorised.",
            ],
        ]
        if let parent = entry.firstParent {
            var contact: [String: Any] = [
                "forename": parent.forename, "surname": parent.surname, "relationship": parent.relationship,
                "parental_responsibility": parent.parentalResponsibility,
            ]
            if let order = parent.order { contact["order"] = order }
            if let title = parent.title { contact["title"] = title }
            if let own = parent.address { contact["address"] = ["lines": own.lines, "postcode": own.postcode] }
            if parent.addressAsPupil == true { contact["address_as_pupil"] = true }
            notification["parent_contact"] = contact
        }
        return notification
    }

    // MARK: Sending

    enum ShareOutcome {
        case sent, refused
        case failed(String)
    }

    /// Sends one share and records it. A refusal by the hub (no agreement covers it: an opt-out, a child not on
    /// the caseload) is recorded too, so it is not tried again, and logged without the child's details.
    func sendShare(
        type: String, to agency: String, body: [String: Any], id: String, kind: String, upn: String, period: String, client: AdapterClient
    ) async -> ShareOutcome {
        guard let bytes = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return .failed("A \(type) could not be encoded.")
        }
        let outcome: String
        let result: ShareOutcome
        do {
            _ = try await client.send(type: type, to: [agency], body: Array(bytes), id: id)
            outcome = "sent"
            result = .sent
        } catch where error.code == .rejected {
            logger.debug("The hub did not release a share", metadata: ["type": "\(type)", "reason": "\(error.message)"])
            outcome = "refused"
            result = .refused
        } catch {
            return .failed("A \(type) could not be sent: \(error.message)")
        }
        let store = self.store
        do { try await offPool { try store.recordShare(kind: kind, upn: upn, period: period, outcome: outcome) } } catch {
            return .failed("The desk's store could not record a share: \(error)")
        }
        return result
    }

    /// Today's date in UTC, as the hub judges agreements.
    static func today() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date())
    }
}
