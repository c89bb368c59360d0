import AttendanceDomain
import Foundation
import StrictJSON
import LiaisonAdapterKit
import LiaisonMessages
import Logging

/// The attendance service's desk (agency `npas`), the hub's home agency: it keeps the schools' returns, rolls and
/// referrals it receives in its own store (`DeskStore`), where referrals open cases (`liaison case`); alerts
/// Social Services to looked-after children's absence; sends the YOT its children's half terms and Connexions its
/// young people at risk (`PartnerShares`); finds the UPNs of children partners name (`answerMatchRequest`); records court outcomes and tells schools of final
/// disposals; and at the end of each term sends the Advisory Service its termly feed (`TermlyFeedBuilder`,
/// run by `liaison desk term-end`). Each delivery is acknowledged only once it is committed to the store.
/// SQLite work runs on GRDB's queue or the desk's own serial queue, never on Swift's cooperative pool.
public struct NPASDesk: Adapter {
    public static let agency = "npas"
    public static let consumes = [AttendanceReturn.type, PupilRoll.type, "referral", "court.outcome", "yot.case-update", "pupil.match-request", "connexions.assignment",
    ]

    public let store: DeskStore
    let logger: Logger
    /// Where the desk's synchronous store calls run: one serial queue, off Swift's cooperative pool (``BlockingWork``
    /// says why; GRDB's async writes run on GRDB's own queue).
    static let storeWork = BlockingWork(label: "liaison.npas-desk.store")

