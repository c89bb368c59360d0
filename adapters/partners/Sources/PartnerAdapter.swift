import AttendanceDomain
import Crypto
import Foundation
import StrictJSON
import LiaisonAdapterKit
import LiaisonProtocol
import LiaisonMessages
import Logging

/// The adapter of a partner agency that works from a list of children: Social Services (children in care),
/// the Youth Offending Team (its caseload) and Connexions (young people who opted out).
///
/// - A list dropped in `inbox/` (CSV, `PartnerList`) replaces the agency's cohort at the hub (`cohort.update`,
///   UPNs only): the sharing rules then release to the agency only its own children (or, for opt-outs, never
///   those). Children named without a UPN are first looked up by the attendance service by forename, surname
///   and date of birth (`pupil.match-request`, answered by `pupil.match-result`); the file waits in
///   `processing/` for the answer. Rows that cannot be used (a UPN that fails its check letter, no UPN and
///   nobody found) are not sent: `outbox/replies/FILE.reply.csv` lists every row's fate.
/// - The YOT's list also tells the attendance service of each child who joined or left the caseload since the
///   last list (`yot.case-update`, opened or closed, with the YOT's case reference), so the desk knows whom to
///   send half-termly summaries for.
/// - What the agency receives is written to `outbox/TYPE/` as one JSON file per message and one CSV line per
///   message in `outbox/TYPE.csv` (the columns are the body's top-level fields, flattened).
public final class PartnerAdapter: Sendable {
    /// What one agency's adapter does.
    public struct Profile: Sendable {
        public var agency: String
        public var cohort: String
        public var consumes: [String]
        /// The YOT: each row needs a case reference, and joiners and leavers are told to the desk.
        public var sendsCaseUpdates = false
        /// Connexions: a list with an `adviser_name` column is personal-adviser assignments, for the desk.
        public var sendsAssignments = false
    }

    public static let profiles: [String: Profile] = [
        "social-services": Profile(agency: "social-services", cohort: "children-in-care", consumes: ["care.attendance-alert", matchResult]),
        "yot": Profile(agency: "yot", cohort: "yot-caseload", consumes: ["yot.attendance-summary", matchResult], sendsCaseUpdates: true),
        "connexions": Profile(
            agency: "connexions", cohort: "connexions-opt-outs", consumes: ["connexions.notification", matchResult], sendsAssignments: true),
    ]
    static let matchResult = "pupil.match-result"
    /// How long a list waits for the desk to find its children named without a UPN.
    static let matchTimeout: TimeInterval = 24 * 3600

    public let profile: Profile
    public let folder: DropFolder
    let logger: Logger
    /// The adapter's message id key, `state/id.key` (``MessageIDKey``): a list's digest, and so every id made from
    /// it, is keyed, so that no id can be tested against a guessed list of UPNs (a list of one child is easily
    /// guessed), and the same list gives the same ids after a restart.
    let ids: MessageIDKey
    /// `ROOT/state/` (0700): the message id key, the match requests sent and their answers, and the YOT caseload
    /// last sent.
    var state: String { "\(folder.root)/state" }
    /// Where what the agency receives is written (with `fsync`), off Swift's cooperative pool and apart from the
    /// inbox's work (``BlockingWork`` says why). The inbox's own reads, parses and writes run on the folder's
    /// ``DropFolder/inboxWork``.
    let deliveryWork: BlockingWork

    /// Opens the adapter on its folder, reading (or on the first start making) `state/id.key`.
    ///
    /// - Throws: `MessageIDKeyError` when the key exists but cannot be used, or cannot be made: the adapter must
    ///   not start, since a new key would change every id and lists taken up again would be sent as new ones.
    ///   `AdapterError` `folder-unusable` when `state/` cannot be made.
    public init(profile: Profile, folder: DropFolder, logger: Logger) throws {
        self.profile = profile
        self.folder = folder
        self.logger = logger
        // Made private before the key goes in it: the key and the lists' state are the adapter's alone.
        let state = try DropFolder.createPrivateFolder("\(folder.root)/state")
        ids = try MessageIDKey(folder: state)
        deliveryWork = BlockingWork(label: "liaison.\(profile.agency).deliveries")
    }

    // MARK: Lists out

    public func poll(client: AdapterClient) async {
        // Each list replaces the agency's cohort, so lists go in order: one waiting for the desk holds back the next.
        await folder.work(inOrder: true) { path in await process(path, client: client) }
    }

