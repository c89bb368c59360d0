import AttendanceDomain
import FuzzSupport

// The CSV register reader, through a file as the schools' import reads it (so the chunked byte reader, the
// byte-order mark and the encoding checks are all on the path). It must report problems, never trap.

let reader = MISReader()
let path = "\(FuzzSupport.scratchFolder)/register.csv"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzSupport.write(FuzzSupport.bytes(start, count), to: path)
    _ = reader.readCSV(path: path)
    return 0
}

@_cdecl("FuzzCSV_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzSupport.runDriver(argc, argv) { fuzzCSV($0, $1) }
}