    /// Runs a synchronous store call on the desk's own queue.
    func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Self.storeWork.run(body)
    }

    public init(store: DeskStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public var agency: String { Self.agency }
    public var name: String { "npas-desk" }
    public var consumes: [String] { Self.consumes }

    /// The desk's message id key (``DeskStore/ids``): ids of messages derived from a child are keyed digests.
    var ids: MessageIDKey {
        guard let ids = store.ids else { preconditionFailure("The desk runs on a store opened for writing, with its message id key.") }
        return ids
    }

    /// Schools' returns and rolls are worked on up to four at once: each is a school's own rows, and whichever of a
    /// school's return and roll commits second finds the other and sends the partners' shares (both may: a share is
    /// sent under one id and recorded once). Everything else (referrals, case updates, court outcomes) waits for
    /// them and runs alone, in the hub's order.
    public var concurrentDeliveries: Int { 4 }

    public func mayOverlap(_ delivery: Delivery) -> Bool {
        delivery.envelope.type.rawValue == AttendanceReturn.type || delivery.envelope.type.rawValue == PupilRoll.type
    }

    public func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome {
        let type = delivery.envelope.type.rawValue
        guard Self.consumes.contains(type) else { return .reject("The desk does not handle \(delivery.envelope.type).") }
        // Every body is held to its type's integer ranges before anything reads a number from it: a hub without
        // schemas passes 1e300 on, and the desk must refuse it (a dead letter naming the field), not trap on it.
        let value: JSONValue
        do { value = try JSONValue.parse(delivery.body) } catch {
            return .reject("The \(type) body is not JSON: \(error)")
        }
        if let problem = IntegerFields.problem(in: value, type: type) { return .reject("The \(type) cannot be used: \(problem)") }
        switch type {
        case AttendanceReturn.type:
            guard let rows = ReturnRows(value) else {
                return .reject("The attendance return could not be read.")
            }
            do {
                try await store.store(rows, messageID: delivery.envelope.id)
                // Only looked-after children's marks are needed whole, for their care alerts.
                let lookedAfter = (value["pupils"]?.arrayValue ?? []).filter { $0["looked_after"] == .bool(true) }
                    .compactMap { try? MessageCoding.decode(AttendanceReturn.Pupil.self, from: $0.encoded()) }
                if case .retry(let reason) = await sendCareAlerts(lookedAfter, laestab: rows.laestab, client: client) { return .retry(reason) }
                if case .retry(let reason) = await sendPartnerShares(laestab: rows.laestab, endDate: rows.endDate, client: client) {
                    return .retry(reason)
                }
                logger.info("Stored a return", metadata: [
                    "school": "\(rows.laestab)", "half_term": "\(rows.academicYear)-\(rows.halfTerm)", "pupils": "\(rows.pupils.count)",
                ])
                return .done
            } catch {
                return .retry("The desk's store could not take the return: \(error)")
            }
        case "referral":
            do {
                try await store.storeReferral(messageID: delivery.envelope.id, source: delivery.envelope.source.rawValue, body: delivery.body)
                return .done
            } catch {
                return .retry("The desk's store could not take the referral: \(error)")
            }
        case PupilRoll.type:
            guard let roll = RollRows(value) else {
                return .reject("The pupil roll could not be read.")
            }
            do { try await store.store(roll, messageID: delivery.envelope.id) } catch {
                return .retry("The desk's store could not take the roll: \(error)")
            }
            return await sendPartnerShares(laestab: roll.laestab, endDate: roll.asOf, client: client)
        case "yot.case-update":
            guard let update = try? JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any],
                let upn = update["upn"] as? String, let reference = update["case_reference"] as? String,
                let status = update["status"] as? String, let date = update["effective_date"] as? String
            else { return .reject("The YOT case update could not be read.") }
            do {
                try await store.storeYOTUpdate(upn: upn, caseReference: reference, status: status, effectiveDate: date, messageID: delivery.envelope.id)
                return .done
            } catch {
                return .retry("The desk's store could not take the YOT case update: \(error)")
            }
        case "pupil.match-request":
            return await answerMatchRequest(delivery, client: client)
        case "connexions.assignment":
            return await recordAssignments(delivery)
        case "court.outcome":
            return await recordOutcome(delivery, client: client)
        default:
            return .reject("The desk does not handle \(delivery.envelope.type).")
        }
    }

    /// A court's outcome: recorded against its case first (so it is never lost), once per message. When every
    /// defendant prosecuted has a final outcome, the school is told (`case.disposal`, all defendants), as the
    /// strategy requires; if the hub refuses that letter, the refusal is kept in the case's history.
    func recordOutcome(_ delivery: Delivery, client: AdapterClient?) async -> DeliveryOutcome {
        guard let outcome = try? JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any],
            let reference = outcome["case_reference"] as? String, let hearing = outcome["hearing_date"] as? String,
            let defendants = outcome["defendants"] as? [[String: Any]]
        else { return .reject("The court outcome could not be read.") }
        let store = self.store
        let found: DeskCase?
        do { found = try await offPool { try store.deskCase(reference) } } catch {
            return .retry("The desk's store could not be read: \(error)")
        }
        guard let deskCase = found else {
            return .reject("The court outcome names case \(reference), which the desk does not hold.")
        }
        let named: [String: (number: Int, offence: String)]
        do { named = try await offPool { try store.prosecutedDefendants(reference) } } catch {
            return .retry("The desk's store could not be read: \(error)")
        }
        let rows: [DefendantOutcome]
        switch Self.defendantOutcomes(defendants, reference: reference, named: named) {
        case .success(let read): rows = read
        case .failure(let problem): return .reject(problem.description)
        }
        let state: DeskStore.OutcomeState
        let messageID = delivery.envelope.id
        do {
            state = try await offPool {
                try store.recordOutcome(
                    reference, messageID: messageID, hearingDate: hearing, defendants: rows.map { ($0.reference, $0.number, $0.outcome, $0.json) })
            }
        } catch {
            return .retry("The desk's store could not take the outcome: \(error)")
        }
        logger.info("Recorded a court outcome", metadata: ["case": "\(reference)", "final": "\(state.final)"])
        guard state.final, !state.disposalSent else { return .done }
        guard let client else { return .retry("No connection to send the school the disposal.") }
        let referral = (try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any]) ?? [:]
        let latest = state.defendants.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let disposal: [String: Any] = [
            "case_reference": reference, "school": referral["school"] ?? ["laestab": deskCase.laestab], "upn": deskCase.upn,
            "court": outcome["court"] ?? ["name": "Magistrates' Court"], "hearing_date": hearing,
            "defendants": latest.map { defendant in
                var letter = defendant.filter { $0.key != "adjourned_to" }
                if letter["defendant_reference"] == nil, let number = defendant["defendant_number"] as? Int { letter["defendant_reference"] = "D\(number)" }
                return letter
            },
        ]
        guard let body = try? JSONSerialization.data(withJSONObject: disposal, options: [.sortedKeys]) else {
            return .reject("The disposal could not be encoded.")
        }
        do {
            let receipt = try await client.send(type: "case.disposal", to: ["schools-mis"], body: Array(body), id: "disposal-\(reference)")
            _ = try? await offPool { try store.disposalSent(reference, detail: "to the school (hub sequence \(receipt.sequence))", sent: true) }
            return .done
        } catch where error.code == .rejected {
            logger.error("The hub refused a disposal letter", metadata: ["case": "\(reference)", "reason": "\(error.message)"])
            let reason = error.message
            _ = try? await offPool { try store.disposalSent(reference, detail: "refused by the hub: \(reason)", sent: false) }
            return .done
        } catch {
            return .retry("The disposal could not be sent to the school: \(error.message)")
        }
    }

    /// A partner's request for the UPNs of children it names by name and date of birth: each is matched against the
    /// county's rolls (``DeskStore/matchKey(forename:surname:dateOfBirth:)``), and only a single match gives a UPN.
    /// The answer goes back to the agency that asked (`pupil.match-result`), correlated with the request.
    func answerMatchRequest(_ delivery: Delivery, client: AdapterClient?) async -> DeliveryOutcome {
        guard let request = try? JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any],
            let reference = request["request"] as? String, let cohort = request["cohort"] as? String,
            let people = request["people"] as? [[String: Any]]
        else { return .reject("The match request could not be read.") }
        guard let client else { return .retry("No connection to answer the match request.") }
        let store = self.store
        let asked = people.compactMap { person -> MatchQuery? in
            guard let row = person["row"] as? Int, let forename = person["forename"] as? String, let surname = person["surname"] as? String,
                let birth = person["date_of_birth"] as? String
            else { return nil }
            return MatchQuery(row: row, forename: forename, surname: surname, dateOfBirth: birth)
        }
        guard asked.count == people.count else {
            return .reject("The match request has a person without a row, forename, surname or date_of_birth.")
        }
        let results: [[String: Any]]
        do {
            let found = try await offPool { try asked.map { try store.match(forename: $0.forename, surname: $0.surname, dateOfBirth: $0.dateOfBirth) } }
            results = zip(asked, found).map { query, upns in
                switch upns.count {
                case 1: ["row": query.row, "upn": upns[0]]
                case 0: ["row": query.row, "unmatched": "no_pupil"]
                default: ["row": query.row, "unmatched": "several_pupils"]
                }
            }
        } catch {
            return .retry("The desk's store could not be read: \(error)")
        }
        let answer: [String: Any] = ["request": reference, "cohort": cohort, "results": results]
        guard !results.isEmpty, let bytes = try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys]) else {
            return .reject("The match request named nobody.")
        }
        do {
            _ = try await client.send(
                type: "pupil.match-result", to: [delivery.envelope.source.rawValue], body: Array(bytes),
                id: ids.id("match-result-", delivery.envelope.source.rawValue, delivery.envelope.id), correlationID: delivery.envelope.id)
            logger.info("Answered a match request", metadata: [
                "agency": "\(delivery.envelope.source)", "asked": "\(asked.count)", "matched": "\(results.filter { $0["upn"] != nil }.count)",
            ])
            return .done
        } catch where error.code == .rejected {
            logger.error("The hub refused a match result", metadata: ["agency": "\(delivery.envelope.source)", "reason": "\(error.message)"])
            return .done
        } catch {
            return .retry("The match result could not be sent: \(error.message)")
        }
    }

    /// Connexions' personal-adviser assignments: each young person by UPN, or matched on the rolls by name and
    /// date of birth (one pupil only); the adviser is then shown with the young person's case (`liaison case
    /// show`). Those not found are counted in the log, without their details.
    func recordAssignments(_ delivery: Delivery) async -> DeliveryOutcome {
        guard let body = try? JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any],
            let assignments = body["assignments"] as? [[String: Any]]
        else { return .reject("The adviser assignments could not be read.") }
        let items: [AdviserAssignment] = assignments.compactMap { item in
            guard let person = item["young_person"] as? [String: Any], let adviser = item["adviser"] as? [String: Any],
                let assigned = item["assigned_on"] as? String,
                let json = try? JSONSerialization.data(withJSONObject: adviser, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return nil }
            return AdviserAssignment(
                upn: person["upn"] as? String, forename: person["forename"] as? String, surname: person["surname"] as? String,
                dateOfBirth: person["date_of_birth"] as? String, adviser: String(decoding: json, as: UTF8.self), assignedOn: assigned,
                endedOn: item["ended_on"] as? String)
        }
        let store = self.store, messageID = delivery.envelope.id
        do {
            let (recorded, unmatched) = try await offPool {
                var recorded = 0, unmatched = 0
                for item in items {
                    var upn = item.upn
                    if upn == nil, let forename = item.forename, let surname = item.surname, let birth = item.dateOfBirth {
                        let found = try store.match(forename: forename, surname: surname, dateOfBirth: birth)
                        upn = found.count == 1 ? found[0] : nil
                    }
                    guard let upn else {
                        unmatched += 1
                        continue
                    }
                    try store.storeAdviser(upn: upn, adviser: item.adviser, assignedOn: item.assignedOn, endedOn: item.endedOn, messageID: messageID)
                    recorded += 1
                }
                return (recorded, unmatched)
            }
            logger.info("Recorded Connexions adviser assignments", metadata: ["recorded": "\(recorded)", "not_found": "\(unmatched)"])
            return .done
        } catch {
            return .retry("The desk's store could not take the assignments: \(error)")
        }
    }

    /// Alerts Social Services to the absence of each looked-after child in a return (`care.attendance-alert`):
    /// one alert for each run of absent sessions, with its length. The hub releases an alert only for a child
    /// on Social Services' children-in-care list, so a refusal (451) is expected and not an error.
    func sendCareAlerts(_ pupils: [AttendanceReturn.Pupil], laestab: String, client: AdapterClient) async -> DeliveryOutcome {
        var alerts: [(type: String, to: String, id: String, body: [UInt8])] = []
        // What each alert was about, recorded with its outcome (`shares_sent`, kind `care-alert`) for the senior
        // team's termly report: how many alerts Social Services had, and how many the hub held back.
        var about: [(upn: String, period: String)] = []
        for pupil in pupils where pupil.lookedAfter == true {
            for alert in Self.absenceRuns(pupil) {
                let alertBody: JSONValue = [
                    "upn": .string(pupil.upn), "date": .string(alert.date), "session": .string(alert.session), "code": .string(alert.code),
                    "school": ["laestab": .string(laestab)], "care_authority": .string(String(laestab.prefix(3))),
                    "consecutive_sessions_absent": .number(Double(alert.length)),
                ]
                let bytes = alertBody.encoded()
                // The run's length is in the id: a later return that finds the run longer tells Social Services so. The
                // id is a keyed digest: which children are looked after must not be readable from the audit log.
                alerts.append((
                    "care.attendance-alert", "social-services",
                    ids.id("care-alert-", pupil.upn, alert.date, alert.session, String(alert.length)), bytes
                ))
                about.append((pupil.upn, "\(alert.date) \(alert.session) \(alert.length)"))
            }
        }
        var records: [(kind: String, upn: String, period: String, outcome: String)] = []
        for (outcome, alert) in zip(await Self.sendConcurrently(alerts, client: client), about) {
            switch outcome {
            case .sent: records.append(("care-alert", alert.upn, alert.period, "sent"))
            case .refused(let reason):
                logger.debug("A care alert was not released", metadata: ["reason": "\(reason)"])
                records.append(("care-alert", alert.upn, alert.period, "refused"))
            case .failed(let reason): return .retry("Care alerts could not be sent: \(reason)")
            }
        }
        let store = self.store, done = records
        do { try await offPool { try store.recordShares(done) } } catch {
            return .retry("The desk's store could not record the care alerts: \(error)")
        }
        return .done
    }

    /// The runs of consecutive absent sessions (authorised or unauthorised) in a pupil's marks.
    static func absenceRuns(_ pupil: AttendanceReturn.Pupil) -> [(date: String, session: String, code: String, length: Int)] {
        var runs: [(date: String, session: String, code: String, length: Int)] = []
        var current: (date: String, session: String, code: String, length: Int)?
        for (date, day) in (pupil.marks ?? [:]).sorted(by: { $0.key < $1.key }) {
            for (session, code) in [("AM", day.am), ("PM", day.pm)] {
                let category = CodeTable.standard.code(code)?.category
                if category == .authorised || category == .unauthorised {
                    if current == nil { current = (date, session, code, 0) }
                    current!.length += 1
                } else if category != .notCounted, let run = current {
                    runs.append(run)
                    current = nil
                }
            }
        }
        if let current { runs.append(current) }
        return runs
    }
}

