import NIOPosix

/// Runs blocking work (SQLite, file reads, bcrypt) on NIO's thread pool, never on Swift's cooperative pool: every page
/// of the console reads its stores through this.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}
