import AttendanceDomain
import Crypto
import Foundation
import StrictJSON
import LiaisonAdapterKit
import LiaisonMessages
import LiaisonProtocol
import Logging

/// The schools' MIS import: watches an inbox for the files schools' management information systems
/// export (CTF XML and the CSV register export) and referral files, and sends what they hold through the
/// hub; writes the letters the attendance service sends schools into their outboxes.
///
/// - A register file becomes one `attendance.return` for its school and half term, with each pupil's
///   figures by the DfE rules (AttendanceDomain), and the school's `pupil.roll` (names, address, contacts,
///   SEN: `PupilRollBuilder`) for the same pupils, unless it has a fatal problem: then it goes to `failed/`
///   with the problems beside it. Recoverable problems (a pupil with a bad UPN, a code not valid on its
///   date) are listed in the report beside the processed file and counted.
/// - A `*.json` file in the inbox holds one referral (or an array of them): each becomes a `referral`.
/// - Message ids come from the file's content, keyed with the adapter's own secret (`state/id.key`), so a file
///   re-read after a restart mid-file, or dropped in twice, is answered by the hub as a duplicate: it is never
///   imported twice; and nobody without the key can tell from an id what file it came from.
public final class SchoolsMISAdapter: Sendable {
    public static let agency = "schools-mis"
    public static let consumes = ["case.feedback", "case.disposal", "penalty.notice", "awards.list", "register-audit.findings"]

    /// What became of one file.
    public enum FileOutcome: Sendable, Equatable {
        case imported(file: String, messages: Int, problems: Int, duplicate: Bool)
        case rejected(file: String, reason: String)
        /// Not finished (the hub unreachable): left in `processing/` for the next pass.
        case deferred(file: String, reason: String)
    }

    public let folder: DropFolder
    let reader: MISReader
    let logger: Logger
    /// The adapter's message id key, `state/id.key` (``MessageIDKey``): a file's messages are named by the keyed
    /// digest of its content. A plain SHA-256 of a file holding children's returns, rolls and referrals would let
    /// anyone holding (or guessing) a file confirm it against the hub's audit log, which is never erased.
    let ids: MessageIDKey
    /// `ROOT/state/` (0700): the message id key.
    var state: String { "\(folder.root)/state" }
    /// Where letters are written (with `fsync`), off Swift's cooperative pool and apart from the inbox's work, so a
    /// large CTF file being parsed does not hold up the letters (``BlockingWork`` says why).
    let deliveryWork = BlockingWork(label: "liaison.schools-mis.deliveries")
    /// Where inbox files are hashed and parsed (``read(_:)``), apart from the folder's own moves on `inboxWork`.
    let readWork = BlockingWork(label: "liaison.schools-mis.read")

    /// Opens the adapter on its folder, reading (or on the first start making) `state/id.key`.
    ///
    /// - Throws: `MessageIDKeyError` when the key exists but cannot be used, or cannot be made: the adapter must
    ///   not start (with a new key every id would change, and a file taken up again would be imported twice);
    ///   `AdapterError` `folder-unusable` when `state/` cannot be made.
    public init(folder: DropFolder, directory: SchoolDirectory?, logger: Logger) throws {
        self.folder = folder
        // Made private before the key goes in it.
        ids = try MessageIDKey(folder: try DropFolder.createPrivateFolder("\(folder.root)/state"))
        // The reader holds to the folder's cap as well: the drop folder screens a file as it is claimed, and the
        // reader refuses one that grew past the cap since, so an operator's --max-file-mib is the one limit.
        self.reader = MISReader(directory: directory, maximumFileSize: folder.maximumFileSize)
        self.logger = logger
    }

    // MARK: The inbox

