import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonProtocol
import LiaisonTestSupport
import Testing

@Suite("Exchanges through the real broker", .timeLimit(.minutes(3)), .realProcesses(.long))
struct ExchangeTests {
    @Test func twoAdaptersExchangeTenThousandMessagesWithNoneLostOrDuplicated() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        let receiver = try await running.hub.connect("npas", credit: 256)
        let count = 10_000
        async let received = collect(receiver, count: count, timeout: .seconds(90))
        let accepted = try await sendMany(sender, count: count, to: ["npas"], window: 256)
        var deliveries = await received
        var distinct = Set(deliveries.map(\.envelope.id))
        // On a loaded machine an adapter can be dropped for silence and reconnect; it then gets its unacknowledged
        // deliveries again (at least once, docs/protocol.md), so keep collecting until every message has come.
        let deadline = ContinuousClock.now + .seconds(20)
        while distinct.count < count, ContinuousClock.now < deadline {
            let more = await collect(receiver, count: count - distinct.count, timeout: .seconds(5))
            deliveries += more
            distinct.formUnion(more.map(\.envelope.id))
        }
        #expect(accepted.count == count)
        #expect(Set(accepted).count == count)
        #expect(distinct == Set(accepted), "lost or unexpected messages: \(distinct.count) of \(count) came")
        #expect(deliveries.allSatisfy { $0.envelope.source.rawValue == "yot" })
        await sender.close()
        await receiver.close()
        let log = try running.audit()
        // A delivery comes twice only after its session ended with it unacknowledged, never otherwise.
        let twice = deliveries.count - Set(deliveries.map(\.tag)).count
        let requeuedForNPAS = log.contains { $0.event.kind == .adapterGone && $0.event.agency == "npas" && !($0.event.detail ?? "").contains(" 0 deliveries requeued") }
        #expect(twice == 0 || requeuedForNPAS, "\(twice) deliveries came twice with no session ended")
        let kinds = log.map(\.event.kind)
        #expect(kinds.filter { $0 == .accepted }.count == count)
        #expect(kinds.filter { $0 == .acknowledged }.count <= count)
    }

    @Test func aRecipientThatIsOfflineGetsItsMessagesWhenItConnects() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        let accepted = try await sendMany(sender, count: 300, to: ["courts"])
        await sender.close()
        let courts = try await running.hub.connect("courts", credit: 16)
        let deliveries = await collect(courts, count: 300)
        #expect(Set(deliveries.map(\.envelope.id)) == Set(accepted))
        #expect(deliveries.map(\.tag) == deliveries.map(\.tag).sorted(), "store-and-forward keeps hub order")
        await courts.close()
    }

    @Test func aResentMessageIsAcceptedAgainButStoredAndDeliveredOnce() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        let first = try await sender.send(type: "yot.case-update", to: ["npas"], body: [1], id: "same-id")
        let second = try await sender.send(type: "yot.case-update", to: ["npas"], body: [1], id: "same-id")
        #expect(!first.duplicate)
        #expect(second.duplicate)
        #expect(second.sequence == first.sequence)
        let npas = try await running.hub.connect("npas")
        let deliveries = await collect(npas, count: 2, timeout: .seconds(2))
        #expect(deliveries.count == 1)
        await sender.close()
        await npas.close()
    }

    @Test func oneMessageReachesEveryNamedRecipient() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("npas")
        let receipt = try await sender.send(type: "case.feedback", to: ["yot", "courts"], body: Array("{}".utf8))
        #expect(Set(receipt.recipients) == ["yot", "courts"])
        for agency in ["yot", "courts"] {
            let client = try await running.hub.connect(agency)
            let deliveries = await collect(client, count: 1, timeout: .seconds(10))
            #expect(deliveries.map(\.tag) == [receipt.sequence])
            await client.close()
        }
        await sender.close()
    }

    @Test func creditBoundsTheDeliveriesInFlight() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        _ = try await sendMany(sender, count: 10, to: ["npas"])
        let npas = try await running.hub.connect("npas", credit: 3)
        // Waits are long enough for a loaded machine, and the "no more" checks short: credit is a count, not a time.
        var firstWave = await collect(npas, count: 3, timeout: .seconds(20), ack: false)
        firstWave += await collect(npas, count: 1, timeout: .milliseconds(700), ack: false)
        #expect(firstWave.count == 3, "credit 3 allows 3 unacknowledged deliveries, got \(firstWave.count)")
        try #require(!firstWave.isEmpty)
        npas.ack(firstWave[0])
        var secondWave = await collect(npas, count: 1, timeout: .seconds(20), ack: false)
        secondWave += await collect(npas, count: 1, timeout: .milliseconds(700), ack: false)
        #expect(secondWave.count == 1)
        await sender.close()
        await npas.close()
    }

    @Test func aNackRejectMakesADeadLetterAndTheQueueMovesOn() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        let accepted = try await sendMany(sender, count: 3, to: ["npas"], window: 1)
        let npas = try await running.hub.connect("npas", credit: 1)
        let first = await collect(npas, count: 1, ack: false)
        #expect(first.first?.envelope.id == accepted[0])
        npas.nack(first[0], .reject, reason: "cannot read this")
        let rest = await collect(npas, count: 2)
        #expect(rest.map(\.envelope.id) == Array(accepted[1...]))
        let record = try await running.waitForAudit { $0.event.kind == .deadLettered }
        #expect(record?.event.messageID == accepted[0])
        #expect(record?.event.detail == "rejected")
        #expect(record?.event.detail?.contains("cannot read") != true, "the adapter's reason stays out of the audit log")
        await sender.close()
        await npas.close()
    }

    @Test func aNackRetryIsDeliveredAgain() async throws {
        let running = try await RunningHub.start(extraConfig: "delivery:\n  retry_backoff: 50ms\n")
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        _ = try await sender.send(type: "test.message", to: ["npas"], body: [1], id: "retry-me")
        let npas = try await running.hub.connect("npas", credit: 1)
        let first = await collect(npas, count: 1, ack: false)
        npas.nack(first[0], .retry, reason: "busy")
        let again = await collect(npas, count: 1)
        #expect(again.map(\.envelope.id) == ["retry-me"])
        #expect(again.first?.tag == first.first?.tag)
        await sender.close()
        await npas.close()
    }

    @Test func aMessageNotDeliveredWithinItsTimeToLiveExpires() async throws {
        let running = try await RunningHub.start(extraConfig: "delivery:\n  ttl:\n    short.lived: 300ms\n")
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        _ = try await sender.send(type: "short.lived", to: ["courts"], body: [1], id: "gone-soon")
        _ = try await sender.send(type: "long.lived", to: ["courts"], body: [1], id: "stays")
        let record = try await running.waitForAudit { $0.event.kind == .expired }
        #expect(record?.event.messageID == "gone-soon")
        let courts = try await running.hub.connect("courts")
        let deliveries = await collect(courts, count: 2, timeout: .seconds(2))
        #expect(deliveries.map(\.envelope.id) == ["stays"])
        await sender.close()
        await courts.close()
    }

    @Test func deliveriesUnsettledByAnAdapterThatGoesAwayAreRedelivered() async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let sender = try await running.hub.connect("yot")
        let accepted = try await sendMany(sender, count: 5, to: ["npas"])
        let first = try await running.hub.connect("npas", credit: 5)
        let unacked = await collect(first, count: 5, ack: false)
        #expect(unacked.count == 5)
        await first.close()
        let second = try await running.hub.connect("npas", credit: 5)
        let redelivered = await collect(second, count: 5)
        #expect(Set(redelivered.map(\.envelope.id)) == Set(accepted))
        await second.close()
        await sender.close()
    }
}