    /// A list file as read (on the inbox's queue).
    enum ReadList: Sendable {
        /// Not usable: already in `failed/` with its report.
        case failed
        case assignments(Data)
        case list(PartnerList, digest: String)
    }

    func process(_ path: String, client: AdapterClient) async {
        let name = (path as NSString).lastPathComponent
        let folder = self.folder, logger = self.logger
        // Reading, parsing and hashing the list block: on the folder's inbox queue, never on the cooperative pool.
        let read: ReadList = await folder.inboxWork.run { [self] in
            // Never through a link, never more than the folder's cap, never decompressed.
            let data: Data
            do { data = try folder.read(path) } catch {
                folder.fail(path, report: "\(name) was not read: \(error)\n", logger: logger)
                return .failed
            }
            let bytes = Array(data)
            if profile.sendsAssignments, let header = PartnerCSV.header(of: bytes), AdviserAssignments.isAssignments(header: header) {
                return .assignments(data)
            }
            do { return .list(try PartnerList(bytes: bytes, needsCaseReference: profile.sendsCaseUpdates), digest: self.digest(data)) } catch {
                folder.fail(path, report: "\(name) was not read: \(error)\n", logger: logger)
                return .failed
            }
        }
        var list: PartnerList
        let digest: String
        switch read {
        case .failed: return
        case .assignments(let data): return await sendAssignments(path, name: name, data: data, client: client)
        case .list(let read, let readDigest): (list, digest) = (read, readDigest)
        }
        var reply = list.problems.map { "\($0.line),not sent,\(CSVRecordReader.escape($0.problem))" }

        // Children without a UPN: ask the desk once, then wait (in processing/) for its answer.
        if !list.unidentified.isEmpty {
            switch await matchAnswer(list.unidentified, digest: digest, client: client) {
            case .waiting: return
            case .refused(let reason):
                reply += list.unidentified.map { "\($0.line),not sent,\(CSVRecordReader.escape("no UPN, and it could not be looked up: \(reason)"))" }
            case .answered(let results):
                for child in list.unidentified {
                    switch results[child.line] {
                    case .some(.success(let upn)):
                        reply.append(list.add(child, upn: upn)
                            ? "\(child.line),sent,\(CSVRecordReader.escape("found by name and date of birth: UPN \(upn); please record it"))"
                            : "\(child.line),not sent,\(CSVRecordReader.escape("found by name and date of birth as UPN \(upn), which is already listed"))")
                    case .some(.failure(let reason)): reply.append("\(child.line),not sent,\(CSVRecordReader.escape(reason.description))")
                    case .none: reply.append("\(child.line),not sent,the attendance service did not answer for this row")
                    }
                }
            }
        }

        let body: [String: Any] = ["cohort": profile.cohort, "operation": "replace", "members": list.members.map { ["upn": $0.upn] }]
        var head = list.encodingNote.map { ["0,note,\(CSVRecordReader.escape($0))"] } ?? []
        do {
            let bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
            let receipt = try await Self.send(client, type: "cohort.update", to: [], body: bytes, id: "cohort-\(profile.cohort)-\(digest)")
            head.append("0,sent,\(list.members.count) children as the \(profile.cohort) list: hub sequence \(receipt.sequence)")
            if profile.sendsCaseUpdates {
                guard let told = await sendCaseUpdates(list.members, digest: digest, client: client) else { return }
                head.append("0,sent,\(CSVRecordReader.escape(told))")
            }
        } catch let error as AdapterError where error.code == .rejected {
            head.append("0,not sent,\(CSVRecordReader.escape("the hub refused the list: \(error.message)"))")
        } catch {
            logger.warning("Could not send a list; will try again", metadata: ["file": "\(name)"])
            return
        }
        reply = head + reply.sorted { (Int($0.prefix { $0 != "," }) ?? 0) < (Int($1.prefix { $0 != "," }) ?? 0) }
        let replyCSV = Data(((["line,status,detail"] + reply).joined(separator: "\n") + "\n").utf8)
        let unused = reply.filter { $0.contains(",not sent,") }.count
        let report = "\(list.members.count) children sent; \(unused) rows not used: see outbox/replies/\(name).reply.csv\n"
            + (list.encodingNote.map { "Note: \($0).\n" } ?? "")
        let state = self.state
        do {
            try await folder.inboxWork.run { () throws -> Void in
                try folder.writeOutbox(replyCSV, name: "\(name).reply.csv", subfolder: "replies")
                try folder.complete(path, report: report)
                for suffix in ["request", "json"] { try? FileManager.default.removeItem(atPath: "\(state)/matches/\(digest).\(suffix)") }
            }
        } catch {
            logger.error("Could not finish a list", metadata: ["file": "\(name)", "error": "\(error)"])
        }
    }

