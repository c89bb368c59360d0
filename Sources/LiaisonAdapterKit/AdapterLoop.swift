import CZeroMQ
import Foundation
import LiaisonProtocol
import Logging
import ZeroMQ

/// The adapter's own thread: owns the DEALER socket and runs the poll loop for one `AdapterClient`.
///
/// The rules (HELLO until WELCOME, heartbeats, reconnecting when the hub is silent for 3 intervals, says GOODBYE or
/// answers 403, re-sending what is unanswered) are ``ClientSession``'s; this loop feeds it what the socket and the
/// clock bring and carries out its actions: write a frame, open or close the socket, resume a caller, hand over a
/// delivery. Each cycle: tick (write what callers queued, keep time), wait in `zmq_poll`, read what the hub sent.
final class AdapterLoop {
    let client: AdapterClient
    let context = ZeroMQContext(ioThreads: 1)
    var socket: ZeroMQSocket?
    /// Watches the socket's CURVE handshakes: a key the hub refuses is known at once (`SocketMonitor`).
    var monitor: SocketMonitor?
    /// How many monitors this loop has made (each needs an `inproc://` name of its own in the context).
    var monitors = 0
    /// Whether a refusal of this agency's key has been logged since the last handshake that succeeded.
    var refusalLogged = false
    var logger: Logger { client.logger }
    var configuration: AdapterConfiguration { client.configuration }
    /// The most hub messages handed to the session under one hold of the client's lock.
    static let readBatch = 256
    /// Which of `configuration.endpoints` the socket connects to.
    var endpointIndex = 0
    /// Whether the next connection goes to the next endpoint: after a connection lost to silence or GOODBYE, or one
    /// that could not be opened (a standby broker may have taken over). After "not ready" (the same hub restarted
    /// its sessions) the adapter says HELLO to the same endpoint again.
    var movesOn = false

    init(client: AdapterClient) {
        self.client = client
    }

    func run() {
        // Each cycle: open a connection if one is due, wait for input, read it, then tick. The clock is looked at
        // only after reading what waits on the socket: a thread the machine held up must not take the hub's
        // queued replies for silence.
        while tickSession(onlyIfDisconnected: true) {
            let wait = client.shared.withLock { $0.session.millisecondsToNextTick(now: AdapterLoop.monotonic()) }
            guard let socket else {
                waitForWake(milliseconds: Int(wait))
                continue
            }
            var poller = Poller(
                [.socket(socket), .fileDescriptor(client.waker.readDescriptor)] + (monitor.map { [.socket($0.socket)] } ?? []))
            let readiness: [Poller.Readiness]
            do { readiness = try poller.poll(timeoutMilliseconds: Int(wait)) } catch {
                logger.error("zmq_poll failed: \(error)")
                break
            }
            if readiness[1].readable { client.waker.drain() }
            if readiness.count > 2, readiness[2].readable { readMonitor() }
            if readiness[0].readable { readAll() }
            guard tickSession() else { break }
        }
        shutdown()
    }

    /// Ticks the session: opens a connection that is due, writes what callers queued, keeps time.
    ///
    /// - Parameter onlyIfDisconnected: tick only while there is no connection (to open one when due).
    /// - Returns: false when the client is closing.
    func tickSession(onlyIfDisconnected: Bool = false) -> Bool {
        var closing = false
        let now = AdapterLoop.monotonic()
        step { session in
            closing = session.isClosing
            guard !closing, !onlyIfDisconnected || session.state == .disconnected else { return [] }
            return session.tick(now: now)
        }
        return !closing
    }

    // MARK: Running the session

    /// What resumes callers once an event's actions are known: taken under the lock, resumed outside it.
    enum Resumption {
        case sends([SendWaiter], Result<Receipt, any Error>)
        case welcome([CheckedContinuation<Welcome, any Error>], Result<Welcome, any Error>)
    }