    /// One pass: first any file a previous run left in `processing/`, then the inbox, oldest first (the runner's
    /// ``poll(client:)``), saying what became of each file.
    ///
    /// Files overlap, in order (issue 12: in lockstep, the county's 430 files spent 40 s between one file's roll
    /// accepted and the next file's return sent):
    /// - the next file is read (hashed, parsed, its return and roll written) on ``readWork`` while the last one's
    ///   messages go to the hub;
    /// - a file's roll is handed to the client once its return is accepted, and the next file's return follows it at
    ///   once: the roll's answer, and the file's move to `processed/`, are waited for while the hub takes that return.
    /// Messages still go to the hub one file after another, in the files' order, each file's return before its roll,
    /// and a roll only once its return is accepted (never for a return the hub refused).
    @discardableResult
    public func importInbox(client: AdapterClient) async -> [FileOutcome] {
        var outcomes: [FileOutcome] = []
        var previous: (path: String, reading: Task<Result<Read, Unusable>, Never>)?
        var finishing: Task<FileOutcome, Never>?
        await folder.work { path in
            let reading = Task { await self.read(path) }
            if let previous {
                finishing = await self.send(previous.path, previous.reading.value, client: client, after: finishing, into: &outcomes)
            }
            previous = (path, reading)
        } claimFailed: { path, error in
            self.logger.error("Could not claim a file from the inbox", metadata: ["file": "\((path as NSString).lastPathComponent)", "error": "\(error)"])
        }
        if let previous { finishing = await send(previous.path, previous.reading.value, client: client, after: finishing, into: &outcomes) }
        if let finishing { outcomes.append(await finishing.value) }
        return outcomes
    }

    /// A claimed file's SHA-256 and the messages it becomes.
    struct Read: Sendable {
        var digest: String
        var prepared: Prepared
    }

    /// Hashes and parses a claimed file. The file's SHA-256 and its parse (libxml2 for a CTF) block for as long as the
    /// file is large: on ``readWork``, never on the cooperative pool, and apart from the folder's own work, so that the
    /// last file's move to `processed/` does not wait behind this file's parse.
    func read(_ path: String) async -> Result<Read, Unusable> {
        let name = (path as NSString).lastPathComponent
        return await readWork.run { [self] in
            let digest: String
            do { digest = try Self.sha256(path: path) } catch {
                return .failure(Unusable("The file could not be read: \(error)"))
            }
            switch prepare(path, name: name, digest: digest) {
            case .failure(let unusable): return .failure(Unusable(unusable.reason.replacingOccurrences(of: path, with: name)))
            case .success(var prepared):
                // Problems name the file as the school knows it, not where the adapter was reading it.
                prepared.problems = prepared.problems.map { $0.replacingOccurrences(of: path, with: name) }
                return .success(Read(digest: digest, prepared: prepared))
            }
        }
    }

    /// Sends what a file holds, in order, each message once the one before it is accepted; moves the file to
    /// `processed/` with a report, or to `failed/`, or leaves it in `processing/` when the hub cannot be reached.
    ///
    /// Once the file's first message is accepted, the last file's `finishing` is waited for and its outcome added to
    /// `outcomes` (so outcomes keep the files' order). A roll that ends the file is handed over without waiting for
    /// its answer: the returned task waits for it and finishes the file.
    func send(
        _ path: String, _ read: Result<Read, Unusable>, client: AdapterClient, after finishing: Task<FileOutcome, Never>?,
        into outcomes: inout [FileOutcome]
    ) async -> Task<FileOutcome, Never>? {
        var finishing = finishing
        func finishPrevious() async {
            if let task = finishing { outcomes.append(await task.value) }
            finishing = nil
        }
        let name = (path as NSString).lastPathComponent
        let digest: String
        let prepared: Prepared
        switch read {
        case .failure(let unusable):
            await finishPrevious()
            outcomes.append(await reject(path, name: name, unusable.reason))
            return nil
        case .success(let result): (digest, prepared) = (result.digest, result.prepared)
        }
        var receipts: [String] = []
        var duplicate = false
        for (index, message) in prepared.messages.enumerated() {
            let id = messageID(message.type, digest: digest, index: index + 1)
            if index > 0, index == prepared.messages.count - 1, message.type == PupilRoll.type {
                await finishPrevious()
                let answer: Result<PendingSend, AdapterError>
                do { answer = .success(try client.submit(type: message.type, to: [], body: message.body, id: id)) } catch { answer = .failure(error) }
                let (sent, wasDuplicate) = (receipts, duplicate)
                return Task {
                    var receipts = sent, duplicate = wasDuplicate
                    let result: Result<Receipt, AdapterError>
                    switch answer {
                    case .success(let pending):
                        do throws(AdapterError) { result = .success(try await pending.receipt()) } catch { result = .failure(error) }
                    case .failure(let error): result = .failure(error)
                    }
                    if let stop = await self.record(result, of: message.type, index: index, path: path, name: name, receipts: &receipts, duplicate: &duplicate) {
                        return stop
                    }
                    return await self.complete(path, name: name, prepared, receipts: receipts, duplicate: duplicate)
                }
            }
            let result: Result<Receipt, AdapterError>
            do { result = .success(try await client.send(type: message.type, to: [], body: message.body, id: id)) } catch { result = .failure(error) }
            if index == 0 { await finishPrevious() }
            if let stop = await record(result, of: message.type, index: index, path: path, name: name, receipts: &receipts, duplicate: &duplicate) {
                await finishPrevious()
                outcomes.append(stop)
                return nil
            }
        }
        await finishPrevious()
        outcomes.append(await complete(path, name: name, prepared, receipts: receipts, duplicate: duplicate))
        return nil
    }

