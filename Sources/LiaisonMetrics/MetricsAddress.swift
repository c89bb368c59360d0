/// Where `/metrics` is served: a loopback host and a TCP port (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`).
///
/// Only loopback addresses are allowed: the numbers name agencies and show the hub's traffic, so they are for a
/// Prometheus (or an SSH tunnel) on the same machine, never for the network. Port 0 takes a free port (tests).
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// A loopback address, or `MetricsAddressError` saying what to write instead.
    public init(host: String, port: Int) throws(MetricsAddressError) {
        guard (0...65_535).contains(port) else {
            throw MetricsAddressError("Port \(port) is out of range: give a port from 1 to 65535, e.g. 127.0.0.1:9464.")
        }
        guard MetricsAddress.isLoopback(host) else {
            throw MetricsAddressError(
                "'\(host)' is not a loopback address: metrics are served only on 127.0.0.1, ::1 or localhost "
                    + "(scrape them from the same machine, or through an SSH tunnel).")
        }
        self.host = host
        self.port = port
    }

    /// Reads `HOST:PORT` (`[::1]:PORT` for IPv6).
    public init(parsing text: String) throws(MetricsAddressError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw MetricsAddressError("'\(text)' is not HOST:PORT: write an IPv6 address as [::1]:9464.")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw MetricsAddressError("'\(text)' is not HOST:PORT: write e.g. 127.0.0.1:9464.")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText) else {
            throw MetricsAddressError("'\(text)' has no port number: write e.g. 127.0.0.1:9464.")
        }
        try self.init(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// 127.0.0.0/8, ::1 (in either spelling) and localhost.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part)! <= 255
        }
    }
}

/// A metrics address that cannot be used; the message says what to write instead.
public struct MetricsAddressError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
