import FuzzSupport
import LiaisonProtocol

// The envelope reader (the first thing the broker reads of a SEND). It must never trap, and an envelope it
// accepts must encode to bytes it reads back as the same envelope (recipients' envelopes are rebuilt that way).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzSupport.bytes(start, count)
    _ = Envelope.readID(bytes)
    guard let envelope = try? Envelope.decode(bytes) else { return 0 }
    let encoded = envelope.encoded()
    let again: Envelope
    do { again = try Envelope.decode(encoded) } catch {
        fatalError("An accepted envelope's own encoding is refused: \(error)")
    }
    precondition(again == envelope, "The envelope changed in a round trip")
    return 0
}

@_cdecl("FuzzEnvelope_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzSupport.runDriver(argc, argv) { fuzzEnvelope($0, $1) }
}
