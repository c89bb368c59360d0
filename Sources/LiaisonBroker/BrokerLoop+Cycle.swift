import Foundation
import LiaisonProtocol
import LiaisonStore
import ZeroMQ

extension BrokerLoop {
    // MARK: The loop

    func loop() {
        var poller = Poller([
            .socket(router), .socket(zap), .fileDescriptor(control.waker.readDescriptor), .fileDescriptor(checker.waker.readDescriptor),
            .fileDescriptor(committer.waker.readDescriptor),
        ] + (admin.map { [Poller.Item.socket($0)] } ?? []))
        let tickInterval = Int64(max(10, configuration.heartbeatMilliseconds / 4))
        while !control.isStopRequested && !storeLost {
            var timeout = backlogs.isEmpty && !core.wantsSoonRetry ? Int(tickInterval) : 1
            if let since = pendingSince, inFlight == nil {
                // Settlements are waiting to ride with the next commit: wake when their wait is up.
                timeout = min(timeout, Int(max(0, since + BrokerLoop.settlementWaitMilliseconds - HubTime.monotonicNow())))
            }
            let readiness: [Poller.Readiness]
            do { readiness = try poller.poll(timeoutMilliseconds: timeout) } catch {
                logger.error("zmq_poll failed: \(error)")
                break
            }
            if readiness[2].readable { control.waker.drain() }
            if control.takeReloadRequest() { reload() }
            if readiness[1].readable { serveZAP() }
            if readiness[3].readable { core.bodiesChecked(checker.takeResults(), time: .now()) }
            if readiness[4].readable { committer.waker.drain() }
            takeCommitted()
            // Whether everything waiting was read: only then may a peer be judged silent, since its heartbeat may be
            // waiting behind a large body.
            var caughtUp = true
            if readiness[0].readable {
                // Bounded: a peer streaming large bodies faster than they are checked waits in its own socket.
                caughtUp = core.hasRoomToRead ? readBatch() : false
                // A commit that finished while the batch was read: answer its senders now, and hand over the next.
                takeCommitted()
            }
            let time = HubTime.now()
            if caughtUp { lastCaughtUp = time.monotonic }
            if time.monotonic - lastTick >= tickInterval {
                lastTick = time.monotonic
                core.tick(time: time, readUpTo: lastCaughtUp)
            }
            runActions()
            commitIfNeeded()
            core.dispatch(time: .now())
            runActions()
            commitIfNeeded()
            // After the first commitIfNeeded: a replay's delivery, requeued by its commit, goes out in this dispatch.
            answerAdmin()
            flushBacklogs()
            if time.monotonic - lastUpkeep >= 100 {
                lastUpkeep = time.monotonic
                committer.upkeep()
                heapRelease.releaseIfDue(now: time.monotonic)
                // A store whose connection is gone can commit nothing: stop serving and open it again (`run`).
                if store.isLost { storeLost = true }
            }
        }
    }

    func shutdown() {
        core.shutdown(time: .now())
        runActions()
        commitAndWait()
        committer.upkeep(forceCheckpoint: true)
        committer.drain()
        flushBacklogs()
        sockets.close()
        logger.info("Broker stopped")
    }

    // MARK: Reading

