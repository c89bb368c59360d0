import Foundation
import JSONSchema
import StrictJSON
import LiaisonProtocol
import Testing

@testable import LiaisonRules

/// Replays the fuzz targets' inputs through the readers they fuzz (Fuzz/, `make fuzz`): each target's seed
/// corpus (Fuzz/Corpus/TARGET/) and every input a fuzzer ever crashed on (Tests/Fixtures/fuzz-regressions/TARGET/).
/// Each input is fed exactly as the target feeds it and must be read without a trap, with the target's
/// round-trip properties holding; a crash here stops the test run, which is the failure. The CTF and CSV
/// readers' inputs are replayed in AttendanceDomainTests.
@Suite("Fuzz inputs replayed: wire codec, envelopes, JSON, schemas, agreements")
struct FuzzRegressionTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every file of the target's seed corpus and regression folder. The seeds must be there: without them
    /// this suite would pass on nothing.
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

    /// FuzzSupport.frames and .messages (Fuzz/Sources/FuzzSupport): a 2-byte big-endian length before each
    /// frame; messages separated by four 0xFF bytes.
    static func messages(_ bytes: [UInt8]) -> [[[UInt8]]] {
        func frames(_ bytes: ArraySlice<UInt8>) -> [[UInt8]] {
            var frames: [[UInt8]] = []
            var index = bytes.startIndex
            while index + 2 <= bytes.endIndex {
                let length = Int(bytes[index]) << 8 | Int(bytes[index + 1])
                index += 2
                let end = min(bytes.endIndex, index + length)
                frames.append(Array(bytes[index..<end]))
                index = end
            }
            return frames
        }
        var messages: [[[UInt8]]] = []
        var start = 0
        var index = 0
        while index + 4 <= bytes.count {
            if bytes[index..<index + 4].allSatisfy({ $0 == 0xFF }) {
                messages.append(frames(bytes[start..<index]))
                index += 4
                start = index
            } else {
                index += 1
            }
        }
        messages.append(frames(bytes[start...]))
        return messages
    }

    @Test func wireCodec() throws {
        let limits = PeerSession.Limits(hubName: "fuzz-hub", heartbeatMilliseconds: 5_000, maxBodyBytes: 1 << 20, maxEnvelopeBytes: 8_192, maxCredit: 1_000)
        var decoded = 0
        for input in try Self.inputs("FuzzWireCodec") {
            var session = PeerSession(agency: AgencyID("fuzz-agency")!, limits: limits, now: 0)
            var now: Int64 = 0
            for frames in Self.messages(input.bytes) {
                now += 1_000
                let result: Result<AdapterCommand, ProtocolError>
                do {
                    let command = try WireCodec.decodeAdapterCommand(frames[...])
                    decoded += 1
                    let again = try WireCodec.decodeAdapterCommand(WireCodec.encode(command)[...])
                    if case .nack = command {} else { #expect(again == command, "\(input.name): changed in a round trip") }
                    result = .success(command)
                } catch {
                    result = .failure(error)
                }
                if case .reply(let reply) = session.receive(result, now: now) { _ = WireCodec.encode(reply) }
                _ = session.tick(now: now)
                _ = try? WireCodec.decodeHubCommand(frames)
            }
        }
        #expect(decoded > 0, "no seed decodes: the seeds no longer follow the frame layout")
    }

    @Test func envelopes() throws {
        var accepted = 0
        for input in try Self.inputs("FuzzEnvelope") {
            _ = Envelope.readID(input.bytes)
            guard let envelope = try? Envelope.decode(input.bytes) else { continue }
            accepted += 1
            #expect(try Envelope.decode(envelope.encoded()) == envelope, "\(input.name): changed in a round trip")
        }
        #expect(accepted > 0)
    }

    @Test func json() throws {
        var parsed = 0
        for input in try Self.inputs("FuzzJSON") {
            guard let value = try? JSONValue.parse(input.bytes) else { continue }
            parsed += 1
            #expect(try JSONValue.parse(value.encoded()) == value, "\(input.name): changed in a round trip")
        }
        #expect(parsed > 0)
    }

    @Test func schemaValidator() throws {
        let schemas = try MessageSchemas.load(directory: Self.repository.appendingPathComponent("schemas").path)
        let types = schemas.types
        var valid = 0
        for input in try Self.inputs("FuzzSchemaValidator") {
            guard let selector = input.bytes.first else { continue }
            if (try? schemas.check(body: Array(input.bytes.dropFirst()), type: types[Int(selector) % types.count], reference: "fuzz")) != nil {
                valid += 1
            }
        }
        #expect(valid > 0, "no seed is valid: the selector byte no longer matches the schemas' order")
    }

    @Test func agreements() throws {
        let schemas = try MessageSchemas.load(directory: Self.repository.appendingPathComponent("schemas").path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-fuzz-agreements-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var loaded = 0
        for input in try Self.inputs("FuzzAgreements") {
            try Data(input.bytes).write(to: URL(fileURLWithPath: "\(folder)/agreement.yaml"))
            let result = RuleSetLoader.load(directory: folder, agencies: nil, schemas: schemas, today: "2026-01-15")
            if result.problems.isEmpty { loaded += 1 }
        }
        #expect(loaded > 0, "none of the project's own agreements loads on its own")
    }
}
