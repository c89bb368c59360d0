import AttendanceDomain
import Crypto
import Foundation
import Printing
import StrictJSON
import LiaisonAdapterKit
import LiaisonMessages
import Logging

/// The Magistrates' Courts' adapter (agency `courts`).
///
/// - Each `prosecution.file` it receives becomes a bundle for the court clerk in `outbox/CASE/HEARING/`
///   (`CourtBundle`): the printable file, the s.566 certificate and the s.9 statement as HTML and (with Chromium)
///   PDF, the JSON, the register extract as CSV, and a manifest with each document's SHA-256 and the hub's audit
///   entry for the exchange. Acknowledged once every document is on disk. The case's defendant references and
///   offence are kept in `state/cases/` to check the clerk's outcomes against.
/// - Each outcomes file a clerk drops in `inbox/` (`CourtOutcomes`, CSV) becomes one `court.outcome` per case
///   and hearing. A reply, `outbox/replies/FILE.reply.csv`, says for every row what became of it: sent (with
///   the hub's sequence), or why not. No row is ever silently dropped. Message ids come from the file's
///   content, keyed with the adapter's own secret (`state/id.key`), so a file read again after a restart is not
///   sent twice, and nobody without the key can tell from an id which outcomes file it came from.
public final class CourtsAdapter: Sendable {
    public static let agency = "courts"
    public static let consumes = ["prosecution.file"]

    public let folder: DropFolder
    let logger: Logger
    /// The adapter's message id key, `state/id.key` (``MessageIDKey``). An outcomes file names defendants, and a
    /// plain SHA-256 of it in the hub's audit log (never erased) would confirm a file held or guessed.
    let ids: MessageIDKey
    /// How the bundle's PDFs are made: Chromium (from `--chromium` or PATH), or why they cannot be.
    public let pdf: PDFPrinting
    /// Where bundles are written (with `fsync`), off Swift's cooperative pool and apart from the inbox's work
    /// (``BlockingWork`` says why).
    let deliveryWork = BlockingWork(label: "liaison.courts.deliveries")

    /// Opens the adapter on its folder, reading (or on the first start making) `state/id.key`.
    ///
    /// - Parameter chromium: the Chromium to print PDFs with (`--chromium`); nil looks for it on PATH. Without one
    ///   the bundles are complete but for their PDFs, and say why (`pdf-missing.txt`).
    /// - Throws: `MessageIDKeyError` when the key exists but cannot be used, or cannot be made: the adapter must
    ///   not start (with a new key every id would change, and outcomes taken up again would be sent twice);
    ///   `AdapterError` `folder-unusable` when `state/` cannot be made.
    public init(folder: DropFolder, logger: Logger, chromium: String? = nil) throws {
        self.folder = folder
        self.logger = logger
        // Made private (0700) before the key goes in it.
        let state = try DropFolder.createPrivateFolder("\(folder.root)/state")
        ids = try MessageIDKey(folder: state)
        pdf = ChromiumPDF.printing(option: chromium, workFolder: "\(state)/print")
        switch pdf {
        case .printer(let printer): logger.info("Bundles are printed to PDF", metadata: ["chromium": "\(printer.executable)"])
        case .unavailable(let reason): logger.warning("Bundles will have no PDF", metadata: ["reason": "\(reason)"])
        }
    }

    /// `state/cases/`, where each bundled case's defendant references are kept.
    var casesFolder: String { "\(folder.root)/state/cases" }

    /// The case as its last bundle gave it, or nil for a case whose bundle this adapter has not written.
    func bundledCase(_ reference: String) -> BundledCase? {
        guard CourtBundle.isCaseReference(reference),
              let data = FileManager.default.contents(atPath: "\(casesFolder)/\(BundledCase.fileName(reference))")
        else { return nil }
        return try? JSONDecoder().decode(BundledCase.self, from: data)
    }

    /// `court.outcome-`, the keyed digest of the file's SHA-256 (32 hex digits), `-N` (N numbers the file's
    /// messages from 1): the same file gives the same ids after a restart. Never UPN-shaped (one run of 32).
    func messageID(digest: String, index: Int) -> String {
        ids.id("court.outcome-", digest) + "-\(index)"
    }

    // MARK: Prosecution files in

    public func handle(_ delivery: Delivery) async -> DeliveryOutcome {
        guard delivery.envelope.type.rawValue == "prosecution.file" else {
            return .reject("The Courts' adapter takes only prosecution.file, not \(delivery.envelope.type).")
        }
        // Integers are held to their schema's ranges before any is read: a hub without schemas passes 1e300 on.
        guard let value = try? JSONValue.parse(delivery.body) else { return .reject("The prosecution file is not JSON.") }
        if let problem = IntegerFields.problem(in: value, type: "prosecution.file") {
            return .reject("The prosecution file cannot be used: \(problem)")
        }
        let bundle: CourtBundle
        do {
            bundle = try await CourtBundle(
                body: delivery.body, messageID: delivery.envelope.id, source: delivery.envelope.source.rawValue,
                auditEntry: delivery.auditEntry, pdf: pdf)
        } catch {
            return .reject("The prosecution file could not be read: \(error)")
        }
        do {
            try await deliveryWork.run { [self] () throws -> Void in try write(bundle) }
            logger.info("Wrote a court bundle", metadata: ["case": "\(bundle.caseReference)"])
            return .done
        } catch {
            return .retry("The court's outbox could not be written: \(error)")
        }
    }

