import GRDB

extension HubStore {
    /// How many deliveries each recipient has pending (committed, not yet acknowledged or dead-lettered), read once
    /// when the broker starts: its `liaison_queue_depth` gauges start from here.
    package func pendingDeliveryCounts() throws(StoreError) -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT recipient, count(*) FROM deliveries WHERE state = 'pending' GROUP BY recipient") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }
}
