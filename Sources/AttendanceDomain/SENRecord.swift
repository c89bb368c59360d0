/// A pupil's special educational needs as the school records them: the provision (CTF `SENprovision`, CSV
/// `sen_provision`) and the primary type of need (CTF `SENtype` ranked 1, CSV `sen_need`).
public struct SENRecord: Hashable, Sendable {
    /// The DfE SEN provision: N no special educational need, K SEN support, E an education, health and care plan.
    public enum Provision: String, Hashable, Sendable, CaseIterable {
        case none, senSupport = "sen_support", ehcPlan = "ehc_plan"

        /// The DfE code (`N`, `K`, `E`; a pre-2014 statement, `S`, is read as `E`; blank is `N`).
        public init?(code: String) {
            switch code.uppercased() {
            case "", "N": self = .none
            case "K": self = .senSupport
            case "E", "S": self = .ehcPlan
            default: return nil
            }
        }

        public var code: String {
            switch self {
            case .none: "N"
            case .senSupport: "K"
            case .ehcPlan: "E"
            }
        }
    }

    /// The DfE primary types of need.
    public static let needs = ["SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH", "NSA"]

    public var provision: Provision
    /// The primary type of need (one of ``needs``); nil when the pupil has none or it is not recorded.
    public var primaryNeed: String?

    public init(provision: Provision, primaryNeed: String? = nil) {
        self.provision = provision
        self.primaryNeed = provision == .none ? nil : primaryNeed
    }

    public static let none = SENRecord(provision: .none)
}
