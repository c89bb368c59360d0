import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Prometheus

/// `LiaisonBench soak MINUTES [RATE]`: the hub held at a steady rate (by default half the maximum rate measured
/// first, in the same run) for MINUTES; each minute the process's resident memory and that minute's send-to-accepted
/// latency. It passes when, after the first minute (the warm-up), memory stays within 10% and no minute's p99 is more
/// than twice the median minute's (docs/reliability.md). The Python soak (scripts/soak.py) drives the hub from another process
/// but cannot offer more than a few hundred messages a second; this one can.
enum SoakBench {
    static func run(minutes: Int, rate requested: Int?) async throws -> Bool {
        let body = [UInt8](repeating: 0x41, count: 1024)
        // The maximum rate, measured as `make bench` does, on a hub of its own.
        let probe = try await HubBench.start(window: 512)
        let probing = probe.startReceiving()
        let count = 20_000
        let begin = DispatchTime.now()
        _ = try await Task.detached {
            try await sendMany(probe.sender, count: count, type: "bench.message", to: ["receiver"], window: 512, body: { _ in body }, idPrefix: "m")
        }.value
        while probe.receivedCount < count { try await Task.sleep(for: .milliseconds(5)) }
        let maximum = Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1e9)
        probing.cancel()
        await probe.stop()
        let rate = requested ?? max(1, Int(maximum / 2))
        report(String(format: "soak: maximum %.0f msg/s measured first; holding %d msg/s for %d minutes", maximum, rate, minutes))

        let hub = try await HubBench.start(window: 512)
        let receiving = hub.startReceiving()
        // Each minute's latencies as a histogram made up front (1% wide buckets from 1 us to about 10 s), not a list
        // of samples: a list grew the process by a megabyte a minute, and the memory figure measured the driver.
        let perMinute = Locked<[LatencyHistogram]>(Array(repeating: LatencyHistogram(), count: minutes + 1))
        let failures = Locked<Int>(0)
        let origin = DispatchTime.now().uptimeNanoseconds
        let total = rate * 60 * minutes
        let interval = 1_000_000_000 / UInt64(rate)
        // A sampler: at the end of each minute the process's memory (resident, of which anonymous, and the allocator's
        // own account: in use, and freed but kept, which tells a growing structure from memory the allocator holds
        // after a backlog) and the broker's metrics (commits over 100 ms, checkpoints by where they ran, the log).
        let registry = hub.broker.metricsRegistry
        let memory = Task.detached { () -> [MemorySample] in
            var samples: [MemorySample] = []
            var previous = HubReadings.read(registry)
            for minute in 1...minutes {
                let due = origin + UInt64(minute) * 60_000_000_000
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { try? await Task.sleep(for: .nanoseconds(Int(due - now))) }
                let current = HubReadings.read(registry)
                samples.append(MemorySample.now(metrics: current.since(previous)))
                previous = current
            }
            return samples
        }
        // One task per message, not kept (a task group would hold every finished child until the end, and the memory
        // figure would measure that).
        let done = Locked<Int>(0)
        try await Task.detached {
            for index in 0..<total {
                let due = origin + UInt64(index) * interval
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now + 1_000_000 { try await Task.sleep(for: .nanoseconds(Int(due - now))) }
                Task.detached {
                    let start = DispatchTime.now().uptimeNanoseconds
                    do {
                        _ = try await hub.sender.send(type: "bench.message", to: ["receiver"], body: body, id: "s-\(index)")
                        let end = DispatchTime.now().uptimeNanoseconds
                        let minute = Int((start - origin) / 60_000_000_000)
                        perMinute.withLock { $0[min(minute, minutes)].record(milliseconds: Double(end - start) / 1e6) }
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                    done.withLock { $0 += 1 }
                }
            }
        }.value
        while done.withLock({ $0 }) < total { try await Task.sleep(for: .milliseconds(20)) }
        let samples = await memory.value
        while hub.receivedCount < total - failures.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        receiving.cancel()
        await hub.stop()

        var p99s: [Double] = []
        for minute in 0..<minutes {
            let latencies = perMinute.withLock { $0[minute] }
            let p50 = latencies.percentile(0.5), p99 = latencies.percentile(0.99)
            p99s.append(p99)
            let sample = minute < samples.count ? samples[minute] : MemorySample()
            let m = sample.metrics
            report(String(format: "  minute %2d: %7d accepted, p50 %6.2f ms, p99 %7.2f ms, max %7.2f ms; resident %5.1f MB (anonymous %5.1f; heap in use %5.1f, free %5.1f); commits over 100 ms %d; checkpoints %d on the thread (%.0f ms in all), %d in a commit (%.0f ms); log %d pages; heap given back %d times (%.1f ms)",
                minute + 1, latencies.count, p50, p99, latencies.percentile(1), sample.resident, sample.anonymous,
                sample.heapInUse, sample.heapFree, m.slowCommits, m.threadCheckpoints, m.threadSeconds * 1000, m.commitCheckpoints,
                m.commitSeconds * 1000, m.logPages, m.heapReleases, m.heapReleaseSeconds * 1000))
        }
        let settled = samples.dropFirst().map(\.resident)
        let spread = settled.isEmpty ? 0 : (settled.max()! - settled.min()!) / settled.min()!
        // Both rules leave out the first minute, the warm-up: the store is created and grows its first pages, the
        // log its first cycle, the process its working size.
        let settledP99s = p99s.count > 1 ? Array(p99s.dropFirst()) : p99s
        let median = settledP99s.sorted()[settledP99s.count / 2]
        let flat = spread <= 0.10
        let stable = settledP99s.allSatisfy { $0 <= 2 * median }
        let lost = failures.withLock { $0 }
        report(String(format: "soak: %d messages, %d not accepted, all delivered and acknowledged; after minute 1, memory within %.1f%% (%@), p99 per minute %@",
            total, lost, spread * 100, flat ? "flat" : "NOT flat", stable ? "stable" : "NOT stable"))
        let pass = flat && stable && lost == 0
        report(pass ? "PASS" : "FAIL")
        return pass
    }
}

