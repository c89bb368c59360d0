import FuzzSupport
import StrictJSON

// The hub's JSON reader (every body, every schema). It must never trap, and a value it reads must encode to
// JSON it reads back as the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let value = try? JSONValue.parse(FuzzSupport.bytes(start, count)) else { return 0 }
    let encoded = value.encoded()
    let again: JSONValue
    do { again = try JSONValue.parse(encoded) } catch {
        fatalError("A value the reader accepted encodes to JSON it refuses: \(String(decoding: encoded.prefix(200), as: UTF8.self))")
    }
    precondition(again == value, "The value changed in a round trip: \(String(decoding: encoded.prefix(200), as: UTF8.self))")
    return 0
}

@_cdecl("FuzzJSON_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzSupport.runDriver(argc, argv) { fuzzJSON($0, $1) }
}