    // MARK: Connexions' adviser assignments

    /// An assignments list becomes one `connexions.assignment` to the attendance service, which matches
    /// young people named without a UPN itself; unusable rows are reported back.
    func sendAssignments(_ path: String, name: String, data: Data, client: AdapterClient) async {
        let folder = self.folder, logger = self.logger
        let parsed: AdviserAssignments? = await folder.inboxWork.run {
            do { return try AdviserAssignments(bytes: Array(data)) } catch {
                folder.fail(path, report: "\(name) was not read: \(error)\n", logger: logger)
                return nil
            }
        }
        guard let list = parsed else { return }
        var reply = list.problems.map { "\($0.line),not sent,\(CSVRecordReader.escape($0.problem))" }
        if list.assignments.isEmpty {
            reply.insert("0,not sent,no usable assignment in the list", at: 0)
        } else {
            let digest = self.digest(data)
            do {
                let bytes = Array(try JSONSerialization.data(withJSONObject: ["assignments": list.assignments.map(\.item)], options: [.sortedKeys, .withoutEscapingSlashes]))
                let receipt = try await Self.send(client, type: "connexions.assignment", to: ["npas"], body: bytes, id: "assignments-\(digest)")
                reply.insert("0,sent,\(list.assignments.count) adviser assignments to the attendance service: hub sequence \(receipt.sequence)", at: 0)
                reply += list.assignments.map { assignment in
                    let byName = (assignment.item["young_person"] as? [String: any Sendable])?["upn"] == nil
                    return "\(assignment.line),sent," + (byName ? "the attendance service finds the young person by name and date of birth" : "")
                }
            } catch let error as AdapterError where error.code == .rejected {
                reply.insert("0,not sent,\(CSVRecordReader.escape("the hub refused the assignments: \(error.message)"))", at: 0)
            } catch {
                logger.warning("Could not send assignments; will try again", metadata: ["file": "\(name)"])
                return
            }
        }
        if let note = list.encodingNote { reply.insert("0,note,\(CSVRecordReader.escape(note))", at: 0) }
        let head = reply.prefix { $0.hasPrefix("0,") }
        let rows = reply.dropFirst(head.count).sorted { (Int($0.prefix { $0 != "," }) ?? 0) < (Int($1.prefix { $0 != "," }) ?? 0) }
        let replyCSV = Data(((["line,status,detail"] + head + rows).joined(separator: "\n") + "\n").utf8)
        let report = "\(list.assignments.count) assignments sent; \(list.problems.count) rows not used: see outbox/replies/\(name).reply.csv\n"
            + (list.encodingNote.map { "Note: \($0).\n" } ?? "")
        do {
            try await folder.inboxWork.run { () throws -> Void in
                try folder.writeOutbox(replyCSV, name: "\(name).reply.csv", subfolder: "replies")
                try folder.complete(path, report: report)
            }
        } catch {
            logger.error("Could not finish a list", metadata: ["file": "\(name)", "error": "\(error)"])
        }
    }

    // MARK: Matching by name and date of birth

    enum MatchAnswer {
        case waiting
        case refused(String)
        case answered([Int: Result<String, PartnerListError>])
    }

