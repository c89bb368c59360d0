import AttendanceDomain
import Foundation
import LiaisonTestSupport

/// Paths and helpers shared by the AttendanceDomain tests.
enum TestSupport {
    /// This test target's folder.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The repository root.
    static let root = folder.deletingLastPathComponent().deletingLastPathComponent()
    /// A fixture file's path.
    static func fixture(_ name: String) -> String { folder.appendingPathComponent("Fixtures/\(name)").path }
    /// The shipped code table CSV.
    static let codesCSV = root.appendingPathComponent("Sources/AttendanceDomain/Resources/attendance-codes.csv").path

    /// A directory with only the fixtures' school, 9262001.
    static let fixtureDirectory = SchoolDirectory([
        SchoolEntry(laestab: try! LAESTAB("9262001"), urn: "120001", name: "Fixture Primary School", phase: .primary)
    ])

    /// A fresh temporary folder; the caller removes it (`defer { try? FileManager.default.removeItem(at: folder) }`).
    static func temporaryFolder(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-domain-\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs /usr/bin/python3 with arguments (and optional stdin); returns stdout, failing on a non-zero status.
    /// The waiting is done on threads of their own (``ChildProcess``), not on the cooperative pool.
    static func python(_ arguments: [String], input: String? = nil) async throws -> String {
        let result = try await ChildProcess.run("/usr/bin/python3", arguments, input: Data((input ?? "").utf8))
        guard result.status == 0 else {
            throw PythonFailure(description: "python3 \(arguments.prefix(2)) exited \(result.status): \(result.errors)")
        }
        return result.output
    }

    struct PythonFailure: Error, CustomStringConvertible { var description: String }
}

extension MISReadResult {
    /// The problem codes found, as text.
    var codes: Set<String> { Set(problems.map(\.code.rawValue)) }
}
