import LiaisonConsole
import Testing

@Suite("Console roles")
struct ConsoleRoleTests {
    @Test("the four roles read back from their names")
    func names() {
        #expect(ConsoleRole.allCases.map(\.rawValue) == ["esw", "manager", "ig", "operator"])
        #expect(ConsoleRole(rawValue: "manager") == .manager && ConsoleRole(rawValue: "admin") == nil)
    }
}
