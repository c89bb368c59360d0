/// A postal address as lines and a postcode (CTF BS7666Address and AddressLines both become lines).
public struct PostalAddress: Hashable, Sendable, Codable {
    /// Non-empty lines, most specific first (e.g. "12 High Street", "Dereham", "Norfolk").
    public var lines: [String]
    /// The postcode, if given.
    public var postcode: String?

    public init(lines: [String], postcode: String? = nil) {
        self.lines = lines
        self.postcode = postcode
    }

    /// The address on one line, e.g. "12 High Street, Dereham, NR19 1AA".
    public var singleLine: String { (lines + [postcode].compactMap { $0 }).joined(separator: ", ") }
}
