import CZeroMQ
import Foundation
import LiaisonProtocol
import Logging
import ZeroMQ

/// The adapter's own thread: owns the DEALER socket and runs the poll loop for one `AdapterClient`.
///
/// Each cycle: write the HELLO, SENDs, ACKs and NACKs callers queued; read what the hub sent; keep
/// heartbeats; reconnect (new socket, new HELLO, re-send) when the hub is silent for 3 intervals, says
/// GOODBYE, or answers 403 (it restarted and lost the session).
final class AdapterLoop {
    let client: AdapterClient
    let context = ZeroMQContext(ioThreads: 1)
    var socket: ZeroMQSocket?
    var logger: Logger { client.logger }
    var configuration: AdapterConfiguration { client.configuration }

    var ready = false
    var heartbeat: Int64 = 1000
    var lastHeard: Int64 = 0
    var lastSent: Int64 = 0
    var backoff: Int64
    var reconnectAt: Int64? = nil
    var lastResendScan: Int64 = 0
    var generation = 0

    init(client: AdapterClient) {
        self.client = client
        self.backoff = client.configuration.reconnectBackoff.first.milliseconds
    }

    func run() {
        openSocket()
        while true {
            let closing = client.shared.withLock { $0.closing }
            if closing { break }
            let now = AdapterLoop.monotonic()
            if let at = reconnectAt, now >= at {
                reconnectAt = nil
                openSocket()
            }
            guard let socket else {
                waitForWake(milliseconds: Int(max(1, (reconnectAt ?? now + 10) - now)))
                continue
            }
            var poller = Poller([.socket(socket), .fileDescriptor(client.waker.readDescriptor)])
            let readiness: [Poller.Readiness]
            do { readiness = try poller.poll(timeoutMilliseconds: Int(max(10, heartbeat / 4))) } catch {
                logger.error("zmq_poll failed: \(error)")
                break
            }
            if readiness[1].readable { client.waker.drain() }
            if readiness[0].readable { readAll() }
            writeQueued()
            tick()
        }
        shutdown()
    }

    // MARK: Connection

    func openSocket() {
        socket?.close()
        generation += 1
        let generation = generation
        client.shared.withLock { state in
            state.generation = generation
            state.outbox.removeAll()  // settlements for the old connection are void: the hub requeues them
            // Everything unanswered goes again on the new connection, in the order it was first sent.
            for id in state.sends.keys { state.sends[id]!.sentAt = nil }
            state.unsent = .init(state.sends.sorted { $0.value.order < $1.value.order }.map(\.key))
        }
        ready = false
        do {
            let socket = try ZeroMQSocket(context: context, type: .dealer)
            try socket.setOption(ZMQ_LINGER, 0)
            try socket.setOption(ZMQ_SNDHWM, 100_000)
            try socket.setOption(ZMQ_RCVHWM, 100_000)
            try socket.setOption(ZMQ_RECONNECT_IVL, 100)
            try socket.setOption(ZMQ_RECONNECT_IVL_MAX, 5000)
            try socket.makeCurveClient(
                serverKey: configuration.hubPublicKey,
                keyPair: CurveKeyPair(publicKey: configuration.publicKey, secretKey: configuration.secretKey))
            try socket.connect(configuration.endpoint)
            self.socket = socket
        } catch {
            logger.error("Cannot connect to \(configuration.endpoint): \(error)")
            socket = nil
            scheduleReconnect()
            return
        }
        let now = AdapterLoop.monotonic()
        lastHeard = now
        let hello = Hello(
            adapter: configuration.adapterName, version: configuration.adapterVersion, consumes: configuration.consumes,
            credit: configuration.credit)
        write(.hello(hello))
    }

    /// Drops the connection and opens a new one after the current back-off (doubling, capped).
    func scheduleReconnect() {
        socket?.close()
        socket = nil
        ready = false
        reconnectAt = AdapterLoop.monotonic() + backoff
        backoff = min(backoff * 2, configuration.reconnectBackoff.max.milliseconds)
    }

    func waitForWake(milliseconds: Int) {
        var poller = Poller([.fileDescriptor(client.waker.readDescriptor)])
        if let readiness = try? poller.poll(timeoutMilliseconds: milliseconds), readiness[0].readable {
            client.waker.drain()
        }
    }

    // MARK: Writing

    @discardableResult
    func write(_ command: AdapterCommand) -> Bool {
        guard let socket else { return false }
        do {
            try socket.send(WireCodec.encode(command), dontWait: true)
            lastSent = AdapterLoop.monotonic()
            return true
        } catch {
            if !error.isAgain { logger.warning("Send to the hub failed: \(error)") }
            return false
        }
    }

    /// Writes queued settlements, then unsent SENDs (only once the session is open).
    func writeQueued() {
        guard ready else { return }
        let (settlements, sends) = client.shared.withLock { state -> ([AdapterCommand], [(String, [UInt8], [UInt8])]) in
            let settlements = Array(state.outbox)
            state.outbox.removeAll()
            var sends: [(String, [UInt8], [UInt8])] = []
            let now = AdapterLoop.monotonic()
            while let id = state.unsent.popFirst() {
                guard let pending = state.sends[id] else { continue }
                state.sends[id]!.sentAt = now
                sends.append((id, pending.envelope, pending.body))
            }
            return (settlements, sends)
        }
        for (position, command) in settlements.enumerated() where !write(command) {
            // A full pipe: keep this settlement and the rest for the next cycle, in order.
            client.shared.withLock { state in
                for later in settlements[position...].reversed() { state.outbox.prepend(later) }
            }
            break
        }
        for (id, envelope, body) in sends where !write(.send(envelope: envelope, body: body)) {
            client.shared.withLock { state in
                if state.sends[id] != nil {
                    state.sends[id]!.sentAt = nil
                    state.unsent.append(id)
                }
            }
        }
    }

