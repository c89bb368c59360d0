import Foundation
import StrictJSON
import LiaisonMessages

/// What the adapter remembers of a case whose bundle it wrote, to check the clerk's outcomes against it: each
/// defendant's reference in the bundle (`D1`) and number, and the offence the information alleges. It holds no
/// names, and is kept in `state/cases/CASE.json` (the case reference, `/` made `-`), since the clerk moves bundles
/// out of the outbox.
public struct BundledCase: Codable, Sendable, Equatable {
    /// `s444(1)` or `s444(1A)`, as the information alleges.
    public var offence: String
    /// Each defendant's number by their reference: `["D1": 1]`.
    public var defendants: [String: Int]

    public init(offence: String, defendants: [String: Int]) {
        self.offence = offence
        self.defendants = defendants
    }

    /// From a prosecution file: a defendant without a reference (schema version 1) is `D` and their number.
    init(file: JSONValue) {
        offence = file["offence"]?.stringValue ?? ""
        var defendants: [String: Int] = [:]
        for defendant in file["defendants"]?.arrayValue ?? [] {
            guard let number = defendant["defendant_number"]?.numberValue.flatMap(IntegerFields.integer) else { continue }
            defendants[defendant["reference"]?.stringValue ?? "D\(number)"] = number
        }
        self.defendants = defendants
    }

    /// `D1, D2`.
    var references: String { defendants.keys.sorted().joined(separator: ", ") }

    /// The file name under `state/cases/` for a case (its reference is checked as the schema says before it is
    /// used: capital letters, digits, `-` and `/`).
    static func fileName(_ caseReference: String) -> String {
        caseReference.replacingOccurrences(of: "/", with: "-") + ".json"
    }
}
