import AttendanceDomain
import Foundation
@testable import LegalProcess

/// `YYYY-MM-DD` as a date (tests only: a typo fails loudly).
func day(_ text: String) -> SchoolDate {
    guard let date = SchoolDate(parsing: text) else { fatalError("not a date: \(text)") }
    return date
}

/// The repository's root, for the shipped configuration in config/legal/.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped configuration folder.
let legalConfig = repository.appendingPathComponent("config/legal").path

/// The shipped penalty-notice framework.
let framework: PenaltyNoticeFramework = {
    do { return try PenaltyNoticeFramework.load(path: "\(legalConfig)/penalty-notices.yaml") } catch { fatalError("\(error)") }
}()