/// One Connexions assignment as the desk reads it.
struct AdviserAssignment: Sendable {
    var upn, forename, surname, dateOfBirth: String?
    var adviser: String
    var assignedOn: String
    var endedOn: String?
}

/// One person a partner asked the desk to find.
struct MatchQuery: Sendable {
    var row: Int
    var forename: String
    var surname: String
    var dateOfBirth: String
}

/// One defendant's outcome as the desk records it.
struct DefendantOutcome: Sendable {
    var reference: String
    var number: Int
    var outcome: String
    var json: String
}

extension NPASDesk {
    /// The disposals only an s.444(1A) conviction allows.
    static let knowingOnly = ["community_order": "a community order", "custody": "custody"]

    /// Each defendant's outcome read from a `court.outcome` body and checked against the file the desk sent: the
    /// defendant is one the file named (by reference, D1.., agreeing with their number), the offence is the one laid
    /// (or s.444(1) on an s.444(1A) information, which a court may convict of), and custody or a community order
    /// only on an s.444(1A) conviction. Every problem is named at once; the message is refused whole, so a
    /// half-read outcome never disposes of a case.
    static func defendantOutcomes(
        _ defendants: [[String: Any]], reference: String, named: [String: (number: Int, offence: String)]
    ) -> Result<[DefendantOutcome], DeskError> {
        var rows: [DefendantOutcome] = []
        var problems: [String] = []
        for (index, defendant) in defendants.enumerated() {
            guard let number = defendant["defendant_number"] as? Int, let result = defendant["outcome"] as? String,
                let json = try? JSONSerialization.data(withJSONObject: defendant, options: [.sortedKeys])
            else {
                problems.append("defendant \(index + 1) has no defendant_number or outcome")
                continue
            }
            // Outcomes from before references were carried name the defendant by number only.
            let given = defendant["defendant_reference"] as? String
            let name = given ?? "D\(number)"
            if name != "D\(number)" {
                problems.append("defendant_reference \(name) does not agree with defendant_number \(number)")
                continue
            }
            if !named.isEmpty {
                guard let file = named[name] else {
                    problems.append("\(name) is not a defendant in the file sent for case \(reference), which names \(named.keys.sorted().joined(separator: ", "))")
                    continue
                }
                if let offence = defendant["offence"] as? String, offence != file.offence, !(offence == "444(1)" && file.offence == "444(1A)") {
                    problems.append("\(name) was prosecuted under s.\(file.offence), so cannot be convicted under s.\(offence)")
                }
            }
            if let sentence = defendant["sentence"] as? [String: Any], defendant["offence"] as? String != "444(1A)" {
                for (key, words) in knowingOnly.sorted(by: { $0.key < $1.key }) where sentence[key] != nil {
                    problems.append("\(name): \(words) is available only on a conviction under s.444(1A), not s.\(defendant["offence"] as? String ?? "?")")
                }
            }
            rows.append(DefendantOutcome(reference: name, number: number, outcome: result, json: String(decoding: json, as: UTF8.self)))
        }
        if Set(rows.map(\.reference)).count != rows.count { problems.append("a defendant has two outcomes in one message") }
        guard problems.isEmpty else { return .failure(DeskError("The court outcome for case \(reference) cannot be recorded: \(problems.joined(separator: "; ")).")) }
        return .success(rows)
    }
}
