/// Why a report could not be made: a code for scripts and a message that tells the user what to do.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The desk holds nothing for the period asked.
        case noData = "no-data"
        /// A school, agreement or option the report was given is not known.
        case unknown = "unknown"
        /// A configuration file (targets, awards, register audits) is wrong: the message names file and line.
        case configInvalid = "config-invalid"
        /// The output folder or a file in it cannot be written.
        case folderUnusable = "folder-unusable"
        /// A file name would not be a plain name (a bug in the report, refused rather than written).
        case unsafeName = "unsafe-name"
        /// Chromium could not print the PDF.
        case printFailed = "print-failed"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}
