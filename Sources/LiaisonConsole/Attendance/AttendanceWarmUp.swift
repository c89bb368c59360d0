import Logging
import ServiceLifecycle

/// One of the console's services (run beside the HTTP server by ``ConsoleApplication/makeApplication(console:sender:)``):
/// reads the county's attendance figures when the console starts, then checks the desk's version every few seconds
/// and reads them anew when it has changed, so that the county page is ready before a manager asks for it (issue 13:
/// at most 300 ms) rather than read on their request. Stops when the console shuts down (a read under way finishes on
/// NIO's thread pool and is dropped).
///
/// The check is one small query (``AttendanceFigures/version(_:)``); the reads run one at a time, and a request for
/// the same figures waits for the read under way rather than starting its own.
struct AttendanceWarmUp: Service {
    let figures: AttendanceFigures
    /// How long between two checks of the desk's version.
    let interval: Duration
    let logger: Logger

    init(figures: AttendanceFigures, interval: Duration = .seconds(5), logger: Logger) {
        self.figures = figures
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        let clock = ContinuousClock(), started = clock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let began = clock.now
                let read = try await figures.refresh()
                if read > 0 {
                    let took = clock.now - began, sinceStart = clock.now - started
                    logger.info("console: the county's attendance figures read in \(took.milliseconds) ms (\(read) year(s); \(sinceStart.milliseconds) ms after start)")
                }
            } catch is CancellationError {
                return
            } catch {
                // The store's error (SQLite's message), not the figures: no personal data.
                logger.warning("console: the county's attendance figures could not be read (tried again in \(interval)): \(error)")
            }
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    fileprivate var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
