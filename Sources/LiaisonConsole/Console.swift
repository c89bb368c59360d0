import AttendanceDomain
import Foundation
import Logging
import NPASDesk

/// Everything a console page needs: the configuration, the templates, the users and their view log, the sessions, and
/// the stores. Built once at startup by ``build(configuration:options:)`` and captured by every route.
public struct Console: Sendable {
    /// What the console was started with.
    public let configuration: ConsoleConfiguration
    /// The layout and every page's template (``ConsolePages/render(_:title:data:context:status:)``).
    public let pages: ConsolePages
    /// The console's users, the sign-in attempts, and the view log (``ConsoleUsers/recordView(user:upn:page:)``).
    public let users: ConsoleUsers
    /// The signed-in sessions.
    public let sessions: ConsoleSessions
    /// The desk's store, opened read-only, for every page that reads it; nil when `desk.sqlite` is not there yet (the
    /// pages say so rather than the console refusing to start).
    public let desk: DeskStore?
    /// The console's logger (no personal data at info).
    public let logger: Logger
    /// The attendance pages' figures, kept per desk data version and read when the console starts and whenever the
    /// desk changes (``AttendanceWarmUp``, one of the application's services); nil when there is no desk.
    let attendanceFigures: AttendanceFigures?
    /// The county's schools (`schools` in the configuration), for names and phases; nil when not configured or unreadable.
    public var directory: SchoolDirectory? {
        configuration.schoolsFile.flatMap { try? SchoolDirectory(contentsOf: URL(fileURLWithPath: $0)) }
    }

    /// The hub's store (`hub.sqlite` in its `data_dir`), read-only; nil when `hub_config` is not set or names a hub whose
    /// store is on PostgreSQL.
    public var hubStorePath: String? { configuration.hubStorePath }

    /// Where the pages read the hub's store, or why they cannot.
    public var hubStore: HubStoreAccess {
        HubStoreAccess(
            path: configuration.hubStorePath,
            missing: configuration.hubStoreElsewhere
                ?? "The console has no hub_config, so it cannot read the hub's store: set hub_config in console.yaml and restart it.")
    }

    /// What the tests change: bcrypt's cost, the clock, extra templates.
    public struct Options: Sendable {
        /// Bcrypt's cost for new passwords (4...31; 12 in service, 4 in tests).
        public var bcryptCost: UInt8
        /// The time now (the tests move it to expire sessions and rate limits).
        public var now: @Sendable () -> Date
        /// Templates added after every page's (the tests' own).
        public var extraTemplates: [(name: String, template: String)]

        public init(
            bcryptCost: UInt8 = 12, now: @escaping @Sendable () -> Date = { Date() }, extraTemplates: [(name: String, template: String)] = []
        ) {
            self.bcryptCost = bcryptCost
            self.now = now
            self.extraTemplates = extraTemplates
        }
    }

    /// Opens the console's state (making it on the first start), the desk's store read-only, and registers every page's
    /// templates and links.
    ///
    /// - Throws: ``ConsoleError`` when the state cannot be made or a template does not parse; the desk's store's error
    ///   when it is there but cannot be opened.
    public static func build(configuration: ConsoleConfiguration, options: Options = Options(), logger: Logger = Logger(label: "liaison.console")) throws -> Console {
        var pages = try ConsolePages()
        for (name, template) in AttendancePages.templates + CaseworkPages.templates + GovernancePages.templates + OperationsPages.templates + options.extraTemplates {
            try pages.register(template, named: name)
        }
        pages.add(links: AttendancePages.links + CaseworkPages.links + ViewLogPage.links + GovernancePages.links + OperationsPages.links)
        let users = try ConsoleUsers(folder: configuration.stateDirectory, bcryptCost: options.bcryptCost, now: options.now)
        let deskPath = configuration.deskStorePath
        let desk = FileManager.default.fileExists(atPath: deskPath) ? try DeskStore(path: deskPath, readOnly: true) : nil
        let directory = configuration.schoolsFile.flatMap { try? SchoolDirectory(contentsOf: URL(fileURLWithPath: $0)) }
        let attendanceFigures = try desk.map { try AttendanceFigures(desk: $0, directory: directory, now: options.now) }
        return Console(
            configuration: configuration, pages: pages, users: users,
            sessions: ConsoleSessions(idleSeconds: configuration.idleMinutes * 60, secure: configuration.tls != nil, now: options.now),
            desk: desk, logger: logger, attendanceFigures: attendanceFigures)
    }

    /// A writable desk store for the pages' actions (allocating a case, adding a note): opened for the action and
    /// dropped after it, without the desk's message id key (casework sends nothing derived from a child's UPN).
    public func deskForActions() throws -> DeskStore {
        try DeskStore(path: configuration.deskStorePath, messageIDs: false)
    }
}
