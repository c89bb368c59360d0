/// Where the console's pages read the hub's store (`hub.sqlite`, read-only), or, when they cannot, why: no
/// `hub_config`, or a hub whose store is on PostgreSQL.
public struct HubStoreAccess: Sendable {
    public var path: String?
    /// The sentence a page shows when `path` is nil.
    public var missing: String
}
