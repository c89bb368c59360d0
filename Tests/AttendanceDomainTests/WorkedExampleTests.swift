import AttendanceDomain
import Testing

/// The domain README's worked UPN examples.
@Suite("UPN worked examples")
struct WorkedExampleTests {
    @Test func theReadmesExamples() {
        if case .valid = UPN.check("Q926200024001") {} else { Issue.record("Q926200024001 is valid") }
        if case .valid = UPN.check("B801200005001") {} else { Issue.record("B801200005001 is valid") }
        if case .invalid = UPN.check("A801200005001") {} else { Issue.record("A801200005001 has the wrong check letter") }
    }
}
