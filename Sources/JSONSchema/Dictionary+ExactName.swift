extension Dictionary where Key == String {
    /// The value for `name` only where the key is `name` code point for code point. A dictionary finds a key by Swift's
    /// `==`, which equates canonical equivalents ("K" and U+212A KELVIN SIGN, "é" and "e" + U+0301); JSON Schema
    /// compares names by code point, so a member named with the Kelvin sign is not the property `K`. (A JSON object
    /// cannot hold two equivalent names: the reader refuses the second, so the key found is the only candidate.)
    func value(forExactName name: String) -> Value? {
        guard let index = index(forKey: name) else { return nil }
        let entry = self[index]
        return entry.key.utf8.elementsEqual(name.utf8) ? entry.value : nil
    }

    /// Whether a key is `name` code point for code point (``value(forExactName:)``).
    func hasExactName(_ name: String) -> Bool { value(forExactName: name) != nil }
}
