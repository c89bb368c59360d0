import Foundation
import GRDB
import MerkleLog

extension HubStore {
    /// The latest signed checkpoint as stored: its note, tree size, root, and when it was signed (milliseconds since
    /// 1970); nil before the broker has signed one. Its signature is not checked here (`Checkpoint.verify` does that).
    package func latestCheckpoint() throws(StoreError) -> (note: String, size: Int, root: MerkleTree.Hash, at: Int64)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT note, size, root, at FROM checkpoints ORDER BY size DESC LIMIT 1").map { row in
                let root: Data = row[2]
                return (note: row[0], size: row[1], root: Array(root), at: row[3])
            }
        }
    }
}
