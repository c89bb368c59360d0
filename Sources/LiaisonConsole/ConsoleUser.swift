/// A signed-in member of staff, as every page sees them: their console user name and their role.
public struct ConsoleUser: Sendable, Equatable {
    /// The console user name (`liaison console user add --name`), such as `esw.smith`.
    public let name: String
    /// What they may see and do.
    public let role: ConsoleRole

    public init(name: String, role: ConsoleRole) {
        self.name = name
        self.role = role
    }
}
