import CZeroMQ
import LiaisonConfig
import Foundation
import LiaisonProtocol
import ZeroMQ

/// A bare DEALER with an agency's CURVE keys, for tests that must send what no well-behaved adapter
/// would: wrong signatures, missing frames, bad JSON. Blocking, with a timeout on every receive.
package final class RawPeer {
    let context = ZeroMQContext()
    let socket: ZeroMQSocket

    package init(hub: TemporaryHub, agency: String, secretKeyPath: String? = nil) throws {
        let pair = try LiaisonConfigKeys.keyPair(secretKeyPath ?? "\(hub.keysDirectory)/\(agency).key")
        let serverKey = try LiaisonConfigKeys.publicKey("\(hub.keysDirectory)/hub.pub")
        socket = try ZeroMQSocket(context: context, type: .dealer)
        try socket.setOption(ZMQ_LINGER, 0)
        try socket.makeCurveClient(serverKey: serverKey, keyPair: pair)
        try socket.connect(hub.endpoint)
    }

    package func send(_ frames: [[UInt8]]) throws {
        try socket.send(frames)
    }

    package func send(_ command: AdapterCommand) throws {
        try socket.send(WireCodec.encode(command))
    }

    /// The next message other than a HEARTBEAT, or nil after `timeoutMilliseconds`.
    package func receive(timeoutMilliseconds: Int = 5000) throws -> HubCommand? {
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while Date() < deadline {
            var poller = Poller([.socket(socket)])
            let remaining = max(1, Int(deadline.timeIntervalSinceNow * 1000))
            guard try poller.poll(timeoutMilliseconds: remaining)[0].readable,
                let message = try socket.receive(dontWait: true)
            else { continue }
            let command = try WireCodec.decodeHubCommand(message.frames)
            if command != .heartbeat { return command }
        }
        return nil
    }

    /// The next message other than a HEARTBEAT, or nil after `timeout`, without blocking a thread of Swift's
    /// cooperative pool: it polls without waiting and sleeps between polls. Use it for long waits in async tests:
    /// a blocked pool thread (two on a 2-core machine) stalls every other test running beside it.
    package func next(timeout: Duration = .seconds(30)) async throws -> HubCommand? {
        let deadline = ContinuousClock.now + timeout
        var lastHeartbeat = ContinuousClock.now - .seconds(1)
        while ContinuousClock.now < deadline {
            // A peer that waits long still heartbeats, as docs/protocol.md §5.2 asks: the broker must not drop it.
            if ContinuousClock.now - lastHeartbeat >= .milliseconds(100) {
                try? socket.send(WireCodec.encode(AdapterCommand.heartbeat), dontWait: true)
                lastHeartbeat = ContinuousClock.now
            }
            if let message = try socket.receive(dontWait: true) {
                let command = try WireCodec.decodeHubCommand(message.frames)
                if command != .heartbeat { return command }
                continue
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// Says HELLO and returns the WELCOME.
    package func hello(credit: Int = 10) throws -> Welcome? {
        try send(.hello(Hello(adapter: "raw", version: "1", consumes: ["*"], credit: credit)))
        if case .welcome(let welcome)? = try receive() { return welcome }
        return nil
    }

    deinit {
        socket.close()
        context.terminate()
    }
}



enum LiaisonConfigKeys {
    static func keyPair(_ path: String) throws -> CurveKeyPair { try KeyFiles.readKeyPair(secretPath: path) }
    static func publicKey(_ path: String) throws -> [UInt8] { try KeyFiles.readPublicKey(path: path) }
}