    // MARK: Reading

    func readAll() {
        while let socket, let message = try? socket.receive(dontWait: true) {
            lastHeard = AdapterLoop.monotonic()
            let command: HubCommand
            do { command = try WireCodec.decodeHubCommand(message.frames) } catch {
                logger.warning("Unreadable message from the hub: \(error)")
                continue
            }
            handle(command)
        }
    }

    func handle(_ command: HubCommand) {
        switch command {
        case .welcome(let welcome):
            ready = true
            heartbeat = Int64(welcome.heartbeatMilliseconds)
            backoff = configuration.reconnectBackoff.first.milliseconds
            let waiters = client.shared.withLock { state in
                state.welcome = welcome
                defer { state.welcomeWaiters = [:] }
                return state.welcomeWaiters.values
            }
            for waiter in waiters { waiter.resume(returning: welcome) }
            logger.debug("Hub welcomed us", metadata: ["agency": "\(welcome.agency)"])
        case .accepted(let id, let receipt):
            let pending = client.shared.withLock { $0.sends.removeValue(forKey: id) }
            pending?.resume(with: .success(receipt))
        case .rejected(let reference, let code, let reason):
            if code == .notReady {
                logger.info("The hub has no session for us (restarted?): saying HELLO again")
                openSocket()
                return
            }
            if !ready && reference.isEmpty {
                // The hub refused our HELLO: saying it again would be refused again. Tell connect().
                let error = ProtocolError(code, reason)
                let waiters = client.shared.withLock { state in
                    state.closing = true
                    defer { state.welcomeWaiters = [:] }
                    return state.welcomeWaiters.values
                }
                for waiter in waiters {
                    waiter.resume(throwing: AdapterError(.rejected, "The hub refused this adapter's HELLO: \(error)", protocolError: error))
                }
                return
            }
            if code.isTransient {
                // Re-send after a pause: the hub kept nothing.
                client.shared.withLock { state in
                    if state.sends[reference] != nil { state.sends[reference]!.sentAt = AdapterLoop.monotonic() }
                }
                return
            }
            let error = ProtocolError(code, reason, reference: reference)
            // A rejected ACK or NACK names a delivery tag, not a message id: it must not fail a send.
            guard code != .unknownDelivery else {
                logger.warning("The hub rejected a settlement: \(error)")
                return
            }
            let pending = client.shared.withLock { $0.sends.removeValue(forKey: reference) }
            if let pending {
                pending.resume(with: .failure(AdapterError(.rejected, "The hub rejected the message: \(error)", protocolError: error)))
            } else {
                logger.warning("The hub rejected a command: \(error)")
            }
        case .deliver(let tag, let envelopeBytes, let body, let auditEntry):
            guard let envelope = try? Envelope.decode(envelopeBytes) else {
                write(.nack(tag: tag, disposition: .reject, reason: "unreadable envelope"))
                return
            }
            client.deliveryContinuation.yield(Delivery(
                tag: tag, envelope: envelope, body: body, auditEntry: auditEntry, generation: generation))
        case .heartbeat:
            break
        case .goodbye:
            logger.info("The hub said goodbye; reconnecting")
            scheduleReconnect()
        }
    }

    // MARK: Time

    func tick() {
        let now = AdapterLoop.monotonic()
        guard socket != nil else { return }
        if now - lastHeard >= 3 * heartbeat {
            logger.info("The hub has been silent for 3 heartbeats; reconnecting")
            scheduleReconnect()
            return
        }
        if ready && now - lastSent >= heartbeat { write(.heartbeat) }
        if !ready && now - lastSent >= heartbeat {
            // HELLO may have gone to a handshake that never completed; say it again.
            write(.hello(Hello(
                adapter: configuration.adapterName, version: configuration.adapterVersion,
                consumes: configuration.consumes, credit: configuration.credit)))
        }
        // Re-send what has waited too long for an answer (looked for at most every 100 ms: the scan is O(n)).
        guard now - lastResendScan >= 100 else { return }
        lastResendScan = now
        let resendAfter = configuration.resendAfter.milliseconds
        client.shared.withLock { state in
            for (id, pending) in state.sends {
                if let sentAt = pending.sentAt, now - sentAt >= resendAfter {
                    state.sends[id]!.sentAt = nil
                    state.unsent.append(id)
                }
            }
        }
    }

    func shutdown() {
        if ready {
            // Settlements the application made before closing go out first, so nothing it acknowledged
            // is delivered again.
            let settlements = client.shared.withLock { state in
                defer { state.outbox.removeAll() }
                return Array(state.outbox)
            }
            for command in settlements { write(command) }
            write(.goodbye)
        }
        socket?.close(lingerMilliseconds: 200)
        socket = nil
        let (sends, waiters) = client.shared.withLock { state in
            defer {
                state.sends = [:]
                state.welcomeWaiters = [:]
            }
            return (Array(state.sends.values), Array(state.welcomeWaiters.values))
        }
        for pending in sends { pending.resume(with: .failure(AdapterError(.closed, "The client closed before the hub answered."))) }
        for waiter in waiters { waiter.resume(throwing: AdapterError(.closed, "The client closed before the hub answered.")) }
        client.deliveryContinuation.finish()
        context.terminate()
    }

    static func monotonic() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