    /// The desk's answer for a list's children without a UPN, if it has come; otherwise sends the request (once).
    func matchAnswer(_ children: [PartnerList.Unidentified], digest: String, client: AdapterClient) async -> MatchAnswer {
        let folder = "\(state)/matches"
        // The answer and the request's date are files: read on the inbox's queue, off the cooperative pool.
        let (answerData, asked): (Data?, Date?) = await self.folder.inboxWork.run {
            (FileManager.default.contents(atPath: "\(folder)/\(digest).json"),
             (try? FileManager.default.attributesOfItem(atPath: "\(folder)/\(digest).request"))?[.modificationDate] as? Date)
        }
        if let data = answerData, let answer = try? JSONValue.parse(Array(data)) {
            var results: [Int: Result<String, PartnerListError>] = [:]
            for result in answer["results"]?.arrayValue ?? [] {
                guard let row = result["row"]?.numberValue.flatMap(IntegerFields.integer) else { continue }
                if let upn = result["upn"]?.stringValue {
                    results[row] = .success(upn)
                } else if result["unmatched"]?.stringValue == "several_pupils" {
                    results[row] = .failure(PartnerListError("no UPN, and more than one pupil has this name and date of birth: give the UPN"))
                } else {
                    results[row] = .failure(PartnerListError("no UPN, and no pupil on the county's rolls has this name and date of birth: check them, or give the UPN"))
                }
            }
            return .answered(results)
        }
        if let asked {
            // The desk keeps its answers coming while it runs; a day without one means it never will (the
            // question or the answer refused, or expired at the hub): the list goes ahead without those rows.
            guard Date().timeIntervalSince(asked) > Self.matchTimeout else { return .waiting }
            return .refused("the attendance service did not answer within \(Int(Self.matchTimeout / 3600)) hours")
        }
        let request: [String: Any] = [
            "request": digest, "cohort": profile.cohort,
            "people": children.map { ["row": $0.line, "forename": $0.forename, "surname": $0.surname, "date_of_birth": $0.dateOfBirth] },
        ]
        do {
            let bytes = Array(try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys]))
            _ = try await Self.send(client, type: "pupil.match-request", to: ["npas"], body: bytes, id: "match-\(profile.cohort)-\(digest)")
            try await self.folder.inboxWork.run { () throws -> Void in
                try DropFolder.createPrivateFolder(folder)
                try DropFolder.writeAtomically(Data(), to: "\(folder)/\(digest).request")
            }
            logger.info("Asked the attendance service to find children named without a UPN", metadata: ["children": "\(children.count)"])
            return .waiting
        } catch let error as AdapterError where error.code == .rejected {
            return .refused(error.message)
        } catch {
            logger.warning("Could not ask for children to be matched; will try again", metadata: ["error": "\(error)"])
            return .waiting
        }
    }

    // MARK: YOT case updates

    /// Tells the desk of each child who joined (`opened`) or left (`closed`) the caseload since the last list, or
    /// whose case reference changed; returns what was told, or nil if the hub could not be reached (try again).
    func sendCaseUpdates(_ members: [PartnerList.Member], digest: String, client: AdapterClient) async -> String? {
        let path = "\(state)/\(profile.cohort).json"
        let before: [String: String] = await folder.inboxWork.run {
            (FileManager.default.contents(atPath: path).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: String] }) ?? [:]
        }
        var now: [String: String] = [:]
        for member in members { now[member.upn] = member.caseReference ?? "" }
        let today = SchoolDate.today().description
        var changes: [(upn: String, reference: String, status: String)] = []
        for (upn, reference) in now.sorted(by: { $0.key < $1.key }) where before[upn] != reference { changes.append((upn, reference, "opened")) }
        for (upn, reference) in before.sorted(by: { $0.key < $1.key }) where now[upn] == nil { changes.append((upn, reference, "closed")) }
        var refused = 0
        for (index, change) in changes.enumerated() {
            let body: [String: Any] = ["upn": change.upn, "case_reference": change.reference, "status": change.status, "effective_date": today]
            do {
                let bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]))
                // The list's keyed digest and the change's place: the same list after a restart gives the same changes
                // in the same order, so the hub answers a resend as a duplicate; and the id says nothing of the child.
                _ = try await Self.send(
                    client, type: "yot.case-update", to: ["npas"], body: bytes, id: ids.id("yot-case-", digest, "\(index + 1)"))
            } catch let error as AdapterError where error.code == .rejected {
                refused += 1
                logger.error("The hub refused a YOT case update", metadata: ["reason": "\(error.message)"])
            } catch {
                logger.warning("Could not send YOT case updates; will try again", metadata: ["error": "\(error)"])
                return nil
            }
        }
        let state = self.state, caseload = now
        do {
            try await folder.inboxWork.run { () throws -> Void in
                try DropFolder.createPrivateFolder(state)
                try DropFolder.writeAtomically(try JSONSerialization.data(withJSONObject: caseload, options: [.sortedKeys]), to: path)
            }
        } catch {
            logger.error("Could not keep the caseload sent", metadata: ["error": "\(error)"])
        }
        let opened = changes.filter { $0.status == "opened" }.count
        return "the attendance service told of \(opened) children joining and \(changes.count - opened) leaving the caseload"
            + (refused > 0 ? " (\(refused) refused by the hub)" : "")
    }

    /// Sends a message with an id from the file's content; if the hub has that id already, sends it again with a
    /// fresh one. A list dropped in again (after another replaced it) must be applied again, and a list taken up
    /// again after a restart is only applied twice, which a replace, an opened case or a question makes harmless.
    static func send(_ client: AdapterClient, type: String, to: [String], body: [UInt8], id: String) async throws(AdapterError) -> Receipt {
        let receipt = try await client.send(type: type, to: to, body: body, id: id)
        guard receipt.duplicate else { return receipt }
        return try await client.send(type: type, to: to, body: body, id: "\(id)-\(Int64(Date().timeIntervalSince1970 * 1000))")
    }

    /// A list's keyed digest (32 hex digits: the HMAC, under the adapter's id key, of the file's SHA-256): its
    /// messages' ids and its match request's name, so a file read twice is sent once. Keyed, because a list of one
    /// child is easily guessed, and its plain digest would confirm the guess to anyone reading the audit log.
    func digest(_ data: Data) -> String {
        ids.id("", SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
    }


    // MARK: Deliveries in

    public func handle(_ delivery: Delivery) async -> DeliveryOutcome {
        let type = delivery.envelope.type.rawValue
        let body = delivery.body, state = self.state, folder = self.folder
        guard profile.consumes.contains(type) else { return .reject("\(profile.agency) does not take \(type).") }
        guard let value = try? JSONValue.parse(delivery.body), let members = value.objectValue else {
            return .reject("The body is not a JSON object.")
        }
        // Integers are held to their schema's ranges before any is read: a hub without schemas passes 1e300 on.
        if let problem = IntegerFields.problem(in: value, type: type) { return .reject("The \(type) cannot be used: \(problem)") }
        if type == Self.matchResult {
            // Kept for the list waiting in processing/, which the next pass finishes. The request is a digest this
            // adapter made (24 hex digits): only such a name may name a file in state/.
            guard let request = value["request"]?.stringValue, (1...64).contains(request.utf8.count),
                request.allSatisfy({ $0.isASCII && $0.isHexDigit })
            else {
                return .reject("The match result names no request of this adapter.")
            }
            do {
                try await deliveryWork.run { () throws -> Void in
                    try DropFolder.createPrivateFolder("\(state)/matches")
                    try DropFolder.writeAtomically(Data(body), to: "\(state)/matches/\(request).json")
                }
                return .done
            } catch {
                return .retry("The match result could not be kept: \(error)")
            }
        }
        // Named by the hub's sequence number, never by the sender's id: an id is the sender's text (`../x`).
        let fileName = Self.outputName(delivery), row = Self.flatten(members), messageID = delivery.envelope.id
        do {
            try await deliveryWork.run { () throws -> Void in
                try folder.writeOutbox(Data(body), name: fileName, subfolder: type)
                // One CSV per type; its columns are the body's flattened top-level fields, header first, every cell escaped.
                try OutboxCSV(path: "\(folder.outbox)/\(type).csv").append(row, messageID: messageID)
            }
            return .done
        } catch {
            return .retry("The outbox could not be written: \(error)")
        }
    }

    /// A delivery's file in `outbox/TYPE/`: `SEQUENCE.json`, the hub's sequence number for the message (its
    /// delivery tag), so a message delivered again replaces its own file and no sender-written text is in the name.
    static func outputName(_ delivery: Delivery) -> String { "\(delivery.tag).json" }

    /// `{"school": {"laestab": "9262001"}}` as `school.laestab = 9262001`; arrays as JSON text.
    static func flatten(_ members: [String: JSONValue], prefix: String = "") -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in members {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case .object(let inner): result.merge(flatten(inner, prefix: name)) { first, _ in first }
            case .string(let text): result[name] = text
            case .number(let number): result[name] = Int64(exactly: number).map { String($0) } ?? String(number)
            case .bool(let flag): result[name] = flag ? "true" : "false"
            case .null: result[name] = ""
            case .array: result[name] = String(decoding: value.encoded(), as: UTF8.self)
            }
        }
        return result
    }

}

/// A partner's adapter as the adapter kit runs it (`liaison adapter partner AGENCY`): named after its agency.
extension PartnerAdapter: InboxAdapter {
    public var agency: String { profile.agency }
    public var consumes: [String] { profile.consumes }

    public func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome {
        await handle(delivery)
    }
}