/// The process's memory at one moment, in MB, and what the broker's metrics counted in the minute before it.
struct MemorySample: Sendable {
    var resident = 0.0, anonymous = 0.0, heapInUse = 0.0, heapFree = 0.0
    var metrics = HubReadings()

    static func now(metrics: HubReadings) -> MemorySample {
        let heap = allocatorTotals()
        return MemorySample(
            resident: residentMegabytes(), anonymous: residentMegabytes(field: "RssAnon:"),
            heapInUse: Double(heap.system + heap.mapped - heap.free) / 1_048_576, heapFree: Double(heap.free) / 1_048_576,
            metrics: metrics)
    }

    /// glibc's own account of its heap, from `malloc_info` (whose XML ends with the totals over every arena): bytes
    /// taken from the system for arenas, bytes of those free, and bytes in chunks mapped on their own. Found with
    /// `dlsym` because Swift's Glibc module does not import <malloc.h>.
    static func allocatorTotals() -> (system: Int, free: Int, mapped: Int) {
        typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_info") else { return (0, 0, 0) }
        var buffer: UnsafeMutablePointer<CChar>?
        var length = 0
        guard let stream = open_memstream(&buffer, &length) else { return (0, 0, 0) }
        _ = unsafeBitCast(symbol, to: MallocInfo.self)(0, stream)
        fclose(stream)
        defer { free(buffer) }
        guard let buffer else { return (0, 0, 0) }
        // The totals are the lines after the last </heap>.
        let xml = String(cString: buffer)
        let tail = xml.range(of: "</heap>", options: .backwards).map { xml[$0.upperBound...] } ?? Substring(xml)
        func size(_ prefix: String) -> Int {
            guard let line = tail.split(separator: "\n").first(where: { $0.contains(prefix) }),
                let start = line.range(of: "size=\"")
            else { return 0 }
            return Int(line[start.upperBound...].prefix(while: \.isNumber)) ?? 0
        }
        return (size("<system type=\"current\""), size("<total type=\"fast\"") + size("<total type=\"rest\""),
            size("<total type=\"mmap\""))
    }
}