    /// Runs one event on the session under the client's lock, takes the continuations its answers resume, then
    /// (outside the lock) resumes them and carries out the actions.
    func step(_ event: (inout ClientSession) -> [ClientSession.Action]) {
        let (actions, resumptions) = client.shared.withLock { state -> ([ClientSession.Action], [Resumption]) in
            let actions = event(&state.session)
            var resumptions: [Resumption] = []
            for action in actions {
                switch action {
                case .complete(let id, let outcome):
                    switch outcome {
                    case .accepted: client.metrics.accepted.increment()
                    case .rejected(let error): client.metrics.refused(error.code)
                    case .closed: break
                    }
                    guard let waiters = state.sendWaiters.removeValue(forKey: id) else { continue }
                    resumptions.append(.sends(waiters, Self.result(of: outcome)))
                case .welcomed(let welcome):
                    resumptions.append(.welcome(Array(state.welcomeWaiters.values), .success(welcome)))
                    state.welcomeWaiters = [:]
                case .helloRefused(let error):
                    let refusal = AdapterError(.rejected, "The hub refused this adapter's HELLO: \(error)", protocolError: error)
                    state.closedBecause = refusal
                    resumptions.append(.welcome(Array(state.welcomeWaiters.values), .failure(refusal)))
                    state.welcomeWaiters = [:]
                case .keyRefused(let status, final: true):
                    let refusal = keyRefusal(status: status)
                    state.closedBecause = refusal
                    resumptions.append(.welcome(Array(state.welcomeWaiters.values), .failure(refusal)))
                    state.welcomeWaiters = [:]
                default: continue
                }
            }
            return (actions, resumptions)
        }
        for resumption in resumptions {
            switch resumption {
            case .sends(let waiters, let result): for waiter in waiters { waiter.resume(with: result) }
            case .welcome(let waiters, let result): for waiter in waiters { waiter.resume(with: result) }
            }
        }
        perform(actions)
    }

    static func result(of outcome: ClientSession.SendOutcome) -> Result<Receipt, any Error> {
        switch outcome {
        case .accepted(let receipt): .success(receipt)
        case .rejected(let error): .failure(AdapterError(.rejected, "The hub rejected the message: \(error)", protocolError: error))
        case .closed: .failure(AdapterError(.closed, "The client closed before the hub answered."))
        }
    }

    /// Carries out the session's actions in order. Writes that do not fit go back to the session; after a
    /// settlement that does not fit, later settlements are not tried, so they stay in the order they were made.
    func perform(_ actions: [ClientSession.Action]) {
        var unwritten: [ClientSession.Action] = []
        var settlementsBlocked = false
        for action in actions {
            switch action {
            case .connect:
                openSocket()
            case .write(let command, _):
                let isSettlement: Bool
                switch command {
                case .ack, .nack: isSettlement = true
                default: isSettlement = false
                }
                if isSettlement && settlementsBlocked {
                    unwritten.append(action)
                } else if !write(command) {
                    unwritten.append(action)
                    settlementsBlocked = settlementsBlocked || isSettlement
                } else {
                    client.metrics.written(command)
                }
            case .disconnect(let reason):
                switch reason {
                case .silent: logger.info("The hub has been silent for 3 heartbeats; reconnecting")
                case .goodbye: logger.info("The hub said goodbye; reconnecting")
                case .notReady: logger.info("The hub has no session for us (restarted?): saying HELLO again")
                }
                if case .notReady = reason {} else { movesOn = true }
                client.metrics.reconnects.increment()
                closeSocket()
            case .welcomed(let welcome):
                movesOn = false
                if configuration.standbyEndpoints.isEmpty {
                    logger.debug("Hub welcomed us", metadata: ["agency": "\(welcome.agency)"])
                } else {
                    logger.info("Hub welcomed us", metadata: ["agency": "\(welcome.agency)", "endpoint": "\(configuration.endpoints[endpointIndex])"])
                }
            case .helloRefused, .complete:
                break  // the callers waiting on it were resumed in `step`
            case .keyRefused(let status, let final):
                // Final: `connect()` throws it (its waiters were resumed in `step`), and the caller reports it.
                guard !final, !refusalLogged else { break }
                refusalLogged = true
                logger.warning("\(keyRefusal(status: status)) Trying again.")
            case .deliver(let tag, let envelope, let body, let auditEntry, let generation):
                client.metrics.deliveries.increment()
                client.deliveryContinuation.yield(Delivery(
                    tag: tag, envelope: envelope, body: body, auditEntry: auditEntry, generation: generation))
            case .unmatchedRejection(let error):
                if error.code == .unknownDelivery {
                    logger.warning("The hub rejected a settlement: \(error)")
                } else {
                    logger.warning("The hub rejected a command: \(error)")
                }
            case .unreadable(let error):
                logger.warning("Unreadable message from the hub: \(error)")
            }
        }
        if !unwritten.isEmpty {
            client.shared.withLock { $0.session.notWritten(unwritten) }
        }
    }

