import AttendanceDomain
import Foundation
import Testing

/// Replays the CTF and CSV fuzz targets' inputs (Fuzz/Corpus/TARGET/ and every input a fuzzer crashed on, in
/// Tests/Fixtures/fuzz-regressions/TARGET/) through the readers, as the targets feed them: the CTF from memory,
/// the CSV through a file. Each must be read to a result, never a trap (a crash stops the test run).
@Suite("Fuzz inputs replayed: CTF and CSV registers")
struct FuzzRegressionTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        var inputs: [(String, [UInt8])] = []
        for folder in ["Fuzz/Corpus/\(target)", "Tests/Fixtures/fuzz-regressions/\(target)"] {
            let path = repository.appendingPathComponent(folder).path
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() where !name.hasPrefix(".") {
                let data = try #require(FileManager.default.contents(atPath: "\(path)/\(name)"), "\(folder)/\(name) is unreadable")
                inputs.append(("\(folder)/\(name)", Array(data)))
            }
        }
        try #require(inputs.count >= 3, "no seed corpus for \(target): run python3 Fuzz/make_corpus.py")
        return inputs
    }

    @Test func commonTransferFiles() throws {
        var withPupils = 0
        for input in try Self.inputs("FuzzCTF") {
            let result = MISReader().readCTF(bytes: input.bytes, name: "fuzz.xml")
            if !result.pupils.isEmpty { withPupils += 1 }
        }
        #expect(withPupils > 0, "no seed CTF yields a pupil: the replay reads nothing")
    }

    @Test func csvRegisters() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-fuzz-\(UUID().uuidString.prefix(8)).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var withPupils = 0
        for input in try Self.inputs("FuzzCSV") {
            try Data(input.bytes).write(to: URL(fileURLWithPath: path))
            if !MISReader().readCSV(path: path).pupils.isEmpty { withPupils += 1 }
        }
        #expect(withPupils > 0, "no seed register yields a pupil: the replay reads nothing")
    }
}
