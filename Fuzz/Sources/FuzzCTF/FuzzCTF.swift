import AttendanceDomain
import FuzzSupport

// The Common Transfer File reader (libxml2's streaming reader under the domain's parser), on a school's
// export held in memory. Whatever the bytes, it must report problems, never trap.

let reader = MISReader()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCTF(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    _ = reader.readCTF(bytes: FuzzSupport.bytes(start, count), name: "fuzz.xml")
    return 0
}

@_cdecl("FuzzCTF_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzSupport.runDriver(argc, argv) { fuzzCTF($0, $1) }
}
