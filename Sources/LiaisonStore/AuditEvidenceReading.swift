import MerkleLog

/// What the CLI's evidence commands read from the hub's store, on either engine (`audit proof`, `audit checkpoint`,
/// `audit holds`): written once in each command, whichever engine hub.yaml's `store:` names.
package protocol AuditEvidenceReading {
    func checkpointNotes() throws(StoreError) -> [String]
    func legalHolds() throws(StoreError) -> [LegalHold]
    func auditEntry(_ entry: Int64) throws(StoreError) -> AuditRecord?
    func inclusionProof(entry: Int64, size: Int?) throws(StoreError) -> (leaf: MerkleTree.Hash, size: Int, root: MerkleTree.Hash, path: [MerkleTree.Hash])
}

extension HubStore: AuditEvidenceReading {}
