import AttendanceDomain
import Crypto
import Foundation
import JSONSchema
import LiaisonAdapterKit
import Logging

/// The adapter of a partner agency that works from a list of children: Social Services (children in care),
/// the Youth Offending Team (its caseload) and Connexions (young people who opted out).
///
/// - A list dropped in `inbox/` (CSV with a `upn` column; `forename`, `surname`, `date_of_birth` optional)
///   replaces the agency's cohort at the hub (`cohort.update`): the sharing rules then release to the agency
///   only its own children (or, for opt-outs, never those). Rows whose UPN is missing or fails its check
///   letter are not sent: they are listed in `outbox/replies/FILE.reply.csv` for the agency to correct.
/// - What the agency receives is written to `outbox/TYPE/` as one JSON file per message and one CSV line per
///   message in `outbox/TYPE.csv` (the columns are the body's top-level fields, flattened).
public final class PartnerAdapter: Sendable {
    /// What one agency's adapter does.
    public struct Profile: Sendable {
        public var agency: String
        public var cohort: String
        public var consumes: [String]
    }

    public static let profiles: [String: Profile] = [
        "social-services": Profile(agency: "social-services", cohort: "children-in-care", consumes: ["care.attendance-alert"]),
        "yot": Profile(agency: "yot", cohort: "yot-caseload", consumes: ["yot.attendance-summary"]),
        "connexions": Profile(agency: "connexions", cohort: "connexions-opt-outs", consumes: ["connexions.notification"]),
    ]

    public let profile: Profile
    public let folder: DropFolder
    let logger: Logger

    public init(profile: Profile, folder: DropFolder, logger: Logger) {
        self.profile = profile
        self.folder = folder
        self.logger = logger
    }

    // MARK: Lists out

    public func poll(client: AdapterClient) async {
        await folder.work { path in await process(path, client: client) }
    }

