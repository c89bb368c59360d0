import CLibFuzzer
import Foundation

/// What every fuzz target needs besides the reader it exercises: where the repository is (for the schemas
/// and agreements), a scratch folder for readers that only take a path, and the input as bytes.
public enum FuzzSupport {
    /// The repository root: `LIAISON_ROOT` if set, else found from this file's place in Fuzz/Sources.
    public static let repositoryRoot: String = {
        if let root = ProcessInfo.processInfo.environment["LIAISON_ROOT"], !root.isEmpty { return root }
        // #filePath is <root>/Fuzz/Sources/FuzzSupport/FuzzSupport.swift.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A folder of this process's own, for readers that read files (the CSV reader, the agreements loader):
    /// they are fuzzed through the same path production uses, not a memory shortcut.
    /// Removed when libFuzzer ends normally (a crash leaves it, with the input that crashed in it).
    public static let scratchFolder: String = {
        let path = scratchPath()
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzSupport.scratchPath()) }
        return path
    }()

    static func scratchPath() -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return "\(base)/liaison-fuzz-\(getpid())"
    }

    /// Runs libFuzzer on `callback`: the body of each target's entry point.
    ///
    /// SwiftPM links an executable with `main` defined as `<Module>_main` (so tests can import executables),
    /// which hides libFuzzer's own `main`; each target therefore defines `<Module>_main` and calls this.
    public static func runDriver(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        var argc = argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&argc, &argv, callback)
    }

    /// Copies libFuzzer's input into an array.
    public static func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// Writes `bytes` to `path`, replacing it; a failure to write is a fault of the machine, not of the input.
    /// (Plain open/write, not Foundation's atomic write, whose temporary file and rename cost more than the
    /// reading being fuzzed.)
    public static func write(_ bytes: [UInt8], to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { fatalError("Cannot write the fuzz input to \(path): check TMPDIR has space.") }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { buffer in buffer.isEmpty ? 0 : Foundation.write(descriptor, buffer.baseAddress, buffer.count) }
        guard written == bytes.count else { fatalError("Cannot write the fuzz input to \(path): check TMPDIR has space.") }
    }

    /// Splits an input into LHP/1 frames: each frame is a 2-byte big-endian length and that many bytes; a
    /// length running past the end takes what is left. This lets libFuzzer reach every frame count.
    public static func frames(_ bytes: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var index = 0
        while index + 2 <= bytes.count {
            let length = Int(bytes[index]) << 8 | Int(bytes[index + 1])
            index += 2
            let end = min(bytes.count, index + length)
            frames.append(Array(bytes[index..<end]))
            index = end
        }
        return frames
    }

    /// Splits an input into messages at each `0xFF 0xFF 0xFF 0xFF` separator (a length no frame can have
    /// in practice), then each message into frames.
    public static func messages(_ bytes: [UInt8]) -> [[[UInt8]]] {
        var messages: [[[UInt8]]] = []
        var start = 0
        var index = 0
        while index + 4 <= bytes.count {
            if bytes[index] == 0xFF, bytes[index + 1] == 0xFF, bytes[index + 2] == 0xFF, bytes[index + 3] == 0xFF {
                messages.append(frames(Array(bytes[start..<index])))
                index += 4
                start = index
            } else {
                index += 1
            }
        }
        messages.append(frames(Array(bytes[start...])))
        return messages
    }
}