    /// Writes a bundle's documents into the outbox (blocking: run on ``deliveryWork``).
    func write(_ bundle: CourtBundle) throws {
        // The manifest last: a bundle with a manifest is complete. A bundle written again (a corrected file,
        // or Chromium installed since) loses the PDFs or the note on their absence that it no longer has.
        let names = Set(bundle.documents.map(\.name))
        // A corrected file of another offence (s.443 against s.444) also loses the register's documents.
        for stale in CourtBundle.printable.map({ "\($0).pdf" }) + [CourtBundle.pdfMissing] + CourtBundle.registerDocuments
        where !names.contains(stale) {
            try? FileManager.default.removeItem(atPath: "\(folder.outbox)/\(bundle.folderName)/\(stale)")
        }
        for document in bundle.documents {
            if document.name == "manifest.json" {
                // Before the manifest: an outcomes file for this case is checked against its defendants.
                try DropFolder.createPrivateFolder(casesFolder)
                try DropFolder.writeAtomically(
                    try JSONEncoder().encode(bundle.record), to: "\(casesFolder)/\(BundledCase.fileName(bundle.caseReference))")
            }
            try folder.writeOutbox(Data(document.bytes), name: document.name, subfolder: bundle.folderName)
        }
    }

    // MARK: Outcomes out

    /// One pass over the inbox (first any file a stopped run left in `processing/`).
    public func poll(client: AdapterClient) async {
        await folder.work { path in await process(path, client: client) }
    }

    func process(_ path: String, client: AdapterClient) async {
        let name = (path as NSString).lastPathComponent
        let folder = self.folder, logger = self.logger
        // Reading, parsing (each case checked against the bundle kept for it) and hashing block: on the folder's
        // inbox queue, never on the cooperative pool.
        let read: (outcomes: CourtOutcomes, digest: String)? = await folder.inboxWork.run { [self] in
            // Never through a link, never more than the folder's cap, never decompressed.
            let data: Data
            do { data = try folder.read(path) } catch {
                folder.fail(path, report: "\(name) was not read: \(error)\n", logger: logger)
                return nil
            }
            let outcomes: CourtOutcomes
            do { outcomes = try CourtOutcomes(bytes: Array(data), bundled: bundledCase) } catch {
                folder.fail(path, report: "\(name) was not read: \(error); save it as CSV (UTF-8) and drop it in again.\n", logger: logger)
                return nil
            }
            return (outcomes, SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
        }
        guard let (outcomes, digest) = read else { return }
        var reply: [(line: Int, status: String, detail: String)] = outcomes.problems.map { ($0.line, "not sent", $0.problem) }
        // A file read as Windows-1252 is said so first, for the clerk to check the names with accents.
        let note = Self.encodingNote(outcomes)
        if let note { reply.append((0, "note", note)) }
        var sent = 0
        for (index, message) in outcomes.messages.enumerated() {
            do {
                let receipt = try await client.send(type: "court.outcome", to: [], body: message.body, id: messageID(digest: digest, index: index + 1))
                let detail = "case \(message.caseReference), hearing \(message.hearingDate): hub sequence \(receipt.sequence)"
                    + (receipt.auditEntry.map { ", audit entry \($0)" } ?? "") + (receipt.duplicate ? " (already sent)" : "")
                reply += zip(message.lines, message.defendants).map { ($0, "sent", "\($1), \(detail)") }
                sent += 1
            } catch let error where error.code == .rejected {
                reply += message.lines.map { ($0, "not sent", "the hub refused case \(message.caseReference): \(error.message)") }
            } catch {
                logger.warning("Could not send outcomes; will try again", metadata: ["file": "\(name)", "error": "\(error.message)"])
                return  // left in processing/ for the next pass
            }
        }
        let csv = (["line,status,detail"] + reply.sorted { $0.line < $1.line }.map { "\($0.line),\(CSVRecordReader.escape($0.status)),\(CSVRecordReader.escape($0.detail))" })
            .joined(separator: "\n") + "\n"
        let refused = outcomes.messages.count - sent
        let report = "\(sent) outcome message(s) sent, \(refused) refused by the hub; \(outcomes.problems.count) row(s) not used: see outbox/replies/\(name).reply.csv\n"
            + (note.map { "Note: \($0).\n" } ?? "")
        do {
            try await folder.inboxWork.run { () throws -> Void in
                try folder.writeOutbox(Data(csv.utf8), name: "\(name).reply.csv", subfolder: "replies")
                try folder.complete(path, report: report)
            }
        } catch {
            logger.error("Could not write the reply", metadata: ["file": "\(name)", "error": "\(error)"])
        }
    }

    /// What the reply says of a file read as Windows-1252; nil for UTF-8.
    static func encodingNote(_ outcomes: CourtOutcomes) -> String? {
        guard outcomes.encoding == .windows1252 else { return nil }
        return "the file is not UTF-8: it was read as Windows-1252 (the first such text on line \(outcomes.windows1252Line ?? 1)); "
            + "check that names with accents came through as written, and save outcomes as CSV UTF-8"
    }
}

/// The Courts' adapter as the adapter kit runs it (`liaison adapter courts`).
extension CourtsAdapter: InboxAdapter {
    public var agency: String { Self.agency }
    public var consumes: [String] { Self.consumes }

    public func handle(_ delivery: Delivery, client: AdapterClient) async -> DeliveryOutcome {
        await handle(delivery)
    }
}
