/// One pupil as read from an MIS file: identity, family, marks for the period and the figures.
public struct PupilRecord: Hashable, Sendable {
    /// The UPN as written (check ``problems`` of the result: it may be invalid).
    public var upn: String
    public var surname: String?
    public var forename: String?
    public var dateOfBirth: SchoolDate?
    /// CTF Sex (or Gender before CTF 25): "M", "F" as written.
    public var sex: String?
    public var yearGroup: YearGroup?
    /// In public care (CTF LookedAfter/InCare).
    public var lookedAfter: Bool
    public var address: PostalAddress?
    /// Special educational needs; nil when the file does not say (a CSV export without SEN columns). A CTF pupil
    /// without `SENhistory` has none.
    public var sen: SENRecord?
    /// Contacts, in file order (CTF only; a CSV export carries none).
    public var contacts: [PupilContact]
    /// One entry per school day of the period, in date order; `-` where no mark was recorded.
    public var marks: [DayMarks]
    /// The figures of ``marks``.
    public var figures: PupilFigures

    /// The contacts with parental responsibility.
    public var contactsWithParentalResponsibility: [PupilContact] { contacts.filter(\.hasParentalResponsibility) }

    public init(
        upn: String, surname: String? = nil, forename: String? = nil, dateOfBirth: SchoolDate? = nil, sex: String? = nil,
        yearGroup: YearGroup? = nil, lookedAfter: Bool = false, address: PostalAddress? = nil, sen: SENRecord? = nil,
        contacts: [PupilContact] = [], marks: [DayMarks] = [], figures: PupilFigures = PupilFigures()
    ) {
        self.upn = upn
        self.surname = surname
        self.forename = forename
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.yearGroup = yearGroup
        self.lookedAfter = lookedAfter
        self.address = address
        self.sen = sen
        self.contacts = contacts
        self.marks = marks
        self.figures = figures
    }
}
