import Dispatch
import Foundation
import GRDB
import Testing

@testable import NPASDesk

/// The desk works on several schools at once: the shares it works out for one school read the store while another
/// school's return is being written, instead of waiting for it.
@Suite("The desk's store: reads beside a write", .timeLimit(.minutes(1)))
struct DeskStoreConcurrencyTests {
    @Test func aReadCompletesWhileAWriteIsInProgress() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("desk-pool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        let writing = DispatchSemaphore(value: 0)
        let finishWriting = DispatchSemaphore(value: 0)
        let written = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? store.queue.write { _ in
                writing.signal()
                finishWriting.wait()
            }
            written.signal()
        }
        writing.wait()
        let read = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? store.referralCount()
            read.signal()
        }
        let readBesideTheWrite = read.wait(timeout: .now() + 5) == .success
        finishWriting.signal()
        written.wait()
        if !readBesideTheWrite { read.wait() }
        #expect(readBesideTheWrite, "the read waited for the write to finish")
    }
}
