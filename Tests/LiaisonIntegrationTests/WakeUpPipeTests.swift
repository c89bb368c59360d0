import Foundation
import Synchronization
import Testing
import ZeroMQ

/// The hand-off that wakes the broker's and adapters' poll threads must never lose a wake-up, however
/// wakes and drains interleave.
@Suite("Wake-up pipe", .timeLimit(.minutes(1)))
struct WakeUpPipeTests {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func noWakeIsLostUnderConcurrentProducers() async throws {
        let pipe = WakeUpPipe()
        let produced = Counter()
        let producers = 2
        let perProducer = 20_000
        let total = producers * perProducer
        for _ in 0..<producers {
            Thread {
                for _ in 0..<perProducer {
                    produced.value.add(1, ordering: .releasing)
                    pipe.wake()
                }
            }.start()
        }
        // The consumer: wait for a wake, drain, look at the work. A poll that times out while work is
        // still waiting means a wake-up was lost (the bug this guards against left the flag set for good).
        let lostWake = await Task.detached { () -> Bool in
            var seen = 0
            while seen < total {
                var poller = Poller([.fileDescriptor(pipe.readDescriptor)])
                let ready = (try? poller.poll(timeoutMilliseconds: 5000))?[0].readable ?? false
                let available = produced.value.load(ordering: .acquiring)
                if !ready && available > seen { return true }
                pipe.drain()
                seen = produced.value.load(ordering: .acquiring)
            }
            return false
        }.value
        #expect(!lostWake)
    }
}
