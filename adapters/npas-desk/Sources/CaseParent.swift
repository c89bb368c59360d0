import Foundation

/// A parent of a case's child (Education Act 1996 s.576), as the school's referral gives them, under the case's
/// reference for them.
///
/// A parent is one of the referral's contacts, named by the contact's number (its `order`, or its place from 1):
/// `C2`. Once the worker has chosen the contact as a defendant (`liaison case defendant`, the `case_defendants`
/// table), the parent is that defendant, `D1`, everywhere: a penalty notice issued to `C1` before the choice is
/// the notice of `D1` after it, so the prosecution checks match it to the defendant. The reference never carries
/// the name.
///
/// ```swift
/// let parent = try CaseParent(parent: "D1", in: deskCase, defendants: try store.defendants(of: deskCase.reference))
/// parent.contact   // 1: the referral's contact
/// parent.address   // the contact's address, or the child's when the contact lives with the child
/// ```
public struct CaseParent: @unchecked Sendable {
    // @unchecked: `json` and `address` hold only JSONSerialization's immutable values.

    /// The referral contact's number (its `order`).
    public let contact: Int
    /// `D1` when the contact is a chosen defendant, else `C1`.
    public let reference: String
    /// The defendant number, when the contact is a chosen defendant.
    public let defendantNumber: Int?
    /// The contact as the referral gives it (JSON object).
    let json: [String: Any]
    /// The address letters go to: the one the worker recorded for the defendant, the contact's own, or the
    /// child's when the contact has `address_as_pupil`.
    public let address: [String: Any]?

    /// The parent `parent` names on the case: `D` and a chosen defendant's number, or `C` and a referral contact's.
    /// - Throws: ``LegalRouteError/Code/unknownParent`` when it names nobody.
    public init(parent: String, in deskCase: DeskCase, defendants: [DeskDefendant]) throws(LegalRouteError) {
        let referral = (try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any]) ?? [:]
        let contacts = referral["contacts"] as? [[String: Any]] ?? []
        func contactNumber(_ index: Int, _ contact: [String: Any]) -> Int { (contact["order"] as? Int) ?? index + 1 }
        let number = Int(parent.dropFirst())
        var chosen: DeskDefendant?
        var contact: Int?
        switch parent.first {
        case "D": chosen = defendants.first { $0.number == number }; contact = chosen?.contact
        case "C": contact = number; chosen = defendants.first { $0.contact == number }
        default: break
        }
        guard let contact, let found = contacts.enumerated().first(where: { contactNumber($0.offset, $0.element) == contact })?.element else {
            let known = defendants.map(\.reference) + contacts.enumerated().map { "C\(contactNumber($0.offset, $0.element))" }
            throw LegalRouteError(
                .unknownParent,
                "\(parent) is not a parent on case \(deskCase.reference): name a chosen defendant (D1...) or a referral contact (C1...); "
                    + "this case has \(known.isEmpty ? "none" : known.joined(separator: ", ")) (`liaison case show \(deskCase.reference)`).")
        }
        // s.576: a parent has parental responsibility or care of the child. The referral records responsibility; care is
        // the worker's finding, recorded when they choose the contact as a defendant.
        guard found["parental_responsibility"] as? Bool == true || chosen?.hasCare == true else {
            throw LegalRouteError(
                .notAParent,
                "\(parent) has no parental responsibility in the referral and has not been recorded as having care of the child: "
                    + "if they are a parent in law (Education Act 1996 s.576), record it with `liaison case defendant \(deskCase.reference) "
                    + "--contact \(contact) --has-care ...`.")
        }
        self.contact = contact
        self.json = found
        defendantNumber = chosen?.number
        reference = chosen?.reference ?? "C\(contact)"
        let pupil = referral["pupil"] as? [String: Any] ?? [:]
        if let lines = chosen?.address, lines.count >= 2 {
            address = ["lines": Array(lines.dropLast()), "postcode": lines.last!]
        } else {
            address = found["address"] as? [String: Any] ?? (found["address_as_pupil"] as? Bool == true ? pupil["address"] as? [String: Any] : nil)
        }
    }

    /// The label of a referral contact on a case: `D1` once chosen as a defendant, else `C1`.
    static func label(contact: Int, defendants: [DeskDefendant]) -> String {
        defendants.first { $0.contact == contact }?.reference ?? "C\(contact)"
    }

    /// True if the referral gives the contact parental responsibility.
    public var parentalResponsibility: Bool { json["parental_responsibility"] as? Bool == true }

    /// The parent as a `penalty.notice` names them: reference, title, names, relationship, address.
    var noticeFields: [String: Any] {
        var fields: [String: Any] = ["reference": reference, "forename": json["forename"] ?? "", "surname": json["surname"] ?? ""]
        if let title = json["title"] { fields["title"] = title }
        if let relationship = json["relationship"] { fields["relationship"] = relationship }
        if let address { fields["address"] = address }
        return fields
    }

    /// Who the parent is across cases, for counting their notices for the child: surname and forename in capitals,
    /// letters only. Kept in the desk's store only.
    var key: String {
        DeskStore.matchKey(forename: json["forename"] as? String ?? "", surname: json["surname"] as? String ?? "", dateOfBirth: "")
    }
}
