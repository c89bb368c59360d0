import Foundation

/// A synthetic household: surname, address and the adults who are the children's contacts.
struct SyntheticFamily: Sendable {
    var surname: String
    var address: PostalAddress
    var contacts: [PupilContact]
}

/// A synthetic pupil with the attendance propensity that drives their marks.
struct SyntheticPupil: Sendable {
    var upn: UPN
    var surname: String
    var forename: String
    var dateOfBirth: SchoolDate
    var sex: String
    var yearGroup: YearGroup
    var lookedAfter: Bool
    var family: SyntheticFamily
    /// Special educational needs, drawn from the UPN (not the shared generator, so adding SEN changed no other draw).
    var sen: SENRecord { CountySynthesizer.sen(for: upn.value) }
    /// The share of days the pupil tends to miss.
    var absenceRate: Double
    /// How much of the pupil's absence tends to be unauthorised (0-1).
    var unauthorisedShare: Double
}

/// Families, each derived from its number and the seed (so no family needs to be kept once written), and a record
/// of which families have children of which age so younger siblings can join them, sometimes at another school.
struct FamilyPool {
    let seed: UInt64
    let laNumber: String
    /// Family numbers with a child already, most recent last (bounded, so memory stays small).
    private(set) var recent: [Int] = []
    private(set) var next = 0

    init(seed: UInt64, laNumber: String) {
        self.seed = seed
        self.laNumber = laNumber
    }

    /// A new family's number.
    mutating func newFamily() -> Int {
        next += 1
        recent.append(next)
        if recent.count > 4000 { recent.removeFirst(1000) }
        return next
    }

    /// The household of family `number`.
    func family(_ number: Int) -> SyntheticFamily {
        var random = SeededGenerator(seed: seed, stream: 0x4000_0000 + UInt64(number))
        let surname = random.pick(SyntheticNames.surnameStarts) + random.pick(SyntheticNames.surnameEnds)
        let street = random.pick(SyntheticNames.surnameStarts) + random.pick(SyntheticNames.surnameEnds).capitalized
        let streetName = street + " " + random.pick(SyntheticNames.streetKinds)
        let town = random.pick(SyntheticNames.towns)
        let postcode = "XX\(random.uniform(1...29)) \(random.uniform(1...9))\(random.pick(["A", "B", "D", "E", "F", "G", "H", "J"]))\(random.pick(["A", "B", "D", "E", "F", "G", "H", "J"]))"
        let address = PostalAddress(lines: ["\(random.uniform(1...180)) \(streetName)", town, "Synthshire"], postcode: postcode)
        var contacts: [PupilContact] = []
        let shape = random.weighted([0.55, 0.25, 0.12, 0.08])  // two parents, mum only, dad only, parent and grandparent
        if shape == 0 || shape == 1 || shape == 3 {
            contacts.append(PupilContact(order: 1, title: random.pick(["Mrs", "Ms", "Miss"]), surname: surname,
                                         forename: random.pick(SyntheticNames.adultFemale), relationship: "MUM",
                                         hasParentalResponsibility: true, addressAsPupil: true))
        }
        if shape == 0 || shape == 2 {
            let separated = shape == 0 && random.chance(0.15)
            contacts.append(PupilContact(order: contacts.count + 1, title: "Mr", surname: surname,
                                         forename: random.pick(SyntheticNames.adultMale), relationship: "DAD",
                                         hasParentalResponsibility: true,
                                         address: separated ? PostalAddress(lines: ["\(random.uniform(1...90)) \(random.pick(SyntheticNames.surnameStarts))gate Road", random.pick(SyntheticNames.towns), "Synthshire"], postcode: "XX\(random.uniform(1...29)) \(random.uniform(1...9))ZZ") : nil,
                                         addressAsPupil: !separated))
        }
        if shape == 3 {
            contacts.append(PupilContact(order: contacts.count + 1, title: "Mrs", surname: random.pick(SyntheticNames.surnameStarts) + "ley",
                                         forename: random.pick(SyntheticNames.adultFemale), relationship: "GRM",
                                         hasParentalResponsibility: false, addressAsPupil: false))
        }
        return SyntheticFamily(surname: surname, address: address, contacts: contacts)
    }

    /// A family for a looked-after child: a foster carer without parental responsibility (the LA holds it).
    func fosterFamily(_ number: Int) -> SyntheticFamily {
        var family = family(number)
        var random = SeededGenerator(seed: seed, stream: 0x5000_0000 + UInt64(number))
        let carer = PupilContact(order: 1, title: random.pick(["Mrs", "Mr", "Ms"]), surname: family.surname,
                                 forename: random.pick(SyntheticNames.adultFemale + SyntheticNames.adultMale), relationship: "CAR",
                                 hasParentalResponsibility: false, addressAsPupil: true)
        family.contacts = [carer]
        return family
    }

    /// A recent family for a sibling (nil if none yet).
    func recentFamily(_ random: inout SeededGenerator) -> Int? { recent.isEmpty ? nil : recent[recent.count - 1 - random.uniform(min(recent.count, 400))] }
}

extension CountySynthesizer {
    /// The year groups a school of this phase teaches.
    static func yearGroups(_ phase: SchoolPhase) -> [YearGroup] {
        let names: [String]
        switch phase {
        case .secondary: names = ["7", "8", "9", "10", "11"]
        case .special: names = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
        default: names = ["R", "1", "2", "3", "4", "5", "6"]
        }
        return names.map { YearGroup($0)! }
    }

