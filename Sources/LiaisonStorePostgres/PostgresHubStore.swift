import Foundation
import LiaisonProtocol
import LiaisonStore
import Logging
import MerkleLog
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The hub's durable store on PostgreSQL: the same tables, semantics and audit evidence as `HubStore` (SQLite), behind
/// the broker's seam `HubLedger` (issue 16).
///
/// What a batch does is decided once, in `LedgerTransaction.apply` (LiaisonStore), for both engines; this store only
/// says how each write is made in SQL. Audit leaves are `AuditLeaf`'s encoding and the tree is `MerkleFrontier` with
/// the subtrees `AuditTreeStorage` says to keep, so the same operations give the same entries, leaves and root here as
/// in SQLite.
///
/// Concurrency: one connection, on one NIO event loop thread of the store's own. Every call is synchronous: it sends
/// its statements and blocks the calling thread on `EventLoopFuture.wait()` until PostgreSQL answers. The caller is the
/// broker's commit thread (or a test's or command's thread), never an event loop and never Swift's cooperative pool,
/// which must not be blocked. Calls from several threads take turns, a transaction at a time (`inTransaction`): the
/// broker commits on its commit thread and reads on its loop's thread.
///
/// Durability: `synchronous_commit = on` is set for the session (the server's default, stated so that a server
/// configured otherwise cannot weaken it): `commit` returns only once PostgreSQL has flushed the transaction's WAL, and
/// the broker answers ACCEPTED only after `commit` has returned. If the connection is lost during COMMIT the outcome is
/// unknown to the broker: it answers nothing, the sender resends, and the store's (source, id) dedup answers with the
/// first sequence if the commit had in fact landed.
///
/// Writers are serialised with a transaction-scoped advisory lock (`lockKey`), so the audit log's entry numbers and the
/// message sequences are assigned one writer at a time, as SQLite's single writer does.
package final class PostgresHubStore {
    package let configuration: PostgresStoreConfiguration
    let group: MultiThreadedEventLoopGroup
    let connection: PostgresConnection
    let logger: Logger
    /// The right edge of the audit log's Merkle tree, as committed.
    package private(set) var frontier = MerkleFrontier()
    private var closed = false
    /// Held for each transaction (`inTransaction`): one at a time on the one connection.
    private let transactionLock = NSLock()
    /// Transactions open now, and the most ever open at once (which must stay 1: a test holds the store to it).
    private let openTransactions = Atomic<Int>(0)
    private let mostOpenTransactions = Atomic<Int>(0)
    package var mostTransactionsAtOnce: Int { mostOpenTransactions.load(ordering: .relaxed) }
    /// How long one statement may go unanswered before the connection is given up (`run`).
    package var statementTimeout: TimeAmount = .seconds(30)

    /// The advisory lock every writing transaction takes first ("LIAISON" in ASCII).
    static let lockKey: Int64 = 0x004C_4941_4953_4F4E

    /// Connects to the store at `configuration`, creating its schema if it has none yet; with a `lease`, takes the
    /// broker's lease first (or waits for it).
    ///
    /// - Throws: `StoreError` `.cannotOpen` when the server cannot be reached or refuses the login, or the schema was
    ///   written by a newer Liaison; `.standbyDatabase` when the server is a standby in recovery (read-only);
    ///   `.leaseHeld` when another broker holds the lease and `lease.waits` is false; `.stopped` when a stop was asked
    ///   for while waiting.
    package init(configuration: PostgresStoreConfiguration, lease: Lease? = nil) throws(StoreError) {
        self.configuration = configuration
        var logger = Logger(label: "liaison.store.postgres")
        logger.logLevel = .warning
        self.logger = logger
        let connectionConfiguration = try configuration.connectionConfiguration()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            connection = try PostgresConnection.connect(
                on: group.next(), configuration: connectionConfiguration, id: 1, logger: logger
            ).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw StoreError(
                .cannotOpen,
                "Cannot connect to the hub's store at \(configuration.displayName): check the URL, that the server is running, "
                    + "and the password (password_file or PGPASSWORD).", cause: PostgresHubStore.Failure(error))
        }
        do {
            try run("SET synchronous_commit = on")
            try run(PostgresQuery(unsafeSQL: "SET search_path TO \(configuration.schema)"))
            // A broker's host that vanishes (power, network) leaves its session, and so its lease, on the server until
            // TCP gives up on it: these make that about 11 s rather than the kernel's two hours.
            try run("SET tcp_keepalives_idle = 5")
            try run("SET tcp_keepalives_interval = 2")
            try run("SET tcp_keepalives_count = 3")
            if try run("SELECT pg_is_in_recovery()").rows.first?.decode(Bool.self) == true {
                throw StoreError(
                    .standbyDatabase,
                    "The database at \(configuration.displayName) is a standby in recovery (read-only): the hub's store must be the primary.")
            }
            if let lease { try takeLease(lease) }
            try migrate()
            frontier = try inTransaction { try readFrontier() }
        } catch let error as StoreError where [.standbyDatabase, .leaseHeld, .stopped].contains(error.code) {
            close()
            throw error
        } catch {
            close()
            throw StoreError(
                .cannotOpen, "Cannot open the hub's store at \(configuration.displayName): \(PostgresHubStore.Failure(error)).",
                cause: PostgresHubStore.Failure(error))
        }
    }

    /// Connects to the store at `url` (`PostgresStoreConfiguration`).
    package convenience init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        try self.init(configuration: PostgresStoreConfiguration(url: url, environment: environment))
    }

    deinit { close() }

    /// Closes the connection (which gives up the lease, if this store held it) and stops the store's event loop
    /// thread. The store cannot be used afterwards.
    package func close() {
        guard !closed else { return }
        closed = true
        try? connection.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Creates the schema if it has none; refuses one written by a newer Liaison; brings an older store's data up to
    /// what this Liaison keeps.
    private func migrate() throws {
        try inTransaction {
            try lock()
            let existing = try run("SELECT to_regclass(\(configuration.schema + ".liaison_schema"))::text").rows.first
            if try existing.flatMap({ try $0.decode(String?.self) }) == nil {
                for statement in PostgresSchema.create(in: configuration.schema) { try run(PostgresQuery(unsafeSQL: statement)) }
                return
            }
            let version = try run("SELECT MAX(version) FROM liaison_schema").rows.first?.decode(Int64?.self) ?? 0
            guard version <= Int64(PostgresSchema.version) else {
                throw StoreError(
                    .cannotOpen, "The store's schema is version \(version), newer than this Liaison knows (\(PostgresSchema.version)): upgrade Liaison.")
            }
            // Bodies deleted before the retention sweep took the recipients' reasons with them (HubStore does the same).
            try run("""
                UPDATE dead_letters SET reason = \(DeadLetterCause.reasonDeletedWithBody)
                WHERE cause = \(DeadLetterCause.rejected.rawValue) AND reason <> \(DeadLetterCause.reasonDeletedWithBody)
                  AND EXISTS (SELECT 1 FROM messages WHERE messages.sequence = dead_letters.sequence AND deleted_at IS NOT NULL)
                """)
        }
    }

    // MARK: The blocking bridge

    /// Runs one statement and waits for its result on the calling thread (never an event loop, never the cooperative
    /// pool: see the type's comment). Every value is a bind parameter (`PostgresQuery`'s interpolation).
    ///
    /// A statement with no answer after `statementTimeout` fails and closes the connection: a server that has gone
    /// silent (a host lost without a reset, or a session ended mid-transaction, after which postgres-nio 1.33 was seen
    /// never to complete the next statement) must not hold the broker's commit thread for ever. The broker sees the
    /// connection closed (`isLost`) and opens the store again.
    @discardableResult
    func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        guard !connection.isClosed else { throw ConnectionLost(message: "the connection to the store is closed") }
        let connection = connection
        let promise = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        let timeout = statementTimeout
        let timer = connection.eventLoop.scheduleTask(in: timeout) {
            promise.fail(ConnectionLost(message: "the store did not answer a statement within \(timeout.nanoseconds / 1_000_000_000) s"))
            connection.close().whenComplete { _ in }
        }
        connection.query(query, logger: logger).whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return try promise.futureResult.wait()
    }

    /// A connection closed, or a statement the server never answered.
    struct ConnectionLost: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Takes the writers' advisory lock until the transaction ends.
    func lock() throws {
        try run("SELECT pg_advisory_xact_lock(\(PostgresHubStore.lockKey))")
    }

    /// Runs `body` between BEGIN and COMMIT; rolls back if it throws.
    ///
    /// One transaction at a time on the connection: the broker reads (paging a queue in, answering a resend) on its
    /// loop's thread while its commit thread commits, and on one session their statements would otherwise interleave,
    /// the read's COMMIT ending the group commit half-way. A read waits for the commit in progress, as GRDB's
    /// `DatabaseQueue` makes it wait on SQLite.
    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        transactionLock.lock()
        defer { transactionLock.unlock() }
        let open = openTransactions.add(1, ordering: .relaxed).newValue
        defer { openTransactions.subtract(1, ordering: .relaxed) }
        mostOpenTransactions.max(open, ordering: .relaxed)
        try run("BEGIN")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    /// The tree's edge as stored (`AuditTreeStorage.frontier`'s rule, read from PostgreSQL).
    func readFrontier() throws -> MerkleFrontier {
        let size = try run("SELECT COALESCE(MAX(entry), 0) FROM audit_log").rows.first?.decode(Int64.self) ?? 0
        return try AuditTreeStorage.frontier(
            size: Int(size),
            storedNode: { level, index in
                try run("SELECT hash FROM merkle_nodes WHERE level = \(level) AND idx = \(index)").rows.first.map {
                    Array(try $0.decode(ByteBuffer.self).readableBytesView)
                }
            },
            leaves: { first, last in try leaves(first: first, last: last) })
    }

    /// The leaf hashes of entries `first...last`, in order.
    func leaves(first: Int64, last: Int64) throws -> [MerkleTree.Hash] {
        guard first <= last else { return [] }
        let rows = try run("SELECT entry, leaf FROM audit_log WHERE entry BETWEEN \(first) AND \(last) ORDER BY entry").rows
        var leaves: [MerkleTree.Hash] = []
        leaves.reserveCapacity(rows.count)
        var expected = first
        for row in rows {
            let (entry, leaf) = try row.decode((Int64, ByteBuffer).self)
            guard entry == expected, leaf.readableBytes == 32 else {
                throw StoreError(.readFailed, "Audit entry \(expected) is missing or has no leaf: run `liaison audit verify`.")
            }
            leaves.append(Array(leaf.readableBytesView))
            expected += 1
        }
        guard expected > last else { throw StoreError(.readFailed, "Audit entry \(expected) is missing: run `liaison audit verify`.") }
        return leaves
    }

    // MARK: Transactions

    /// Runs `body` in one transaction (group commit) under the writers' lock: everything in it is durable when this
    /// returns, or nothing is.
    package func transaction<T>(_ body: (PostgresTransaction) throws -> T) throws(StoreError) -> T {
        do {
            var start = frontier
            let (result, moved) = try inTransaction {
                try lock()
                // Another writer (the CLI placing a legal hold) may have appended since: pick up its edge.
                let size = try run("SELECT COALESCE(MAX(entry), 0) FROM audit_log").rows.first?.decode(Int64.self) ?? 0
                if size != Int64(start.size) { start = try readFrontier() }
                let transaction = PostgresTransaction(store: self, frontier: start)
                let result = try body(transaction)
                try transaction.flush()
                return (result, transaction.frontier)
            }
            // The tree's edge moves only once the transaction that wrote its nodes has committed.
            frontier = moved
            return result
        } catch {
            throw StoreError(.commitFailed, "The hub could not commit to its store: \(PostgresHubStore.Failure(error)).", cause: PostgresHubStore.Failure(error))
        }
    }

    /// Runs a read in its own transaction (one snapshot when it reads several statements).
    package func read<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try inTransaction { try body() }
        } catch {
            throw StoreError(.readFailed, "The hub could not read its store: \(PostgresHubStore.Failure(error)).", cause: PostgresHubStore.Failure(error))
        }
    }

    /// Runs one statement outside the hub's own operations (tests, and an operator's checks): for example an UPDATE of
    /// the audit log, which the database refuses.
    package func execute(_ sql: String) throws(StoreError) {
        transactionLock.lock()
        defer { transactionLock.unlock() }
        do { try run(PostgresQuery(unsafeSQL: sql)) } catch {
            throw StoreError(.commitFailed, "The statement failed: \(Failure(error)).", cause: Failure(error))
        }
    }
}

extension PostgresHubStore {
    /// What PostgreSQL said, for a `StoreError`'s message: the server's message and SQLSTATE (never a row's values,
    /// which only the DETAIL field carries), or the error itself when the server said nothing.
    package struct Failure: Error, CustomStringConvertible {
        package var message: String
        package var sqlState: String?

        init(_ error: any Error) {
            if let store = error as? StoreError {
                message = store.message
                sqlState = (store.cause as? Failure)?.sqlState ?? (store.cause as? PSQLError)?.serverInfo?[.sqlState]
            } else if let error = error as? PSQLError, let info = error.serverInfo {
                message = info[.message] ?? "the server refused the statement"
                sqlState = info[.sqlState]
            } else if let error = error as? PSQLError {
                message = "\(error.code)"
            } else {
                message = "\(error)"
            }
        }

        package var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }
    }
}
