/// A page in the console's navigation and on the home page, shown to the roles it serves.
public struct ConsoleLink: Sendable {
    /// The page's path, such as `/cases`.
    public let path: String
    /// Its name in the navigation, such as `Cases`.
    public let label: String
    /// One sentence on the home page under the link.
    public let summary: String
    /// The roles that see the link (the page itself checks them again with ``ConsoleContext/require(_:)``).
    public let roles: [ConsoleRole]

    public init(path: String, label: String, summary: String, roles: [ConsoleRole]) {
        self.path = path
        self.label = label
        self.summary = summary
        self.roles = roles
    }
}