    /// Adds one message's answer to the file's receipts; the file's outcome if the answer ends it (the hub refused a
    /// return: `failed/`; the hub unreachable: left in `processing/`).
    func record(
        _ result: Result<Receipt, AdapterError>, of type: String, index: Int, path: String, name: String, receipts: inout [String],
        duplicate: inout Bool
    ) async -> FileOutcome? {
        switch result {
        case .success(let receipt):
            duplicate = duplicate || receipt.duplicate
            receipts.append(
                "\(type) \(index + 1): accepted as hub sequence \(receipt.sequence)"
                    + (receipt.auditEntry.map { ", audit entry \($0)" } ?? "") + (receipt.duplicate ? " (already received: not imported again)" : ""))
            return nil
        case .failure(let error) where error.code == .rejected && type == PupilRoll.type:
            // The return went through; a roll the hub refuses is reported, not a reason to fail the file.
            receipts.append("\(type) \(index + 1): refused by the hub: \(error.message)")
            return nil
        case .failure(let error) where error.code == .rejected:
            return await reject(path, name: name, "The hub refused \(type) \(index + 1): \(error.message)")
        case .failure(let error):
            logger.warning("Could not send; will try again", metadata: ["file": "\(name)", "error": "\(error.message)"])
            return .deferred(file: name, reason: error.message)
        }
    }

    /// Moves a file whose messages the hub accepted to `processed/`, with its report.
    func complete(_ path: String, name: String, _ prepared: Prepared, receipts: [String], duplicate: Bool) async -> FileOutcome {
        let report = ([prepared.summary] + receipts + (prepared.problems.isEmpty ? [] : ["", "Problems (\(prepared.problems.count)):"] + prepared.problems))
            .joined(separator: "\n") + "\n"
        let folder = self.folder
        do { _ = try await folder.inboxWork.run { try folder.complete(path, report: report) } } catch {
            logger.error("Could not move a processed file", metadata: ["file": "\(name)", "error": "\(error)"])
        }
        logger.info("Imported a file", metadata: ["file": "\(name)", "messages": "\(prepared.messages.count)", "problems": "\(prepared.problems.count)"])
        return .imported(file: name, messages: prepared.messages.count, problems: prepared.problems.count, duplicate: duplicate)
    }

    func reject(_ path: String, name: String, _ reason: String) async -> FileOutcome {
        let folder = self.folder, logger = self.logger
        await folder.inboxWork.run { folder.fail(path, report: "\(name) was not imported.\n\n\(reason)\n", logger: logger) }
        logger.warning("Rejected a file", metadata: ["file": "\(name)"])
        return .rejected(file: name, reason: reason)
    }

    /// Why a file cannot be used, for the report beside it in `failed/`.
    struct Unusable: Error, Sendable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The messages a file becomes, with its summary and recoverable problems.
    struct Prepared: Sendable {
        var messages: [(type: String, body: [UInt8])]
        var summary: String
        var problems: [String]
    }

