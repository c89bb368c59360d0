import ArgumentParser
import Foundation
import LiaisonStore
import LiaisonStorePostgres

extension AuditCommand.Verify {
    /// `liaison audit verify --store URL` (or with hub.yaml's `store:` naming PostgreSQL): the PostgreSQL store's log checked as the SQLite one is, with the same output
    /// and exit codes: every entry against its leaf and every stored checkpoint (`verifyLeaves`), the stored subtrees
    /// against the leaves (`checkStoredTree`), and a checkpoint kept outside the hub (`--from-checkpoint`) against the
    /// root recomputed at its size.
    ///
    /// `urls` are tried in turn (hub.yaml's `store:` lists the primary and its standbys): the first that opens is read.
    func verifyPostgres(urls: [String]) throws {
        let keyPath: String
        if let key {
            keyPath = key
        } else if FileManager.default.fileExists(atPath: options.config) {
            keyPath = try loadHub(options.config, requireKeys: false).configuration.checkpointPublicKeyPath
        } else {
            throw UserFacingError("audit verify: checking a PostgreSQL store needs the hub's checkpoint public key: give --key FILE (keys_dir/checkpoint.pub).")
        }
        guard let publicKey = try? Checkpoint.loadPublicKey(path: keyPath) else {
            throw UserFacingError("audit verify: cannot read the checkpoint public key \(keyPath): give the hub's with --key FILE.")
        }
        var extra: Checkpoint?
        if let fromCheckpoint {
            guard let data = FileManager.default.contents(atPath: fromCheckpoint) else {
                throw UserFacingError("audit verify: cannot read \(fromCheckpoint)")
            }
            do { extra = try Checkpoint.verify(note: String(decoding: data, as: UTF8.self), publicKey: publicKey) } catch {
                print("BROKEN: a checkpoint is not valid: \(error)")
                print("verified 0 entries before it")
                throw ExitCode.failure
            }
        }
        var opened: PostgresHubStore?
        var failures: [String] = []
        for url in urls where opened == nil {
            do { opened = try PostgresHubStore(url: url) } catch { failures.append(error.message) }
        }
        guard let store = opened else { throw UserFacingError("audit verify: \(failures.joined(separator: "; "))") }
        defer { store.close() }

        let result: (entries: Int, root: [UInt8], problem: String?)
        let tree: (problem: String?, roots: [Int: [UInt8]])
        let checkpoints: Int
        do {
            result = try store.verifyLeaves(publicKey: publicKey)
            tree = result.problem == nil ? try store.checkStoredTree(rootsAt: Set(extra.map { [$0.size] } ?? [])) : (nil, [:])
            checkpoints = try store.checkpointNotes().count
        } catch { throw UserFacingError("audit verify: \(error.message)") }
        var problem = result.problem ?? tree.problem
        if problem == nil, let extra {
            if extra.size > result.entries {
                problem = "a signed checkpoint covers \(extra.size) entries but the log holds only \(result.entries): entries after \(result.entries) were deleted"
            } else if tree.roots[extra.size] != extra.root {
                problem = "the log at \(extra.size) entries does not match the signed checkpoint of that size: entries up to \(extra.size) were changed after it was signed"
            }
        }
        if let problem {
            print("BROKEN: \(problem)")
            print("verified \(result.entries) entries before it")
            throw ExitCode.failure
        }
        print("OK: \(result.entries) entries, tree root \(AuditCommand.hex(result.root))")
        print("\(checkpoints) signed checkpoints checked\(fromCheckpoint.map { ", and \($0)" } ?? "")")
    }
}