    /// The cohort's members from a list, and the rows that could not be used.
    public static func members(csv text: String) throws -> (members: [[String: String]], problems: [(line: Int, problem: String)]) {
        var reader = CSVRecordReader(text: text)  // skips a spreadsheet's byte-order mark
        guard let header = try reader.next()?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }), header.contains("upn") else {
            throw PartnerListError("A list needs a header row with a upn column (and optionally forename, surname, date_of_birth).")
        }
        var members: [[String: String]] = []
        var problems: [(Int, String)] = []
        var seen: Set<String> = []
        while let record = try reader.next() {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.fields.count == header.count else {
                problems.append((record.line, "has \(record.fields.count) fields; the header has \(header.count)"))
                continue
            }
            var row: [String: String] = [:]
            for (name, value) in zip(header, record.fields) where ["upn", "forename", "surname", "date_of_birth"].contains(name) {
                let value = value.trimmingCharacters(in: .whitespaces)
                if !value.isEmpty { row[name] = value }
            }
            let upn = row["upn"]?.uppercased() ?? ""
            switch UPN.check(upn) {
            case .invalid(let reason):
                problems.append((record.line, upn.isEmpty ? "no UPN: ask the school or the desk for it" : "UPN \(upn): \(reason)"))
                continue
            case .valid:
                guard seen.insert(upn).inserted else {
                    problems.append((record.line, "UPN \(upn) is already listed"))
                    continue
                }
                row["upn"] = upn
                if let date = row["date_of_birth"], SchoolDate(parsing: date) == nil { row["date_of_birth"] = nil }
                members.append(row)
            }
        }
        return (members, problems)
    }

    /// Moves an unusable file to `failed/` with its report; a file that cannot even be moved is logged.
    func refuse(_ path: String, report: String) {
        do { try folder.fail(path, report: report) } catch {
            logger.error("Could not move a file to failed/", metadata: ["file": "\((path as NSString).lastPathComponent)", "error": "\(error)"])
        }
    }

    func process(_ path: String, client: AdapterClient) async {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            refuse(path, report: "\(name) could not be read as UTF-8 text.\n")
            return
        }
        let list: (members: [[String: String]], problems: [(line: Int, problem: String)])
        do { list = try Self.members(csv: text) } catch {
            refuse(path, report: "\(name) was not read: \(error)\n")
            return
        }
        let body: [String: Any] = ["cohort": profile.cohort, "operation": "replace", "members": list.members]
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined().prefix(24)
        var reply = list.problems.map { "\($0.line),not sent,\(CSVRecordReader.escape($0.problem))" }
        do {
            let bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
            let receipt = try await client.send(type: "cohort.update", to: [], body: bytes, id: "cohort-\(profile.cohort)-\(digest)")
            reply.insert("0,sent,\(list.members.count) children as the \(profile.cohort) list: hub sequence \(receipt.sequence)", at: 0)
        } catch let error as AdapterError where error.code == .rejected {
            reply.insert("0,not sent,\(CSVRecordReader.escape("the hub refused the list: \(error.message)"))", at: 0)
        } catch {
            logger.warning("Could not send a list; will try again", metadata: ["file": "\(name)"])
            return
        }
        do {
            try folder.writeOutbox(Data(((["line,status,detail"] + reply).joined(separator: "\n") + "\n").utf8), name: "\(name).reply.csv", subfolder: "replies")
            try folder.complete(path, report: "\(list.members.count) children sent; \(list.problems.count) rows not used: see outbox/replies/\(name).reply.csv\n")
        } catch {
            logger.error("Could not finish a list", metadata: ["file": "\(name)", "error": "\(error)"])
        }
    }

    // MARK: Deliveries in

    public func handle(_ delivery: Delivery) -> DeliveryOutcome {
        let type = delivery.envelope.type.rawValue
        guard profile.consumes.contains(type) else { return .reject("\(profile.agency) does not take \(type).") }
        guard let value = try? JSONValue.parse(delivery.body), let members = value.objectValue else {
            return .reject("The body is not a JSON object.")
        }
        do {
            try folder.writeOutbox(Data(delivery.body), name: "\(delivery.envelope.id).json", subfolder: type)
            // One CSV per type; its columns are the body's flattened top-level fields, header first.
            let flat = Self.flatten(members)
            let columns = flat.keys.sorted()
            let csvPath = "\(folder.outbox)/\(type).csv"
            func line(_ header: [String]) -> String {
                header.map { $0 == "message_id" ? delivery.envelope.id : CSVRecordReader.escape(flat[$0] ?? "") }.joined(separator: ",") + "\n"
            }
            if let handle = FileHandle(forUpdatingAtPath: csvPath) {
                // Only the header is read back; the new line is appended and flushed to disk.
                defer { try? handle.close() }
                let start = try handle.read(upToCount: 1 << 16) ?? Data()
                let header = String(decoding: start.prefix { $0 != 0x0A }, as: UTF8.self).split(separator: ",").map(String.init)
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(line(header).utf8))
                try handle.synchronize()
            } else {
                let header = ["message_id"] + columns
                try DropFolder.writeAtomically(Data((header.joined(separator: ",") + "\n" + line(header)).utf8), to: csvPath)
            }
            return .done
        } catch {
            return .retry("The outbox could not be written: \(error)")
        }
    }

    /// `{"school": {"laestab": "9262001"}}` as `school.laestab = 9262001`; arrays as JSON text.
    static func flatten(_ members: [String: JSONValue], prefix: String = "") -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in members {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case .object(let inner): result.merge(flatten(inner, prefix: name)) { first, _ in first }
            case .string(let text): result[name] = text
            case .number(let number): result[name] = number.rounded() == number ? String(Int64(number)) : String(number)
            case .bool(let flag): result[name] = flag ? "true" : "false"
            case .null: result[name] = ""
            case .array: result[name] = String(decoding: value.encoded(), as: UTF8.self)
            }
        }
        return result
    }

}

/// A list that cannot be read.
public struct PartnerListError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