    /// Reads what is waiting, up to one batch, into the core.
    ///
    /// - Returns: true when nothing more was waiting.
    @discardableResult
    func readBatch() -> Bool {
        let time = HubTime.now()
        var count = 0
        var bytes = 0
        // A cycle ends at batch_size messages, or sooner once it has read 8 MiB or worked 50 ms: a few large
        // returns must not hold the loop (heartbeats, replies, deliveries) for seconds.
        while count < configuration.batchSize, bytes < BrokerLoop.cycleBytes,
            HubTime.monotonicNow() - time.monotonic < BrokerLoop.cycleMilliseconds
        {
            // Keep both threads busy: with the commit thread idle, hand it what has been read after a few messages
            // rather than a whole batch; with a commit in flight, stop reading once it has finished, so that its
            // senders hear at once and the next commit starts. (Reading a whole batch of 1,024 first left the commit
            // thread idle for tens of milliseconds at a time: the two threads took turns instead of overlapping.)
            if count > 0, count % BrokerLoop.handOverCheck == 0, inFlight == nil || committer.hasFinished { return false }
            let message: ReceivedMessage?
            do { message = try router.receive(dontWait: true, maxFrames: HubCore.maxFrames) } catch {
                logger.warning("Receive failed: \(error)")
                return true
            }
            guard let message, let routingID = message.frames.first else { return true }
            count += 1
            bytes += message.frames.reduce(0) { $0 + $1.count }
            guard !core.isSilenced(routingID) else { continue }
            let identity = ZAPHandler.identity(ofUserID: message.userID ?? "")
            guard let agency = AgencyID(identity.agency) else {
                // Cannot happen while the ZAP handler is bound: every connection carries its agency.
                logger.error("Dropped a message from a connection with no agency")
                continue
            }
            // The second message of a run on: the core checks and decides bodies on the body checker's thread.
            core.checksBodiesOffLoop = count > 1
            core.receive(
                from: routingID, agency: agency, keyFingerprint: identity.key, peer: message.peerAddress,
                frames: message.frames[1...], droppedFrames: message.droppedFrames, time: time)
        }
        return false
    }

    /// Sends the answer to an admin request whose commit has returned, then reads the next request (one at a time:
    /// REP answers each before it reads another). `status` is answered at once; replay and discard after their commit.
    func answerAdmin() {
        guard let admin else { return }
        if adminWaiting, let answer = core.takeAdminAnswer() {
            adminWaiting = false
            try? admin.send([answer], dontWait: true)
        }
        while !adminWaiting {
            let message: ReceivedMessage?
            do { message = try admin.receive(dontWait: true, maxFrames: 1) } catch { return }
            guard let message else { return }
            let registry = control.registry
            let metrics = {
                var bytes: [UInt8] = []
                registry.emit(into: &bytes)
                return String(decoding: bytes, as: UTF8.self)
            }
            if let answer = core.admin(message.frames.first ?? [], time: .now(), metrics: metrics) {
                try? admin.send([answer], dontWait: true)
            } else {
                adminWaiting = true
                commitIfNeeded()
            }
        }
    }

    /// Answers every waiting ZAP request; refusals go to the core to be audited.
    func serveZAP() {
        while true {
            let message: ReceivedMessage?
            do { message = try zap.receive(dontWait: true) } catch { return }
            guard let message else { return }
            let time = HubTime.now()
            let request = ZAPHandler.parse(message.frames)
            zapHandler.today = time.today
            let decision = request.map(zapHandler.decide) ?? ZAPHandler.Decision(
                accepted: false, userID: "", statusText: "Malformed ZAP request", keyFingerprint: nil)
            try? zap.send(ZAPHandler.reply(to: request, decision))
            if !decision.accepted {
                core.handshakeRefused(keyFingerprint: decision.keyFingerprint, peer: request?.address, statusText: decision.statusText, time: time)
            }
        }
    }

    // MARK: Committing and sending

