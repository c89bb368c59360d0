import FuzzSupport
import JSONSchema
import StrictJSON
import LiaisonProtocol
import LiaisonRules

// The schema check the broker makes on every body, against the project's own schemas/*.schema.json. The
// input's first byte chooses the message type (its index, modulo the count, in sorted order); the rest is
// the body. The check must never trap, whatever the body.

let schemas: MessageSchemas = {
    do { return try MessageSchemas.load(directory: "\(FuzzSupport.repositoryRoot)/schemas") } catch {
        fatalError("Cannot load the schemas (set LIAISON_ROOT to the repository): \(error)")
    }
}()
let types = schemas.types

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchemaValidator(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzSupport.bytes(start, count)
    guard let selector = bytes.first else { return 0 }
    let type = types[Int(selector) % types.count]
    _ = try? schemas.check(body: Array(bytes.dropFirst()), type: type, reference: "fuzz")
    return 0
}

@_cdecl("FuzzSchemaValidator_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzSupport.runDriver(argc, argv) { fuzzSchemaValidator($0, $1) }
}
