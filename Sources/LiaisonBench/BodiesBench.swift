import AttendanceDomain
import Foundation
import JSONSchema
import LiaisonConfig
import LiaisonMessages
import LiaisonProtocol
import LiaisonRules
import NPASDesk
import SchoolsMISAdapter
import StrictJSON

/// `LiaisonBench bodies [schools] [pupils] [rounds]`: what the hub and the desk spend on each school's return and roll,
/// the two bodies that dominate `make bench-county`, in one process and on one core.
///
/// A synthetic county's first half term is read with the import's own reader and turned into the bodies the import
/// sends. Then, per body, as the broker does it: the JSON parse, the schema check of the parsed value, and the sharing
/// rules' decision (the county's agreements); as the desk does it: the parse, the integer ranges, and the rows it
/// stores. The baseline, from the same run: reading the same bytes and counting their quotes. Prints microseconds per
/// return and per roll and each step's ratio to the baseline. A benchmark, not a test: it asserts nothing.
enum BodiesBench {
    static func run(schools: Int, pupils: Int, rounds: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-bodies-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let county = try CountySynthesizer(.init(schools: schools, pupils: pupils, seed: 2025, formats: [.ctf])).write(to: folder)
        let reader = MISReader(directory: SchoolDirectory(county.schools))
        var returns: [[UInt8]] = [], rolls: [[UInt8]] = []
        for file in county.ctfFiles {
            let result = reader.read(path: folder.appendingPathComponent(file).path)
            guard let school = result.school, let period = result.period, let halfTerm = period.halfTerm else { continue }
            let body = SchoolsMISAdapter.attendanceReturn(result, school: school, academicYear: period.academicYear, halfTerm: halfTerm, period: period)
            let sent = Set(body.pupils.map(\.upn))
            let roll = PupilRollBuilder.roll(result.pupils.filter { sent.contains($0.upn) }, school: body.school, asOf: body.period.endDate)
            returns.append(try MessageCoding.encode(body))
            rolls.append(try MessageCoding.encode(roll))
        }
        let root = FileManager.default.currentDirectoryPath
        let schemas = try MessageSchemas.load(directory: "\(root)/schemas")
        let today = SchoolDate.today().description
        let rules = RuleSetLoader.load(directory: "\(root)/config/agreements", agencies: nil, schemas: schemas, today: today)
        let policy = SharingPolicy(ruleSet: rules.ruleSet, pseudonymKey: [UInt8](repeating: 7, count: 32))
        let megabytes = Double((returns + rolls).reduce(0) { $0 + $1.count }) / 1e6
        report("Liaison bodies benchmark: \(returns.count) returns and \(rolls.count) rolls (\(String(format: "%.1f", megabytes)) MB), \(rounds) rounds, one core")

        for (name, bodies, type) in [("return", returns, AttendanceReturn.type), ("roll", rolls, PupilRoll.type)] {
            guard let messageType = MessageType(type), let source = AgencyID("schools-mis") else { continue }
            let parsed = try bodies.map { try JSONValue.parse($0) }
            let envelope = Envelope(id: "bench-1", source: source, type: messageType, recipients: [])
            func time(_ body: ([UInt8], JSONValue) throws -> Int) rethrows -> Double {
                var sink = 0
                let start = DispatchTime.now()
                for _ in 0..<rounds {
                    for (bytes, value) in zip(bodies, parsed) { sink &+= try body(bytes, value) }
                }
                precondition(sink != 42)
                return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e3 / Double(rounds * bodies.count)
            }
            let baseline = time { bytes, _ in bytes.reduce(0) { $0 &+ ($1 == UInt8(ascii: "\"") ? 1 : 0) } }
            let parse = try time { bytes, _ in if case .object(let members) = try JSONValue.parse(bytes) { members.count } else { 0 } }
            let validator = schemas.schema(for: messageType)!.validator
            let validate = time { _, value in validator.validate(value).count + 1 }
            let admit = time { _, value in
                policy.admit(envelope, body: value, receivedAt: 0, date: today, cohorts: [:]).recipients.count + 1
            }
            let integers = time { _, value in IntegerFields.problem(in: value, type: type) == nil ? 1 : 0 }
            let rows = time { _, value in
                type == AttendanceReturn.type ? (ReturnRows(value)?.pupils.count ?? 0) : (RollRows(value)?.pupils.count ?? 0)
            }
            func line(_ step: String, _ micros: Double) -> String {
                "  \(name) \(step.padding(toLength: 32, withPad: " ", startingAt: 0))" + String(format: "%9.0f us  (%5.1fx the baseline)", micros, micros / baseline)
            }
            report("  \(name) \("baseline: count the quotes".padding(toLength: 32, withPad: " ", startingAt: 0))" + String(format: "%9.0f us", baseline))
            report(line("hub: parse", parse))
            report(line("hub: schema check (parsed)", validate))
            report(line("hub: sharing rules (parsed)", admit))
            report(line("desk: integer ranges (parsed)", integers))
            report(line("desk: rows to store (parsed)", rows))
        }
    }
}
