/// Samples read from the Prometheus text exposition format (version 0.0.4): what the broker's `/metrics` serves and its
/// admin interface's `metrics` answer holds, so the operator's pages show the very numbers a Prometheus server scrapes.
///
/// Written by hand: swift-prometheus only writes the format, and no package mirrored here reads it. It reads what a
/// sample line can hold (`name{label="value",...} number [timestamp]`, with `\\`, `\"` and `\n` escaped in label
/// values) and skips comments (`# HELP`, `# TYPE`) and blank lines; a line it cannot read is skipped, not fatal, since
/// a page of figures should not fail over one metric.
struct PrometheusText: Sendable {
    struct Sample: Sendable, Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    private(set) var samples: [Sample] = []

    init(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let sample = Self.sample(Array(trimmed.utf8)) else { continue }
            samples.append(sample)
        }
    }

    /// The samples named `name`, in the order written.
    func named(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// The one sample named `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    /// Parses one sample line.
    static func sample(_ bytes: [UInt8]) -> Sample? {
        var index = 0
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte == 0x3A
        }
        while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
        guard index > 0 else { return nil }
        let name = String(decoding: bytes[..<index], as: UTF8.self)
        var labels: [String: String] = [:]
        if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
            index += 1
            while true {
                while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: ",") { index += 1 }
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                }
                let keyStart = index
                while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
                let key = String(decoding: bytes[keyStart..<index], as: UTF8.self)
                guard !key.isEmpty, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "\"") else { return nil }
                index += 2
                var value: [UInt8] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                        index += 1
                        value.append(bytes[index] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : bytes[index])
                    } else {
                        value.append(bytes[index])
                    }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                index += 1
                labels[key] = String(decoding: value, as: UTF8.self)
            }
        }
        let rest = String(decoding: bytes[index...], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: true)
        guard let first = rest.first else { return nil }
        let value: Double?
        switch first {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(first)
        }
        guard let value else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }
}
