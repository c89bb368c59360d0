import Foundation
import ZeroMQ

/// How an adapter reaches the hub and what it tells it in HELLO.
public struct AdapterConfiguration: Sendable {
    public var endpoint: String
    /// Standby brokers' endpoints, tried after `endpoint` in turn: when the connection is lost (the hub silent for
    /// three heartbeats, or saying GOODBYE), the next connection goes to the next endpoint in the list, round and round,
    /// until one answers (docs/operations.md, "A standby broker"). Empty: `endpoint` only, as before.
    public var standbyEndpoints: [String] = []
    /// Every endpoint, in the order tried.
    public var endpoints: [String] { [endpoint] + standbyEndpoints }
    /// The hub's CURVE public key (32 bytes).
    public var hubPublicKey: [UInt8]
    public var publicKey: [UInt8]
    public var secretKey: [UInt8]
    /// The adapter's name, e.g. `schools-mis` (for the hub's logs and audit).
    public var adapterName: String
    public var adapterVersion: String
    /// Message types this adapter consumes; `["*"]` for all.
    public var consumes: [String]
    /// The most unacknowledged deliveries this adapter holds at once.
    public var credit: Int
    /// How long `connect()` waits for WELCOME before saying the hub does not answer.
    public var helloTimeout: Duration = .seconds(5)
    /// How long a SEND may go unanswered before it is sent again (same id: the hub deduplicates).
    public var resendAfter: Duration = .seconds(10)
    /// The first and the largest pause between reconnection attempts (doubling in between).
    public var reconnectBackoff: (first: Duration, max: Duration) = (.milliseconds(100), .seconds(5))

    public init(
        endpoint: String, hubPublicKey: [UInt8], publicKey: [UInt8], secretKey: [UInt8], adapterName: String,
        adapterVersion: String = "0.1.0", consumes: [String] = ["*"], credit: Int = 64
    ) {
        self.endpoint = endpoint
        self.hubPublicKey = hubPublicKey
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.adapterName = adapterName
        self.adapterVersion = adapterVersion
        self.consumes = consumes
        self.credit = credit
    }

    /// Reads the keys from files: the hub's `hub.pub` and this agency's secret key `ID.key`.
    ///
    /// - Throws: `AdapterError` `badKeys` when a file is missing or not a Z85 key.
    public init(
        endpoint: String, hubPublicKeyFile: String, secretKeyFile: String, adapterName: String,
        adapterVersion: String = "0.1.0", consumes: [String] = ["*"], credit: Int = 64
    ) throws(AdapterError) {
        func text(_ path: String) throws(AdapterError) -> String {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AdapterError(.badKeys, "Cannot read the key file \(path): generate keys with `liaison keys generate`.")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let hubKey = Z85.decode(try text(hubPublicKeyFile)), hubKey.count == 32 else {
            throw AdapterError(.badKeys, "\(hubPublicKeyFile) is not a CURVE public key (40 characters of Z85).")
        }
        // A secret key others can read is no secret: refuse it, as the broker refuses its own (docs/audit.md).
        var status = stat()
        if stat(secretKeyFile, &status) == 0, status.st_mode & 0o077 != 0 {
            throw AdapterError(
                .badKeys,
                "\(secretKeyFile) can be read by others (mode \(String(status.st_mode & 0o777, radix: 8))): run `chmod 600 \(secretKeyFile)`.")
        }
        guard let pair = CurveKeyPair(secretKeyZ85: try text(secretKeyFile)) else {
            throw AdapterError(.badKeys, "\(secretKeyFile) is not a CURVE secret key (40 characters of Z85).")
        }
        self.init(
            endpoint: endpoint, hubPublicKey: hubKey, publicKey: pair.publicKey, secretKey: pair.secretKey,
            adapterName: adapterName, adapterVersion: adapterVersion, consumes: consumes, credit: credit)
    }
}
