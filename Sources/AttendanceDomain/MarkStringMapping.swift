/// The one-character-per-session alphabet of CTF mark strings, shared by the reader and the synthesiser.
///
/// A CTF `AttendanceMarks` string holds one character per session, but the 2024 code set has two-character codes.
/// Liaison maps them to characters no DfE code uses (documented in docs/mis-formats.md):
///
/// | code | character |
/// |---|---|
/// | J1 | `j` |
/// | C1 | `c` |
/// | C2 | `p` |
/// | Y1-Y7 | `1`-`7` |
///
/// Every single-character code stands for itself; `#` is a non-school day or closure and `-` a missing mark.
/// Mapping is case-sensitive (`i` is not `I`).
public enum MarkStringMapping {
    /// The two-character codes and their mark-string characters.
    public static let multiCharacterCodes: [(code: String, character: Character)] = [
        ("J1", "j"), ("C1", "c"), ("C2", "p"),
        ("Y1", "1"), ("Y2", "2"), ("Y3", "3"), ("Y4", "4"), ("Y5", "5"), ("Y6", "6"), ("Y7", "7"),
    ]

    /// The mark-string character for a code, or nil if the code has no single-character form.
    public static func character(for code: String) -> Character? {
        if code.count == 1 { return code.first }
        return multiCharacterCodes.first { $0.code == code }?.character
    }

    /// The code a mark-string character stands for (itself, unless it is one of the mapped characters).
    public static func code(for character: Character) -> String {
        multiCharacterCodes.first { $0.character == character }?.code ?? String(character)
    }
}
