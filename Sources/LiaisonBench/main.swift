import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport

// `make bench`: Liaison's throughput and latency, each against a baseline measured in the same run.
// Arguments: [messages] [latency-seconds]. Not a test: it prints figures and ratios, it asserts nothing.

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let messages = arguments.first ?? 100_000
let latencySeconds = arguments.dropFirst().first ?? 5
let bodySize = 1024
let window = 512

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

if ProcessInfo.processInfo.environment["BENCH_PROBE"] != nil {
    let probe = try await HubBench.start(window: 16)
    let task = probe.startReceiving()
    if let burst = Int(ProcessInfo.processInfo.environment["BENCH_BURST"] ?? "") {
        _ = try await sendMany(probe.sender, count: burst, type: "bench.message", to: ["receiver"], window: 512)
        while probe.receivedCount < burst { try await Task.sleep(for: .milliseconds(1)) }
    }
    var samples: [Double] = []
    for index in 0..<200 {
        let begin = DispatchTime.now().uptimeNanoseconds
        _ = try await probe.sender.send(type: "bench.message", to: ["receiver"], body: [1], id: "p-\(index)")
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
        if ProcessInfo.processInfo.environment["BENCH_PROBE"] == "sleep" { try await Task.sleep(for: .milliseconds(1)) }
    }
    samples.sort()
    report("sequential send->accepted p50 \(samples[100]) p99 \(samples[198])")
    task.cancel()
    await probe.stop()
    exit(0)
}
report("Liaison benchmark: \(messages) messages of \(bodySize) B, window \(window), \(ProcessInfo.processInfo.activeProcessorCount) cores")

// 1. Ceiling: a raw CURVE ROUTER relay, no persistence.
let rawRate = try RawRelay.run(count: messages, bodySize: bodySize, window: window)
report(String(format: "raw CURVE relay (ceiling):          %9.0f msg/s", rawRate))

// 2. The hub: CURVE, envelope checks, durable accept (WAL, synchronous=FULL), full audit, acks.
let hub = try await HubBench.start(window: window)
let receiving = hub.startReceiving()
let body = [UInt8](repeating: 0x41, count: bodySize)
let memoryBefore = residentMegabytes()
let start = DispatchTime.now()
var memoryMiddle = 0.0
try await withThrowingTaskGroup(of: Void.self) { group in
    for index in 0..<messages {
        if index >= window { try await group.next() }
        if index == messages / 2 { memoryMiddle = residentMegabytes() }
        group.addTask { _ = try await hub.sender.send(type: "bench.message", to: ["receiver"], body: body, id: "b-\(index)") }
    }
    try await group.waitForAll()
}
while hub.receivedCount < messages { try await Task.sleep(for: .milliseconds(1)) }
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
let hubRate = Double(messages) / seconds
let memoryAfter = residentMegabytes()
report(String(format: "hub, durable + audited + acked:     %9.0f msg/s   (%.2f of the raw relay)", hubRate, hubRate / rawRate))
report(String(format: "resident memory: %.0f MB before, %.0f MB half-way, %.0f MB after", memoryBefore, memoryMiddle, memoryAfter))

// 3. Latency at a steady 1,000 msg/s offered: send -> accepted, and send -> delivered at the recipient.
let sentAt = Locked<[String: UInt64]>([:])
let acceptedLatency = Locked<[Double]>([])
let total = latencySeconds * 1000
let origin = DispatchTime.now().uptimeNanoseconds
try await withThrowingTaskGroup(of: Void.self) { group in
    for index in 0..<total {
        let due = origin + UInt64(index) * 1_000_000
        let now = DispatchTime.now().uptimeNanoseconds
        if due > now { try await Task.sleep(for: .nanoseconds(Int(due - now))) }
        let id = "l-\(index)"
        group.addTask {
            let begin = DispatchTime.now().uptimeNanoseconds
            sentAt.withLock { $0[id] = begin }
            _ = try await hub.sender.send(type: "bench.message", to: ["receiver"], body: body, id: id)
            let end = DispatchTime.now().uptimeNanoseconds
            acceptedLatency.withLock { $0.append(Double(end - begin) / 1e6) }
        }
    }
    try await group.waitForAll()
}
while hub.receivedCount < messages + total { try await Task.sleep(for: .milliseconds(1)) }
let accepted = acceptedLatency.withLock { $0.sorted() }
let delivered = hub.received.withLock { received in
    sentAt.withLock { sent in sent.compactMap { id, begin in received[id].map { Double($0 - begin) / 1e6 } } }
}.sorted()
report(String(format: "latency at 1,000 msg/s, send->accepted:  p50 %.2f ms  p99 %.2f ms", percentile(accepted, 0.5), percentile(accepted, 0.99)))
report(String(format: "latency at 1,000 msg/s, send->delivered: p50 %.2f ms  p99 %.2f ms", percentile(delivered, 0.5), percentile(delivered, 0.99)))
receiving.cancel()
await hub.stop()

/// Prints a line at once (stdout to a pipe is block-buffered otherwise).
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
