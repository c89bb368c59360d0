import CZeroMQ
import Foundation
import ZeroMQ

/// The ceiling: a bare libzmq ROUTER relay with CURVE and no persistence, doing the same frame work per
/// message as the hub (SEND in, a reply to the sender, a delivery to the recipient, an ACK back).
enum RawRelay {
    /// Relays `count` messages of `bodySize` bytes with `window` in flight; returns messages per second.
    static func run(count: Int, bodySize: Int, window: Int) throws -> Double {
        let context = ZeroMQContext(ioThreads: 1)
        let server = CurveKeyPair.generate()
        let senderKeys = CurveKeyPair.generate()
        let receiverKeys = CurveKeyPair.generate()
        let endpoint = "ipc://\(FileManager.default.temporaryDirectory.path)/liaison-bench-relay-\(getpid()).ipc"
        let ready = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)

        let relay = Thread {
            do {
                let router = try ZeroMQSocket(context: context, type: .router)
                try router.setOption(ZMQ_ROUTER_MANDATORY, 1)
                try router.setOption(ZMQ_SNDHWM, 100_000)
                try router.setOption(ZMQ_RCVHWM, 100_000)
                try router.makeCurveServer(secretKey: server.secretKey)
                try router.bind(endpoint)
                ready.signal()
                var receiverID: [UInt8]?
                var acks = 0
                while acks < count {
                    guard let message = try router.receive() else { continue }
                    let peer = message.frames[0]
                    switch message.frames[2].first {
                    case 1:  // the receiver's hello
                        receiverID = peer
                    case 3:  // SEND [peer, signature, 3, id, body]: reply to the sender, deliver to the receiver
                        try router.send([peer, message.frames[1], [4], message.frames[3]])
                        if let receiverID {
                            try router.send([receiverID, message.frames[1], [6], message.frames[3], message.frames[4]])
                        }
                    default:  // ACK
                        acks += 1
                    }
                }
                router.close(lingerMilliseconds: 0)
            } catch {
                print("relay failed: \(error)")
            }
            done.signal()
        }
        relay.start()
        ready.wait()

        @Sendable func client(_ keys: CurveKeyPair) throws -> ZeroMQSocket {
            let socket = try ZeroMQSocket(context: context, type: .dealer)
            try socket.setOption(ZMQ_SNDHWM, 100_000)
            try socket.setOption(ZMQ_RCVHWM, 100_000)
            try socket.makeCurveClient(serverKey: server.publicKey, keyPair: keys)
            try socket.connect(endpoint)
            return socket
        }
        let receiverReady = DispatchSemaphore(value: 0)
        let receiverThread = Thread {
            do {
                let receiver = try client(receiverKeys)
                try receiver.send([Array("LHP01".utf8), [1]])
                receiverReady.signal()
                for _ in 0..<count {
                    guard let message = try receiver.receive() else { continue }
                    try receiver.send([message.frames[0], [7], message.frames[2]])
                }
                receiver.close(lingerMilliseconds: 1000)
            } catch {
                print("receiver failed: \(error)")
            }
        }
        receiverThread.start()
        receiverReady.wait()
        Thread.sleep(forTimeInterval: 0.2)

        let sender = try client(senderKeys)
        let body = [UInt8](repeating: 0x41, count: bodySize)
        let start = DispatchTime.now()
        var sent = 0
        var replies = 0
        while replies < count {
            while sent < count && sent - replies < window {
                try sender.send([Array("LHP01".utf8), [3], Array("id-\(sent)".utf8), body])
                sent += 1
            }
            if try sender.receive() != nil { replies += 1 }
        }
        done.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        sender.close()
        context.terminate()
        // libzmq leaves an ipc endpoint's socket file behind when the binding socket closes.
        unlink(String(endpoint.dropFirst("ipc://".count)))
        return Double(count) / seconds
    }
}
