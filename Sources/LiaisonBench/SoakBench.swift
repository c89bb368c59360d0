import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport

/// `LiaisonBench soak MINUTES [RATE]`: the hub held at a steady rate (by default half the maximum rate measured
/// first, in the same run) for MINUTES; each minute the process's resident memory and that minute's send-to-accepted
/// latency. It passes when memory after the first minute stays within 10% and no minute's p99 is more than twice
/// the median minute's (docs/reliability.md). The Python soak (scripts/soak.py) drives the hub from another process
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
        // A sampler: resident memory at the end of each minute.
        let memory = Task.detached { () -> [Double] in
            var samples: [Double] = []
            for minute in 1...minutes {
                let due = origin + UInt64(minute) * 60_000_000_000
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { try? await Task.sleep(for: .nanoseconds(Int(due - now))) }
                samples.append(residentMegabytes())
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
            report(String(format: "  minute %2d: %7d accepted, p50 %6.2f ms, p99 %6.2f ms, resident %6.1f MB",
                minute + 1, latencies.count, p50, p99, minute < samples.count ? samples[minute] : 0))
        }
        let settled = Array(samples.dropFirst())
        let spread = settled.isEmpty ? 0 : (settled.max()! - settled.min()!) / settled.min()!
        let median = p99s.sorted()[p99s.count / 2]
        let flat = spread <= 0.10
        let stable = p99s.allSatisfy { $0 <= 2 * median }
        let lost = failures.withLock { $0 }
        report(String(format: "soak: %d messages, %d not accepted, all delivered and acknowledged; memory after minute 1 within %.1f%% (%@); p99 per minute %@",
            total, lost, spread * 100, flat ? "flat" : "NOT flat", stable ? "stable" : "NOT stable"))
        let pass = flat && stable && lost == 0
        report(pass ? "PASS" : "FAIL")
        return pass
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
