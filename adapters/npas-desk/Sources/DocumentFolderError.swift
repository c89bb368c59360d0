/// Why the desk will not write a legal document to a folder (``PrivateDocumentFolder``): a code to match and a
/// message that says what to do. Messages name the folder, never what the documents hold.
///
/// ```swift
/// do { _ = try PrivateDocumentFolder(out) }
/// catch let error as DocumentFolderError where error.code == .folderNotPrivate { print(error.message) }   // "... chmod 700 ..."
/// ```
public struct DocumentFolderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which rule refuses (a struct so codes can grow).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case folderNotPrivate = "folder-not-private"
            case folderUnusable = "folder-unusable"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The folder exists and group or others can use it while it holds files, or it is another user's, or not a folder.
        public static let folderNotPrivate = Code(.folderNotPrivate)
        /// The folder or a file in it cannot be created, changed or written.
        public static let folderUnusable = Code(.folderUnusable)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// What is wrong and what to do.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
