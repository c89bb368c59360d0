import AttendanceDomain
import Foundation
import StrictJSON
import LegalProcess
import NPASDesk

/// A desk store in a temporary folder holding one case (the referral example's child, Kai, at school 9264001)
/// and the school's returns for autumn 2025 with the marks each test gives, and the repository's legal rules.
struct LegalRoutesFixture {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let upn = "Z926400123001"
    static let laestab = "9264001"

    let folder: String
    let store: DeskStore
    let routes: LegalRoutes
    let deskCase: DeskCase

    /// - Parameter unauthorised: days of autumn 2025 marked O both sessions; every other school day is present.
    init(unauthorised: Set<String> = Self.twelveSessionsInSeptember, halfTerms: [Int] = [1, 2], referral: String? = nil) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("desk-routes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        routes = LegalRoutes(rules: try LegalRules.load(directory: "\(Self.repository)/config/legal"), store: store)
        let body = try referral ?? String(contentsOfFile: "\(Self.repository)/schemas/examples/referral/valid-1.json", encoding: .utf8)
        try await store.storeReferral(messageID: "referral-1", source: "schools-mis", body: Array(body.utf8))
        for halfTerm in halfTerms {
            try await store.store(Self.return(academicYear: 2025, halfTerm: halfTerm, unauthorised: unauthorised), messageID: "return-\(halfTerm)")
        }
        deskCase = try store.cases().first!
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Six days of September 2025 with both sessions unauthorised (O): 12 sessions.
    static let twelveSessionsInSeptember: Set<String> = ["2025-09-15", "2025-09-16", "2025-09-22", "2025-09-23", "2025-09-29", "2025-09-30"]

    /// The school's return for a half term: every school day marked, present unless listed.
    static func `return`(academicYear: Int, halfTerm number: Int, unauthorised: Set<String>) throws -> ReturnRows {
        let calendar = SchoolCalendar(academicYear: academicYear)
        let halfTerm = calendar.halfTerm(number)!
        var marks: [String: JSONValue] = [:]
        var codes: [String: Int] = [:]
        for day in calendar.schoolDays(in: halfTerm) {
            let (am, pm) = unauthorised.contains(day.description) ? ("O", "O") : ("/", "\\")
            marks[day.description] = .object(["am": .string(am), "pm": .string(pm)])
            codes[am, default: 0] += 1
            codes[pm, default: 0] += 1
        }
        let body: JSONValue = .object([
            "school": .object(["laestab": .string(laestab), "name": .string("Example High School")]),
            "period": .object([
                "academic_year": .number(Double(academicYear)), "half_term": .number(Double(number)),
                "start_date": .string(halfTerm.start.description), "end_date": .string(halfTerm.end.description),
            ]),
            "pupils": .array([
                .object([
                    "upn": .string(upn), "sessions_possible": .number(Double(codes.values.reduce(0, +))),
                    "codes": .object(codes.mapValues { .number(Double($0)) }), "marks": .object(marks),
                ])
            ]),
        ])
        return ReturnRows(body)!
    }

    static func day(_ text: String) -> SchoolDate { SchoolDate(parsing: text)! }
}
