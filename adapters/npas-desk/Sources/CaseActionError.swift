/// Why a casework action (``CaseActions``) was refused before anything was changed: a value missing or malformed.
///
/// The same check serves `liaison case` and the console's forms, which name a value differently (`--paid-on` on the
/// command line, "Date paid" on the page), so the error carries both wordings and the field it is about.
public struct CaseActionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value at fault, by its command-line option without the dashes (`paid-on`), or nil for the case itself.
    public var field: String?
    /// The message in the command line's words (`--date is a date, YYYY-MM-DD: '1/2' is not.`).
    public var commandLine: String
    /// The message in a form's words, for an error summary (`Date must be a date, YYYY-MM-DD: '1/2' is not.`).
    public var form: String

    public init(field: String?, commandLine: String, form: String) {
        self.field = field
        self.commandLine = commandLine
        self.form = form
    }

    /// An error about the case, worded the same everywhere.
    public init(_ message: String) {
        self.init(field: nil, commandLine: message, form: message)
    }

    public var description: String { commandLine }
}
