import ArgumentParser
import Foundation
import LiaisonBroker
import LiaisonStore
import LiaisonStorePostgres
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `liaison store`: the hub's store itself, as opposed to what is in it (issue 16).
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Work on the hub's store: copy a SQLite store into PostgreSQL.",
        subcommands: [Migrate.self])

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a hub's SQLite store into an empty PostgreSQL store, and check the copy has the same audit tree.",
            discussion: """
                DIR is the hub's data folder (data_dir), holding hub.sqlite; its broker must be stopped (the copy \
                refuses while one holds DIR/broker.lock, and holds the lock itself while it copies). Every table is copied \
                in one PostgreSQL transaction into a store that must be empty; before it commits, the copy's audit tree \
                size and root, signed checkpoints and row counts are compared with the source's. On any failure nothing \
                is copied. The password comes from the URL's password_file or PGPASSWORD, never the command line. \
                See docs/operations.md, "Moving a hub from SQLite to PostgreSQL".
                """)

        @Option(help: ArgumentHelp("The hub's data folder, holding hub.sqlite.", valueName: "dir"))
        var from: String

        @Option(help: ArgumentHelp(
            "The PostgreSQL store: postgresql://USER@HOST:PORT/DATABASE[?sslmode=…&schema=…&password_file=…].", valueName: "url"))
        var to: String

        @Option(help: ArgumentHelp(
            "The hub's checkpoint public key (keys_dir/checkpoint.pub): when given, the copy's entries are also checked against their leaves and every signed checkpoint.",
            valueName: "file"))
        var key: String?

        @Option(help: "Rows per INSERT statement.")
        var batchRows: Int = 1_000

        func validate() throws {
            guard batchRows > 0 else { throw ValidationError("--batch-rows must be at least 1.") }
        }

        func run() throws {
            let started = ContinuousClock.now
            let databasePath = "\(from)/hub.sqlite"
            guard FileManager.default.fileExists(atPath: databasePath) else {
                throw UserFacingError("store migrate: there is no hub.sqlite in \(from): give the hub's data folder (data_dir).")
            }
            let lease = try BrokerLease(lockPath: "\(from)/broker.lock")
            defer { lease.release() }
            let target: PostgresStoreConfiguration
            do { target = try PostgresStoreConfiguration(url: to) } catch { throw UserFacingError("store migrate: \(error.message)") }
            let publicKey = try key.map { path in
                do { return try Checkpoint.loadPublicKey(path: path) } catch { throw UserFacingError("store migrate: \(error)") }
            }
            let source: HubStore
            do { source = try HubStore(path: databasePath, readOnly: true) } catch { throw UserFacingError("store migrate: \(error)") }

            let report: PostgresHubStore.ImportReport
            do { report = try PostgresHubStore.importStore(from: source, into: target, batchRows: batchRows) } catch {
                throw UserFacingError("store migrate: \(error.message)")
            }
            let copied = ContinuousClock.now - started
            let seconds = Double(copied.components.seconds) + Double(copied.components.attoseconds) / 1e18
            print("Copied \(databasePath) to \(target.displayName):")
            for row in report.rows { print("  \(row.table.padding(toLength: 14, withPad: " ", startingAt: 0)) \(row.count)") }
            print("audit tree: \(report.treeSize) entries, root \(Digest.hex(report.treeRoot)) (the same on both stores)")
            print("signed checkpoints: \(report.checkpoints) (the same on both stores)")
            if let publicKey {
                let verified: (entries: Int, root: [UInt8], problem: String?)
                do {
                    let store = try PostgresHubStore(configuration: target)
                    defer { store.close() }
                    verified = try store.verifyLeaves(publicKey: publicKey)
                } catch { throw UserFacingError("store migrate: the copy committed, but could not be checked: \(error.message)") }
                if let problem = verified.problem {
                    print("BROKEN: \(problem)")
                    throw UserFacingError("store migrate: the copy committed, but its audit log does not check out: run `liaison audit verify` on both stores.")
                }
                print("verified: every entry matches its leaf, \(report.checkpoints) signed checkpoints checked")
            }
            print("copied in \(String(format: "%.2f", seconds)) s")
        }
    }
}

/// The store's lease (`DATA_DIR/broker.lock`, the broker's `InstanceLock`) held by a command that must not run beside a
/// broker: refused while a broker holds it, and held until `release()` so that no broker starts on the store meanwhile
/// (a standby waits).
struct BrokerLease {
    private let descriptor: Int32

    init(lockPath: String) throws {
        if let pid = InstanceLock.runningBroker(lockPath: lockPath) {
            throw UserFacingError("store migrate: a broker (process \(pid)) is running on this store: stop it first (\(lockPath) is locked).")
        }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw UserFacingError("store migrate: cannot open \(lockPath) (errno \(errno)): check the folder is the hub's.") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw UserFacingError("store migrate: a broker is running on this store: stop it first (\(lockPath) is locked).")
        }
        // Empty, unlike a broker's lock: `liaison keys rotate` reads a pid here to signal, and must not signal this.
        _ = ftruncate(fd, 0)
        descriptor = fd
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
