import Foundation
import FuzzSupport
import LiaisonRules

// The sharing agreements' loader (`liaison rules check`, the broker at start and on reload) on one YAML
// file, checked against the project's schemas. It must report problems with file, line and key, never trap.

let schemas = try? MessageSchemas.load(directory: "\(FuzzSupport.repositoryRoot)/schemas")
let folder: String = {
    let folder = "\(FuzzSupport.scratchFolder)/agreements"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgreements(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzSupport.write(FuzzSupport.bytes(start, count), to: "\(folder)/agreement.yaml")
    let result = RuleSetLoader.load(directory: folder, agencies: nil, schemas: schemas, today: "2026-01-15")
    _ = result.ruleSet
    return 0
}

@_cdecl("FuzzAgreements_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzSupport.runDriver(argc, argv) { fuzzAgreements($0, $1) }
}
