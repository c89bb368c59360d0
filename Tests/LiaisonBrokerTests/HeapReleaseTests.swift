import Foundation
import Prometheus
import Synchronization
import Testing

@testable import LiaisonBroker

/// The broker's minute-by-minute return of the allocator's freed memory (`HeapRelease`).
@Suite("Freed memory given back to the system")
struct HeapReleaseTests {
    /// The count of `liaison_heap_release_duration_seconds` in `registry`'s text.
    static func releases(_ registry: PrometheusCollectorRegistry) -> Int? {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("liaison_heap_release_duration_seconds_count ") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
    }

    @Test func theAllocatorIsAskedAtMostOnceAMinute() {
        let registry = PrometheusCollectorRegistry()
        let release = HeapRelease(registry: registry)
        for now: Int64 in [5_000, 6_000, 64_000, 65_000, 124_999, 125_000] {
            release.releaseIfDue(now: now)
            release.waitForRelease()
        }
        // At 5 s (the first), at 65 s (a minute after it) and at 125 s; never in between.
        #expect(Self.releases(registry) == 3)
    }

    /// On glibc (Debian, as CI), memory freed in the middle of a thread's arena stays resident until it is given back.
    @Test func memoryFreedInAThreadsArenaLeavesTheResidentSet() throws {
        try #require(HeapRelease.isAvailable, "glibc's malloc_trim is not in this process")
        let blocks = 24_000, size = 2_048  // about 47 MB, freed in the middle of a thread's arena
        let thread = Thread {
            var kept: [UnsafeMutableRawPointer] = []
            var freed: [UnsafeMutableRawPointer] = []
            for index in 0..<blocks {
                let block = malloc(size)!
                memset(block, 1, size)  // touched, so resident
                if index % 64 == 63 { kept.append(block) } else { freed.append(block) }
            }
            freed.forEach { free($0) }
            HeapReleaseTests.fragments.withLock { $0 = kept.map { UInt(bitPattern: $0) } }
        }
        thread.start()
        while Self.fragments.withLock({ $0.isEmpty }) { Thread.sleep(forTimeInterval: 0.01) }
        defer { Self.fragments.withLock { $0.forEach { free(UnsafeMutableRawPointer(bitPattern: $0)) }; $0 = [] } }
        let before = try Self.anonymousKilobytes()
        #expect(HeapRelease.trim())
        let after = try Self.anonymousKilobytes()
        // Most of the 46 MB freed leaves the resident set (other tests running beside this one allocate too).
        #expect(before - after > 20_000, "RssAnon \(before) kB before, \(after) kB after")
    }

    static let fragments = Mutex<[UInt]>([])

    /// This process's anonymous resident memory (`RssAnon` in /proc/self/status), in kB.
    static func anonymousKilobytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") }
        return Int(line?.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
