/// A pupil's contact from a CTF `Contact`: who they are, their relationship and parental responsibility.
public struct PupilContact: Hashable, Sendable, Codable {
    /// The contact's priority order (1 = first to call), if given.
    public var order: Int?
    /// Title, e.g. "Mrs".
    public var title: String?
    public var surname: String?
    public var forename: String?
    /// The CTF relationship code, e.g. "MUM", "DAD", "CAR" (carer), "OTH".
    public var relationship: String?
    /// True if the contact has parental responsibility (CTF `Responsibility`).
    public var hasParentalResponsibility: Bool
    /// The contact's own address, or nil if it is the pupil's (`AddressAsPupil`) or not given.
    public var address: PostalAddress?
    /// True if the CTF says the contact lives at the pupil's address.
    public var addressAsPupil: Bool

    public init(
        order: Int? = nil, title: String? = nil, surname: String? = nil, forename: String? = nil,
        relationship: String? = nil, hasParentalResponsibility: Bool = false, address: PostalAddress? = nil,
        addressAsPupil: Bool = false
    ) {
        self.order = order
        self.title = title
        self.surname = surname
        self.forename = forename
        self.relationship = relationship
        self.hasParentalResponsibility = hasParentalResponsibility
        self.address = address
        self.addressAsPupil = addressAsPupil
    }
}

extension PupilContact {
    /// The contact's relationship as the message schemas name it (`mother`, `father`, `step_parent`, `grandparent`,
    /// `other_relative`, `foster_carer`, `guardian`, `special_guardian`, `carer`, `social_worker`, `other`),
    /// from the DfE relationship code the MIS exports.
    public var relationshipWord: String {
        switch relationship?.uppercased() ?? "" {
        case "MUM", "MOTHER": "mother"
        case "DAD", "FATHER": "father"
        case "STP", "STM", "STF", "STEP": "step_parent"
        case "GRM", "GRF", "GRP": "grandparent"
        case "REL", "FAM", "AUN", "UNC", "SIB": "other_relative"
        case "FOC", "FOM", "FOF", "FOS": "foster_carer"
        case "GDN", "GUA": "guardian"
        case "SGD", "SPG": "special_guardian"
        case "CAR": "carer"
        case "SWR", "SCW": "social_worker"
        default: "other"
        }
    }
}
