import Foundation
import LiaisonAdapterKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder a legal document with personal data is written to (`--out` of `liaison case sao notice`, `sao order`
/// and `eso`): the s.437 notice, the school attendance order and the education supervision order's application
/// pack name the child, the parents and their address.
///
/// Nobody but the desk's user can read them at any moment: the folder is 0700 and each file is written with
/// ``DropFolder/writeAtomically(_:to:)``, 0600 from its first byte and renamed into place, whatever the umask
/// (writing with `Data.write` and tightening afterwards left a moment when the file had the umask's mode).
///
/// The folder:
/// - **missing**: created 0700, with any missing parents (``DropFolder/createPrivateFolder(_:)``);
/// - **existing, this user's, no access for group or others**: used as it is;
/// - **existing, this user's, empty, but open to group or others**: tightened to 0700 (nothing in it was exposed,
///   and nothing will be);
/// - **otherwise** (open to others and not empty, or another user's, or not a folder): refused with
///   `folder-not-private`, naming the `chmod 700` to run or asking for another folder. The desk does not tighten a
///   folder that already holds files: someone may rely on reading them, and they were readable before.
///
/// ```swift
/// let folder = try PrivateDocumentFolder(out)          // before anything is recorded: a refusal records nothing
/// let path = try folder.write(document.jsonData(), name: "\(document.fileBase).json")
/// ```
public struct PrivateDocumentFolder: Sendable {
    /// The folder, standardised.
    public let path: String

    /// Opens (or creates) `path` as above.
    ///
    /// - Throws: ``DocumentFolderError`` `folder-not-private`, or `folder-unusable` if it cannot be created or changed.
    public init(_ path: String) throws {
        let standardized = (path as NSString).standardizingPath
        var status = stat()
        guard stat(standardized, &status) == 0 else {
            guard errno == ENOENT else {
                throw DocumentFolderError(.folderUnusable, "Cannot use the folder \(standardized): \(String(cString: strerror(errno))).")
            }
            do { self.path = try DropFolder.createPrivateFolder(standardized) } catch let error as AdapterError {
                throw DocumentFolderError(.folderUnusable, error.message)
            }
            return
        }
        self.path = standardized
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw DocumentFolderError(.folderNotPrivate, "\(standardized) is not a folder: give --out a new or private folder.")
        }
        guard status.st_uid == geteuid() else {
            throw DocumentFolderError(
                .folderNotPrivate,
                "The folder \(standardized) belongs to another user: the documents name the child and parents, so give --out a folder of your own.")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 != 0 else { return }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: standardized)) ?? [""]
        guard entries.isEmpty else {
            throw DocumentFolderError(
                .folderNotPrivate,
                "The folder \(standardized) holds files and group or others can use it (mode \(String(mode, radix: 8))): the documents name the "
                    + "child and parents. Run `chmod 700 \(standardized)` if what is in it may be private too, or give --out a new folder.")
        }
        guard chmod(standardized, 0o700) == 0 else {
            throw DocumentFolderError(.folderUnusable, "Cannot make the folder \(standardized) private (0700): \(String(cString: strerror(errno))).")
        }
    }

    /// Writes `data` as `name` in the folder, 0600 from its first byte; returns the path.
    ///
    /// - Throws: ``DocumentFolderError`` `folder-unusable`.
    @discardableResult
    public func write(_ data: Data, name: String) throws -> String {
        let file = "\(path)/\(name)"
        do { try DropFolder.writeAtomically(data, to: file) } catch let error as AdapterError {
            throw DocumentFolderError(.folderUnusable, error.message)
        }
        return file
    }
}
