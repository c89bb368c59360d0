import Dispatch
import Foundation
import Prometheus
import Synchronization

/// Gives the memory the allocator keeps after a burst back to the system, once a minute, on a queue of its own.
///
/// glibc keeps freed memory in its arenas for the next allocation. After a stall (a slow disk holds the commits while
/// senders go on sending) the broker holds many messages at once, frees them when the commit lands, and its resident
/// memory stays at the burst's size although its heap in use is back to a few megabytes: the one-hour soak of
/// 2026-12-04 grew from 57 to 87 MB that way in steps, one per stall (docs/reliability.md). `malloc_trim(0)` returns
/// the free pages of every arena to the system (`madvise`), so the resident figure follows what the broker holds.
///
/// Written by hand because no package offers it: `malloc_trim` is found with `dlsym`, because Swift's Glibc module
/// does not import <malloc.h>. Where it is missing (another C library, another allocator) this does nothing.
final class HeapRelease: Sendable {
    /// How often the allocator is asked, at most.
    static let intervalMilliseconds: Int64 = 60_000

    private let lastAt = Atomic<Int64>(0)
    private let running = Atomic<Bool>(false)
    private let queue = DispatchQueue(label: "liaison.broker.heap-release", qos: .utility)
    /// How long each release took, and whether it gave memory back (`liaison_heap_release_duration_seconds`).
    private let duration: DurationHistogram?
    private let released: Counter?

    init(registry: PrometheusCollectorRegistry?) {
        duration = registry?.makeDurationHistogram(
            descriptor: .init(
                metricName: "liaison_heap_release_duration", unitName: "seconds",
                helpText: "How long each minute's return of the allocator's freed memory to the system took (malloc_trim)."),
            buckets: [.microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100)])
        released = registry?.makeCounter(descriptor: .init(
            metricName: "liaison_heap_releases", unitName: "total",
            helpText: "Returns of the allocator's freed memory to the system that gave some back."))
    }

    /// Asks the allocator to give its free memory back if a minute has passed since it last did (`now`: milliseconds,
    /// any clock that only moves forward). Returns at once; the release runs on the queue, one at a time.
    func releaseIfDue(now: Int64) {
        let last = lastAt.load(ordering: .relaxed)
        guard now - last >= Self.intervalMilliseconds || last == 0 else { return }
        lastAt.store(now, ordering: .relaxed)
        guard !running.exchange(true, ordering: .acquiring) else { return }
        queue.async { [self] in
            let started = ContinuousClock.now
            let gaveBack = Self.trim()
            duration?.record(ContinuousClock.now - started)
            if gaveBack { released?.increment() }
            running.store(false, ordering: .releasing)
        }
    }

    /// Waits for a release in progress (tests).
    func waitForRelease() {
        queue.sync {}
    }

    /// Whether this process's allocator can be asked at all (glibc's `malloc_trim` is there).
    static var isAvailable: Bool { trimFunction != nil }

    /// Runs `malloc_trim(0)` now, on the calling thread: true if memory was given back to the system.
    @discardableResult
    static func trim() -> Bool {
        guard let trimFunction else { return false }
        return trimFunction(0) != 0
    }

    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let trimFunction: MallocTrim? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: MallocTrim.self)
    }()
}