    func prepare(_ path: String, name: String, digest: String) -> Result<Prepared, Unusable> {
        if name.lowercased().hasSuffix(".json") { return prepareReferrals(path, name: name) }
        let result = reader.read(path: path)
        if result.hasFatalProblem {
            return .failure(Unusable("The file cannot be used:\n" + result.problems.map { "  \($0)" }.joined(separator: "\n")))
        }
        guard let school = result.school, let period = result.period else {
            return .failure(Unusable("The file does not say which school and period it is for."))
        }
        guard let halfTerm = period.halfTerm else {
            return .failure(Unusable("The marks cover half terms \(period.halfTerms.lowerBound)-\(period.halfTerms.upperBound): a return covers one half term. Export each half term separately."))
        }
        let body = Self.attendanceReturn(result, school: school, academicYear: period.academicYear, halfTerm: halfTerm, period: period)
        guard !body.pupils.isEmpty else {
            return .failure(Unusable("No pupil in the file could be sent:\n" + result.problems.map { "  \($0)" }.joined(separator: "\n")))
        }
        do {
            let bytes = try MessageCoding.encode(body)
            let sent = Set(body.pupils.map(\.upn))
            let roll = PupilRollBuilder.roll(
                result.pupils.filter { sent.contains($0.upn) }, school: body.school, asOf: body.markedThrough ?? body.period.endDate)
            let withheld = result.pupils.count - body.pupils.count
            let summary = "\(name): \(school.laestab) \(school.name ?? ""), \(period.academicYear)/\((period.academicYear + 1) % 100) half term \(halfTerm)"
                + (body.markedThrough.map { " to \($0) (a register to date)" } ?? "") + ": "
                + "\(body.pupils.count) pupils sent" + (withheld > 0 ? ", \(withheld) withheld (a UPN that fails its check, or a code not valid on its date: see the problems)" : "") + "."
            return .success(Prepared(messages: [(AttendanceReturn.type, bytes), (PupilRoll.type, try MessageCoding.encode(roll))], summary: summary, problems: result.problems.map(\.description)))
        } catch {
            return .failure(Unusable("The return could not be encoded: \(error)"))
        }
    }

    /// A referral file: one referral object, or an array of them (schemas/referral.schema.json).
    func prepareReferrals(_ path: String, name: String) -> Result<Prepared, Unusable> {
        let data: Data
        do { data = try folder.read(path) } catch {
            return .failure(Unusable("The file could not be read: \(error)"))
        }
        let value: JSONValue
        do { value = try JSONValue.parse(Array(data)) } catch {
            return .failure(Unusable("The file is not valid JSON: \(error)"))
        }
        let referrals = value.arrayValue ?? [value]
        guard !referrals.isEmpty, referrals.allSatisfy({ $0.objectValue != nil }) else {
            return .failure(Unusable("A referral file holds one referral (a JSON object) or an array of them (schemas/referral.schema.json)."))
        }
        return .success(Prepared(
            messages: referrals.map { ("referral", $0.encoded()) }, summary: "\(name): \(referrals.count) referral(s).", problems: []))
    }

    /// The return's body: pupils whose UPN is valid, with figures, code counts and marks.
    package static func attendanceReturn(
        _ result: MISReadResult, school: MISReadResult.School, academicYear: Int, halfTerm: Int, period: ReportingPeriod
    ) -> AttendanceReturn {
        // A pupil whose UPN fails its check letter cannot be identified, and one with a code that is unknown or
        // not valid on its date would make the whole return fail its schema: both are withheld and reported.
        let pupils = result.pupils.filter { Self.sendable($0) }.map { pupil in
            AttendanceReturn.Pupil(
                upn: pupil.upn, sessionsPossible: pupil.figures.possible, present: pupil.figures.present, aea: pupil.figures.aea,
                authorised: pupil.figures.authorised, unauthorised: pupil.figures.unauthorised, codes: pupil.figures.codeCounts,
                dateOfBirth: pupil.dateOfBirth?.description, yearGroup: pupil.yearGroup?.rawValue, lookedAfter: pupil.lookedAfter,
                marks: Dictionary(uniqueKeysWithValues: pupil.marks.map { ($0.date.description, AttendanceReturn.DayMarks(am: $0.am, pm: $0.pm)) }))
        }
        return AttendanceReturn(
            school: AttendanceReturn.School(laestab: school.laestab.value, name: school.name),
            period: AttendanceReturn.Period(
                academicYear: academicYear, halfTerm: halfTerm, startDate: period.start.description, endDate: period.end.description),
            markedThrough: result.markedThrough?.description, pupils: pupils)
    }