    // MARK: Connection

    /// A new socket (the session said `.connect`): CURVE keys, connect, and the session says HELLO on it.
    func openSocket() {
        closeSocket()
        let endpoints = configuration.endpoints
        if movesOn, endpoints.count > 1 {
            endpointIndex = (endpointIndex + 1) % endpoints.count
            logger.info("Trying the hub's next endpoint", metadata: ["endpoint": "\(endpoints[endpointIndex])"])
        }
        // Until WELCOME, a lost or unanswered connection moves on to the next endpoint.
        movesOn = true
        let endpoint = endpoints[endpointIndex]
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
            monitors += 1
            let monitor = try SocketMonitor(
                watching: socket, context: context, endpoint: "inproc://liaison-adapter-handshakes-\(monitors)",
                events: ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            try socket.connect(endpoint)
            self.socket = socket
            self.monitor = monitor
        } catch {
            logger.error("Cannot connect to \(endpoint): \(error)")
            let now = AdapterLoop.monotonic()
            client.shared.withLock { $0.session.connectionFailed(now: now) }
            return
        }
        let now = AdapterLoop.monotonic()
        step { $0.connected(now: now) }
    }

    /// Closes the connection's socket and its monitor (the monitor first: it reads from the socket).
    func closeSocket(lingerMilliseconds: Int32 = 0) {
        monitor?.close()
        monitor = nil
        socket?.close(lingerMilliseconds: lingerMilliseconds)
        socket = nil
    }

    /// Handshake events: a refused key goes to the session, which ends it if it was never welcomed.
    func readMonitor() {
        while let event = monitor?.next() {
            switch event.event {
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
                refusalLogged = false
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
                step { $0.handshakeRefused(status: event.value) }
            default:
                break
            }
        }
    }

    /// What a caller is told when the hub refuses this agency's key, and what to do about it.
    func keyRefusal(status: UInt32) -> AdapterError {
        AdapterError(
            .keyRefused,
            "The hub at \(configuration.endpoints[endpointIndex]) refused this adapter's key in the CURVE handshake (status "
                + "\(status)): the hub's agencies.yaml must list this agency's public key (\(Z85.encode(configuration.publicKey))), "
                + "current today (current_from, current_until), and the hub must have reloaded since (SIGHUP).")
    }

    func waitForWake(milliseconds: Int) {
        var poller = Poller([.fileDescriptor(client.waker.readDescriptor)])
        if let readiness = try? poller.poll(timeoutMilliseconds: milliseconds), readiness[0].readable {
            client.waker.drain()
        }
    }

    // MARK: Writing

    func write(_ command: AdapterCommand) -> Bool {
        guard let socket else { return false }
        do {
            try socket.send(WireCodec.encode(command), dontWait: true)
            return true
        } catch {
            if !error.isAgain { logger.warning("Send to the hub failed: \(error)") }
            return false
        }
    }

    // MARK: Reading

    /// Reads everything waiting, handing it to the session in batches (one hold of the lock each).
    func readAll() {
        var batch: [(Result<HubCommand, ProtocolError>, Int64)] = []
        batch.reserveCapacity(Self.readBatch)
        while socket != nil {
            batch.removeAll(keepingCapacity: true)
            while batch.count < Self.readBatch, let socket, let message = try? socket.receive(dontWait: true) {
                batch.append((Result { () throws(ProtocolError) in try WireCodec.decodeHubCommand(message.frames) }, AdapterLoop.monotonic()))
            }
            if batch.isEmpty { return }
            // Once the session drops the connection (GOODBYE, 403) it ignores the rest, which the socket's close discards.
            step { session in batch.flatMap { session.received($0.0, now: $0.1) } }
            if batch.count < Self.readBatch { return }
        }
    }

    // MARK: Time

    func shutdown() {
        step { $0.shutDown() }
        closeSocket(lingerMilliseconds: 200)
        let waiters = client.shared.withLock { state in
            defer { state.welcomeWaiters = [:] }
            return Array(state.welcomeWaiters.values)
        }
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