    /// SEN for a UPN, at about the national shares (13.6% SEN support, 4.8% EHC plans): an FNV-1a hash of the
    /// UPN picks the provision and the primary need, so the same pupil has the same SEN in every file.
    static func sen(for upn: String) -> SENRecord {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in upn.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let draw = hash % 1000
        let need = SENRecord.needs[Int((hash / 1000) % UInt64(SENRecord.needs.count - 1))]  // NSA is not a need
        if draw < 48 { return SENRecord(provision: .ehcPlan, primaryNeed: need) }
        if draw < 184 { return SENRecord(provision: .senSupport, primaryNeed: need) }
        return .none
    }

    /// The school's pupils: names, DOBs fitting their year groups, families, UPNs, attendance propensities.
    func makePupils(school: SchoolEntry, schoolIndex: Int, roll: Int, families: inout FamilyPool) -> [SyntheticPupil] {
        makePupils(school: school, schoolIndex: schoolIndex, roll: roll, families: &families, year: configuration.rosterYear ?? configuration.academicYear)
    }

    /// The school's pupils as its roll stood in `year`.
    func makePupils(school: SchoolEntry, schoolIndex: Int, roll: Int, families: inout FamilyPool, year: Int) -> [SyntheticPupil] {
        var random = SeededGenerator(seed: configuration.seed, stream: 100 + UInt64(schoolIndex))
        let groups = Self.yearGroups(school.phase)
        var serials: [String: Int] = [:]
        var pupils: [SyntheticPupil] = []
        pupils.reserveCapacity(roll)
        // Propensity groups by phase: (severe share, persistent share, typical mean rate).
        let (severe, persistent, typical): (Double, Double, Double)
        switch school.phase {
        case .secondary: (severe, persistent, typical) = (0.028, 0.21, 0.024)
        case .special: (severe, persistent, typical) = (0.05, 0.33, 0.03)
        default: (severe, persistent, typical) = (0.012, 0.135, 0.018)
        }
        for index in 0..<roll {
            let group = groups[index * groups.count / roll]
            let cohort = year - group.offset! - 5
            let start = SchoolDate(year: cohort, month: 9, day: 1)!
            let dateOfBirth = start.adding(days: random.uniform(start.days(to: SchoolDate(year: cohort + 1, month: 8, day: 31)!) + 1))
            let lookedAfter = random.chance(0.01)
            let familyNumber: Int
            if !lookedAfter, random.chance(0.3), let sibling = families.recentFamily(&random) {
                familyNumber = sibling
            } else {
                familyNumber = families.newFamily()
            }
            let family = lookedAfter ? families.fosterFamily(familyNumber) : families.family(familyNumber)
            let sex = random.chance(0.5) ? "F" : "M"
            let forename = random.pick(sex == "F" ? SyntheticNames.forenamesFemale : SyntheticNames.forenamesMale)
            // UPN: issued in the pupil's reception year by this school; serials unique per school and issue year.
            let issueYear = (cohort + 5) % 100
            let serialKey = String(issueYear)
            let serialNumber = serials[serialKey, default: 0]
            serials[serialKey] = serialNumber + 1
            let yearDigits = (issueYear + serialNumber / 1000) % 100
            let upn = UPN.make(la: configuration.laNumber, estab: school.laestab.establishment,
                               year: yearDigits < 10 ? "0\(yearDigits)" : String(yearDigits),
                               serial: String(1000 + serialNumber % 1000).suffix(3).description)!
            let draw = random.unit()
            var rate: Double
            var unauthorisedShare: Double
            if draw < severe {
                rate = 0.5 + 0.4 * random.unit()
                unauthorisedShare = 0.55
            } else if draw < severe + persistent {
                rate = 0.1 + 0.22 * random.unit()
                unauthorisedShare = 0.4
            } else {
                rate = min(0.08, -typical * log(max(1e-9, random.unit())))
                unauthorisedShare = 0.2
            }
            if lookedAfter { rate *= 0.8 }
            pupils.append(SyntheticPupil(upn: upn, surname: family.surname, forename: forename, dateOfBirth: dateOfBirth, sex: sex,
                                         yearGroup: group, lookedAfter: lookedAfter, family: family, absenceRate: rate,
                                         unauthorisedShare: unauthorisedShare))
        }
        return pupils
    }

    /// The school's pupils ``Configuration/yearsBeforeRoster`` years before the roster's year: the roster's pupils
    /// each that many year groups younger (left out if that is below the school's first), their absence scaled by a
    /// factor drawn for the year from the UPN (so the same pupil has the same factor whatever else is drawn); and, in
    /// the year groups those have not reached, the pupils who have since left, as that year's own roll had them (their
    /// UPNs were issued in other years, so they are never the roster's). The roll itself in the roster's year.
    func pupils(school: SchoolEntry, schoolIndex: Int, roll: Int, families: inout FamilyPool) -> [SyntheticPupil] {
        let years = configuration.yearsBeforeRoster
        let roster = makePupils(school: school, schoolIndex: schoolIndex, roll: roll, families: &families)
        guard years > 0 else { return roster }
        let groups = Self.yearGroups(school.phase)
        let stayed: [SyntheticPupil] = roster.compactMap { pupil in
            guard let position = groups.firstIndex(of: pupil.yearGroup), position >= years else { return nil }
            var younger = pupil
            younger.yearGroup = groups[position - years]
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(years)
            for byte in pupil.upn.value.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            let factor = 0.5 + 1.1 * Double(hash % 1000) / 1000
            younger.absenceRate = min(0.95, pupil.absenceRate * factor)
            return younger
        }
        let leftSince = Set(groups.suffix(years))
        let leavers = makePupils(school: school, schoolIndex: schoolIndex, roll: roll, families: &families, year: configuration.academicYear)
            .filter { leftSince.contains($0.yearGroup) }
        return leavers + stayed
    }
}