    /// Whether a pupil can go in the return: a valid UPN, and every mark a code valid on its date.
    static func sendable(_ pupil: PupilRecord) -> Bool {
        guard case .valid = UPN.check(pupil.upn) else { return false }
        return pupil.figures.invalid == 0
    }

    /// A letter's file name without its extension: `TYPE-SEQUENCE` (the type is one this adapter consumes).
    static func outputName(_ delivery: Delivery) -> String { "\(delivery.envelope.type.rawValue)-\(delivery.tag)" }

    /// `TYPE-`, the keyed digest of the file's SHA-256 (32 hex digits), `-N`: the same file gives the same ids
    /// after a restart, so the hub answers a resend as a duplicate. Never UPN-shaped: the digest is one run of 32
    /// letters and digits, and a UPN is 13.
    func messageID(_ type: String, digest: String, index: Int) -> String {
        ids.id("\(type)-", digest) + "-\(index)"
    }

    static func sha256(path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Deliveries

    /// A letter for a school (`case.feedback`, `case.disposal`), or one for the school to pass to a parent
    /// (`penalty.notice`, worded by `PenaltyNoticeLetter`), or the school's attendance awards with their certificates
    /// (`awards.list`, by `AwardsLetter`), or its register audit's findings (`register-audit.findings`, by
    /// `RegisterAuditLetter`): written to `outbox/LAESTAB/` as JSON and as
    /// a readable HTML letter, `TYPE-SEQUENCE.json` and `.html`: the hub's sequence number for the message, never
    /// the sender's id (which is the sender's text: `../x`). A LAESTAB that is not 7 digits goes to `unknown-school/`.
    public func handle(_ delivery: Delivery) async -> DeliveryOutcome {
        let type = delivery.envelope.type.rawValue
        guard Self.consumes.contains(type) else { return .reject("The schools' adapter does not take \(type).") }
        guard let value = try? JSONValue.parse(delivery.body) else { return .reject("The letter's body is not JSON.") }
        // Integers are held to their schema's ranges before any is read: a hub without schemas passes 1e300 on.
        if let problem = IntegerFields.problem(in: value, type: type) { return .reject("The \(type) cannot be used: \(problem)") }
        let laestab = value["school"]?["laestab"]?.stringValue.flatMap { try? LAESTAB($0) }?.value ?? "unknown-school"
        let base = Self.outputName(delivery)
        let letter: String
        switch type {
        case "penalty.notice": letter = PenaltyNoticeLetter.html(body: value)
        // The school's own pupils' awards: the list, then a certificate per pupil, each on a page of its own.
        case "awards.list": letter = AwardsLetter.html(body: value)
        // The findings of the school's register audit, for the school to put right (pupils by UPN only).
        case "register-audit.findings": letter = RegisterAuditLetter.html(body: value)
        default: letter = SchoolLetter.html(type: type, body: value)
        }
        let folder = self.folder, body = delivery.body
        do {
            try await deliveryWork.run { () throws -> Void in
                try folder.writeOutbox(Data(body), name: "\(base).json", subfolder: laestab)
                try folder.writeOutbox(Data(letter.utf8), name: "\(base).html", subfolder: laestab)
            }
            return .done
        } catch {
            return .retry("The school's outbox could not be written: \(error)")
        }
    }
}

/// The schools' import as the adapter kit runs it (`liaison adapter schools-mis`).
extension SchoolsMISAdapter: InboxAdapter {
    public var agency: String { Self.agency }
    public var name: String { "schools-mis" }
    public var consumes: [String] { Self.consumes }

    public func poll(client: AdapterClient) async {
        await importInbox(client: client)
    }

    public func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome {
        await handle(delivery)
    }
}