/// Every sample of the broker's metrics, by its name and labels, read from their text form as a scraper would.
func metricValues(_ registry: PrometheusCollectorRegistry) -> [Substring: Double] {
    var bytes: [UInt8] = []
    registry.emit(into: &bytes)
    var values: [Substring: Double] = [:]
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        values[line[..<space]] = value
    }
    return values
}

/// What the soak reads from the broker's metrics (their text form, as a scraper would).
struct HubReadings: Sendable {
    var slowCommits = 0, threadCheckpoints = 0, commitCheckpoints = 0, logPages = 0, heapReleases = 0
    var threadSeconds = 0.0, commitSeconds = 0.0, heapReleaseSeconds = 0.0

    static func read(_ registry: PrometheusCollectorRegistry) -> HubReadings {
        let values = metricValues(registry)
        let commits = values["liaison_commit_duration_seconds_count"] ?? 0
        let fast = values["liaison_commit_duration_seconds_bucket{le=\"0.1\"}"] ?? 0
        return HubReadings(
            slowCommits: Int(commits - fast),
            threadCheckpoints: Int(values["liaison_store_checkpoint_duration_seconds_count{where=\"thread\"}"] ?? 0),
            commitCheckpoints: Int(values["liaison_store_checkpoint_duration_seconds_count{where=\"commit\"}"] ?? 0),
            logPages: Int(values["liaison_store_log_pages"] ?? 0),
            heapReleases: Int(values["liaison_heap_release_duration_seconds_count"] ?? 0),
            threadSeconds: values["liaison_store_checkpoint_duration_seconds_sum{where=\"thread\"}"] ?? 0,
            commitSeconds: values["liaison_store_checkpoint_duration_seconds_sum{where=\"commit\"}"] ?? 0,
            heapReleaseSeconds: values["liaison_heap_release_duration_seconds_sum"] ?? 0)
    }

    /// The counts since `earlier` (the log's length stays as it is now).
    func since(_ earlier: HubReadings) -> HubReadings {
        HubReadings(
            slowCommits: slowCommits - earlier.slowCommits, threadCheckpoints: threadCheckpoints - earlier.threadCheckpoints,
            commitCheckpoints: commitCheckpoints - earlier.commitCheckpoints, logPages: logPages,
            heapReleases: heapReleases - earlier.heapReleases, threadSeconds: threadSeconds - earlier.threadSeconds,
            commitSeconds: commitSeconds - earlier.commitSeconds, heapReleaseSeconds: heapReleaseSeconds - earlier.heapReleaseSeconds)
    }
}

/// Latencies counted in buckets 1% wide on a log scale, from 1 us to about 10 s: a fixed size whatever the count, and
/// percentiles within 1%.
struct LatencyHistogram: Sendable {
    static let buckets = 1_620
    private var counts = [Int](repeating: 0, count: LatencyHistogram.buckets)
    private(set) var count = 0

    mutating func record(milliseconds: Double) {
        let micros = max(1, milliseconds * 1000)
        counts[min(Self.buckets - 1, Int(log(micros) * 100))] += 1
        count += 1
    }

    /// The upper edge of the bucket that holds the `p` quantile, in ms.
    func percentile(_ p: Double) -> Double {
        guard count > 0 else { return 0 }
        let wanted = min(count, Int(Double(count) * p) + 1)
        var seen = 0
        for (bucket, n) in counts.enumerated() {
            seen += n
            if seen >= wanted { return exp(Double(bucket + 1) / 100) / 1000 }
        }
        return exp(Double(Self.buckets) / 100) / 1000
    }
}
