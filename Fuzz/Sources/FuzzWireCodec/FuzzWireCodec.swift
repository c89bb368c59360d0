import FuzzSupport
import LiaisonProtocol

// The wire codec and the per-connection state machine, as the broker's poll loop drives them: each message
// of the input (see FuzzSupport.messages) is decoded and handed to one PeerSession. Decoding must never
// trap, and a command that decodes must encode to frames that decode to the same command.

let limits = PeerSession.Limits(
    hubName: "fuzz-hub", heartbeatMilliseconds: 5_000, maxBodyBytes: 1 << 20, maxEnvelopeBytes: 8_192, maxCredit: 1_000)
let agency = AgencyID("fuzz-agency")!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireCodec(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var session = PeerSession(agency: agency, limits: limits, now: 0)
    var now: Int64 = 0
    for frames in FuzzSupport.messages(FuzzSupport.bytes(start, count)) {
        now += 1_000
        let result: Result<AdapterCommand, ProtocolError>
        do {
            let command = try WireCodec.decodeAdapterCommand(frames[...])
            checkRoundTrip(command)
            result = .success(command)
        } catch {
            result = .failure(error)
        }
        let action = session.receive(result, now: now)
        if case .reply(let reply) = action { _ = WireCodec.encode(reply) }
        if case .welcome = action, session.hasCredit { session.didDeliver(tag: now, now: now) }
        _ = session.tick(now: now)
        // The adapter's side reads the broker's frames with the other decoder.
        _ = try? WireCodec.decodeHubCommand(frames)
    }
    return 0
}

/// A command that decoded encodes to frames that decode to it again (a NACK's reason is cut to 1,024 bytes
/// and decoded leniently, so only its tag and disposition must survive).
func checkRoundTrip(_ command: AdapterCommand) {
    let again: AdapterCommand
    do { again = try WireCodec.decodeAdapterCommand(WireCodec.encode(command)[...]) } catch {
        fatalError("\(command) decoded but its own encoding does not: \(error)")
    }
    switch (command, again) {
    case (.nack(let tag, let disposition, _), .nack(let tagAgain, let dispositionAgain, _)):
        precondition(tag == tagAgain && disposition == dispositionAgain, "NACK changed in a round trip: \(command) became \(again)")
    default:
        precondition(command == again, "\(command) became \(again) in a round trip")
    }
}

@_cdecl("FuzzWireCodec_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzSupport.runDriver(argc, argv) { fuzzWireCodec($0, $1) }
}
