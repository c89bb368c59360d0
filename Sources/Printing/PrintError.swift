/// Why a document could not be printed to PDF: the message names the program or folder and what went wrong.
public struct PrintError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
