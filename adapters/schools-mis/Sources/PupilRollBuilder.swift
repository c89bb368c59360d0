import AttendanceDomain
import Foundation
import LiaisonMessages

/// The `pupil.roll` a register file becomes beside its return. Whatever in a pupil's details would not match
/// the schema (a name with a line break, an address without a postcode, a contact without a name) is left
/// out of the roll rather than refusing the whole roll: the return is what the school must get through.
package enum PupilRollBuilder {
    package static func roll(_ pupils: [PupilRecord], school: AttendanceReturn.School, asOf: String) -> PupilRoll {
        PupilRoll(school: school, asOf: asOf, pupils: pupils.map(pupil))
    }

    static func pupil(_ record: PupilRecord) -> PupilRoll.Pupil {
        let contacts = record.contacts.compactMap(contact).prefix(10)
        return PupilRoll.Pupil(
            upn: record.upn, forename: name(record.forename), surname: name(record.surname), dateOfBirth: record.dateOfBirth?.description,
            yearGroup: record.yearGroup?.rawValue, address: address(record.address), contacts: contacts.isEmpty ? nil : Array(contacts),
            sen: record.sen.map { PupilRoll.SEN(status: $0.provision.rawValue, primaryNeed: $0.primaryNeed) })
    }

    static func contact(_ contact: PupilContact) -> PupilRoll.Contact? {
        guard let forename = name(contact.forename), let surname = name(contact.surname) else { return nil }
        let order = contact.order.flatMap { (1...20).contains($0) ? $0 : nil }
        let title = contact.title.flatMap(shortText)
        let address = address(contact.address)
        return PupilRoll.Contact(
            order: order, title: title, forename: forename, surname: surname, relationship: contact.relationshipWord,
            parentalResponsibility: contact.hasParentalResponsibility, address: address,
            addressAsPupil: contact.addressAsPupil ? true : nil)
    }

    /// A name as the schema's `name_part` allows: one line, 1-100 characters, no space at either end.
    static func name(_ text: String?) -> String? {
        guard let text = text.map(trimmed), fits(text, limit: 100) else { return nil }
        return text
    }

    static func shortText(_ text: String) -> String? {
        let text = trimmed(text)
        return fits(text, limit: 200) ? text : nil
    }

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespaces) }

    /// Non-empty, at most `limit` characters as the schema counts them (Unicode scalars), and on one line with no
    /// control character: the schemas' `.` stops at every line terminator, not only CR and LF.
    static func fits(_ text: String, limit: Int) -> Bool {
        let scalars = text.unicodeScalars
        return !scalars.isEmpty && scalars.count <= limit
            && !scalars.contains { $0.properties.generalCategory == .control || [0x2028, 0x2029].contains($0.value) }
    }

    /// An address with 1-5 lines and a UK postcode in the schema's form; otherwise none.
    static func address(_ address: PostalAddress?) -> PupilRoll.Address? {
        guard let address, let postcode = address.postcode?.uppercased(), isPostcode(postcode) else { return nil }
        let lines = address.lines.compactMap(shortText).prefix(5)
        return lines.isEmpty ? nil : PupilRoll.Address(lines: Array(lines), postcode: postcode)
    }

    /// `^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$`, checked by hand on ASCII.
    static func isPostcode(_ text: String) -> Bool {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let outward = Array(parts[0].utf8), inward = Array(parts[1].utf8)
        func letter(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
        func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        guard inward.count == 3, digit(inward[0]), letter(inward[1]), letter(inward[2]) else { return false }
        var i = 0
        while i < outward.count, i < 2, letter(outward[i]) { i += 1 }
        guard i >= 1, i < outward.count, digit(outward[i]) else { return false }
        i += 1
        if i < outward.count, letter(outward[i]) || digit(outward[i]) { i += 1 }
        return i == outward.count
    }
}
