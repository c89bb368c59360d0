import Foundation

/// A fresh folder under the system's temporary directory for one test, named `PREFIX-XXXXXXXX` so that one left
/// behind says which test made it. The test removes it when it ends, pass or fail:
///
///     let folder = try TemporaryFolder("rules")
///     defer { folder.remove() }
///
/// A folder handed to a child process (a broker, an adapter) is removed only after that process has been stopped.
/// Without the removal every run of the suite left a couple of hundred folders in /tmp.
package struct TemporaryFolder: Sendable {
    /// The folder's absolute path.
    package let path: String
    package var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// Chooses a unique path `TMP/PREFIX-XXXXXXXX` and, unless `create` is false, makes the folder. With `create:
    /// false` nothing is made: for a test of code that must make the folder itself (and set its mode).
    package init(_ prefix: String, create: Bool = true) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        if create { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    }

    /// `PATH/name`.
    package func appending(_ name: String) -> String { "\(path)/\(name)" }

    /// Removes the folder and everything in it; nothing if it is already gone.
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The temporary folders one test makes through a helper of its suite, all removed when this object goes. A suite
/// holds one (`let temporary = TemporaryFolders()`); Swift Testing makes a new suite value for each test and drops
/// it when the test ends, pass or fail, which removes every folder made through it.
package final class TemporaryFolders: Sendable {
    private let made = Locked<[TemporaryFolder]>([])

    package init() {}

    /// A fresh folder (see ``TemporaryFolder/init(_:create:)``), removed with the others.
    package func make(_ prefix: String, create: Bool = true) throws -> TemporaryFolder {
        let folder = try TemporaryFolder(prefix, create: create)
        made.withLock { $0.append(folder) }
        return folder
    }

    /// Removes every folder made so far.
    package func removeAll() {
        for folder in made.withLock({ folders in defer { folders = [] }; return folders }) { folder.remove() }
    }

    deinit { removeAll() }
}
