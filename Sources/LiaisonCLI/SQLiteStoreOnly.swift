import LiaisonConfig
import LiaisonStore

extension HubConfiguration {
    /// Opens the hub's SQLite store for a command that reads only SQLite so far, or refuses, naming the commands that
    /// work on PostgreSQL, when hub.yaml's `store:` is PostgreSQL: never a SQLite file beside a hub whose store is
    /// elsewhere, whose answer would be about the wrong store (or an empty one made on the spot).
    func openSQLiteStore(readOnly: Bool = true, command: String) throws -> HubStore {
        guard case .sqlite = store else {
            throw UserFacingError(
                "\(command): this command reads the SQLite store, and this hub's store is on PostgreSQL (store: in \(source)). "
                    + "On PostgreSQL: audit verify, proof, checkpoint, hold, release and holds, and store migrate (docs/operations.md).")
        }
        do { return try HubStore(path: databasePath, readOnly: readOnly) } catch {
            throw UserFacingError("\(command): cannot open the hub's store: \(error)")
        }
    }
}
