/// `pupil.roll` (schemas/pupil.roll.schema.json): a school's pupils as its MIS records them, sent with each
/// return. The attendance service keeps it to work cases, to identify children its partners name, and to send
/// partners what their agreements allow (Connexions notifications need names, an address and a parent).
public struct PupilRoll: Codable, Sendable, Equatable {
    public static let type = "pupil.roll"

    public struct Address: Codable, Sendable, Equatable {
        public var lines: [String]
        public var postcode: String
        public init(lines: [String], postcode: String) {
            self.lines = lines
            self.postcode = postcode
        }
    }

    /// A person with care of the pupil; `relationship` is the schema's word (`mother`, `foster_carer`, ...).
    public struct Contact: Codable, Sendable, Equatable {
        public var order: Int?
        public var title: String?
        public var forename: String
        public var surname: String
        public var relationship: String
        public var parentalResponsibility: Bool
        public var address: Address?
        public var addressAsPupil: Bool?

        public init(
            order: Int?, title: String?, forename: String, surname: String, relationship: String, parentalResponsibility: Bool,
            address: Address?, addressAsPupil: Bool?
        ) {
            self.order = order
            self.title = title
            self.forename = forename
            self.surname = surname
            self.relationship = relationship
            self.parentalResponsibility = parentalResponsibility
            self.address = address
            self.addressAsPupil = addressAsPupil
        }

        enum CodingKeys: String, CodingKey {
            case order, title, forename, surname, relationship, address
            case parentalResponsibility = "parental_responsibility", addressAsPupil = "address_as_pupil"
        }
    }

    public struct SEN: Codable, Sendable, Equatable {
        /// `none`, `sen_support` or `ehc_plan`.
        public var status: String
        public var primaryNeed: String?
        public init(status: String, primaryNeed: String?) {
            self.status = status
            self.primaryNeed = primaryNeed
        }
        enum CodingKeys: String, CodingKey {
            case status
            case primaryNeed = "primary_need"
        }
    }

    public struct Pupil: Codable, Sendable, Equatable {
        public var upn: String
        public var forename: String?
        public var surname: String?
        public var dateOfBirth: String?
        public var yearGroup: String?
        public var address: Address?
        public var contacts: [Contact]?
        /// Nil when the school's file does not say (a CSV export without SEN columns).
        public var sen: SEN?

        public init(
            upn: String, forename: String?, surname: String?, dateOfBirth: String?, yearGroup: String?, address: Address?,
            contacts: [Contact]?, sen: SEN?
        ) {
            self.upn = upn
            self.forename = forename
            self.surname = surname
            self.dateOfBirth = dateOfBirth
            self.yearGroup = yearGroup
            self.address = address
            self.contacts = contacts
            self.sen = sen
        }

        enum CodingKeys: String, CodingKey {
            case upn, forename, surname, address, contacts, sen
            case dateOfBirth = "date_of_birth", yearGroup = "year_group"
        }

        /// The first contact, in contact order, with parental responsibility.
        public var firstParent: Contact? {
            (contacts ?? []).filter(\.parentalResponsibility).min { ($0.order ?? Int.max) < ($1.order ?? Int.max) }
        }
    }

    public var school: AttendanceReturn.School
    public var asOf: String
    public var pupils: [Pupil]

    public init(school: AttendanceReturn.School, asOf: String, pupils: [Pupil]) {
        self.school = school
        self.asOf = asOf
        self.pupils = pupils
    }

    enum CodingKeys: String, CodingKey {
        case school, pupils
        case asOf = "as_of"
    }
}
