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

    /// A fresh temporary folder.
    static func temporaryFolder(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-domain-\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs /usr/bin/python3 with arguments (and optional stdin); returns stdout, failing on a non-zero status.
    static func python(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let processExitStatus = process.waitForExit()
        guard processExitStatus == 0 else {
            throw PythonFailure(description: "python3 \(arguments.prefix(2)) exited \(processExitStatus): \(errorText)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct PythonFailure: Error, CustomStringConvertible { var description: String }
}

extension MISReadResult {
    /// The problem codes found, as text.
    var codes: Set<String> { Set(problems.map(\.code.rawValue)) }
}