    /// Hands what the core planned to the commit thread, unless a batch is already being committed (then this
    /// one waits and grows: the next group commit takes all of it).
    ///
    /// ACCEPTED goes out only once the commit has returned (`takeCommitted`): "acknowledge only after commit" is
    /// the rule this whole design serves. Meanwhile the loop goes on reading and deciding.
    ///
    /// A batch of settlements only (`HubCore.pendingCanWait`: DELIVERs audited, ACKs) waits up to
    /// `settlementWaitMilliseconds` for something a sender waits for, and then rides with its commit: at a steady
    /// 1,000 msg/s each message otherwise paid a second fsync for the previous one's ACK, and its own commit queued
    /// behind it. `force` commits at once (start-up, shutdown).
    func commitIfNeeded(force: Bool = false) {
        guard core.hasPendingWork else {
            pendingSince = nil
            return
        }
        let now = HubTime.monotonicNow()
        let since = pendingSince ?? now
        pendingSince = since
        guard inFlight == nil else { return }
        if !force, core.pendingCanWait, now - since < BrokerLoop.settlementWaitMilliseconds { return }
        pendingSince = nil
        let batch = core.takeBatch()
        guard !batch.operations.isEmpty else {
            // Only replies (heartbeats, refusals) and nothing to store: nothing to wait for.
            core.committed(batch, .success(CommitResult()), time: .now())
            runActions()
            return
        }
        // A quiet hub's small batch commits here, on the loop's thread: two thread hand-offs (to the commit thread and
        // back through its waker) were about a quarter of a lone message's time from SEND to ACCEPTED. SQLite only,
        // and only while commits are quick: a PostgreSQL commit waits on the network, and a stalled disk must not
        // hold the loop (heartbeats, reads) more than once. Under load batches are larger, and the commit thread
        // overlaps them with the loop's reading and deciding.
        if batch.operations.count <= BrokerLoop.inlineCommitLimit, store.engine == "sqlite", committer.lastCommitWasQuick {
            let result = committer.commitHere(batch.operations)
            if case .failure = result, store.isLost { storeLost = true }
            core.committed(batch, result, time: .now())
            runActions()
            return
        }
        inFlight = batch
        committer.commit(batch.operations)
    }

    /// The commit in flight has finished: the core answers its senders and queues its deliveries.
    func takeCommitted() {
        guard let batch = inFlight, let result = committer.takeResult() else { return }
        inFlight = nil
        if case .failure = result, store.isLost { storeLost = true }
        core.committed(batch, result, time: .now())
        runActions()
        commitIfNeeded()
    }

    /// Commits everything pending and waits for it (at start-up and shutdown).
    func commitAndWait() {
        // Bounded: answering a commit may plan a little more (an audit record), never an endless chain.
        for _ in 0..<4 where inFlight != nil || core.hasPendingWork {
            if inFlight == nil { commitIfNeeded(force: true) }
            if inFlight != nil {
                committer.drain()
                takeCommitted()
            }
        }
    }

    /// Runs what the core asked for: sends (a DELIVER that cannot go is handed back), body checks.
    func runActions() {
        var bounced: [(routingID: RoutingID, tag: Int64)] = []
        var lost: Set<RoutingID> = []
        for action in core.takeActions() {
            switch action {
            case .checkBody(let job):
                checker.submit(job)
            case .send(let command, let routingID):
                switch backlogs.send(command, to: routingID, via: router) {
                case .sent: break
                case .cutOff:
                    core.disconnect(routingID, because: "its reply backlog passed \(ReplyBacklogs.maxBacklog) (it sends but does not read)")
                case .full:
                    if case .deliver(let tag, _, _, _) = command { bounced.append((routingID, tag)) }
                case .unreachable:
                    if case .deliver(let tag, _, _, _) = command { bounced.append((routingID, tag)) }
                    lost.insert(routingID)
                }
            }
        }
        let time = HubTime.now()
        if !bounced.isEmpty { core.bounced(bounced, time: time) }
        // The connection is gone; its session closes after the sends, not in the middle of them.
        for routingID in lost { core.lost(routingID, time: time) }
        core.closeDisconnected(time: time)
        // Closing sessions may have audited something or queued replies: they wait for the next commit.
    }

    /// Retries connections' backlogs (`ReplyBacklogs.flush`); a connection whose backlog has all gone can take the
    /// deliveries held back while its pipe was full.
    func flushBacklogs() {
        backlogs.flush(via: router, isSilenced: { core.isSilenced($0) }, drained: { core.pipeDrained($0) })
    }
}
