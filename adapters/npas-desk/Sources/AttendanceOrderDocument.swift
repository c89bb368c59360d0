import AttendanceDomain
import Foundation
import LegalProcess

/// The documents of a school attendance order (Education Act 1996 s.437), as JSON and as a printable HTML page:
///
/// - **the notice** (s.437(1)) to the parent: the authority's view that the child is not receiving suitable
///   education, the period (at least 15 days, `notice_period_days` in config/legal/school-attendance-orders.yaml) in
///   which the parent may satisfy it otherwise, how to answer, and what follows if they do not (an order; failing to
///   comply with it is an offence under s.443);
/// - **the order** (s.437(3)) naming the school, the days it gives to register the child there
///   (`compliance_period_days`, the authority's policy), and the consequence of not complying.
///
/// Each is built from what it is given and nothing else, so the same route gives the same bytes (golden files hold
/// it). Its file name is made from the desk's own case reference and the document's kind, never from text a sender
/// or a worker wrote (``fileBase``).
///
/// ```swift
/// let document = try AttendanceOrderDocument(kind: .notice, deskCase: item, route: route, parent: parent, rules: orders, officer: "E. Worker")
/// let folder = try PrivateDocumentFolder(out)   // 0700; the files 0600 from their first byte
/// try folder.write(try document.jsonData(), name: "\(document.fileBase).json")
/// ```
public struct AttendanceOrderDocument: @unchecked Sendable {
    // @unchecked: `referral` holds only JSONSerialization's immutable values.

    public enum Kind: String, Sendable {
        /// The s.437(1) notice.
        case notice = "sao-notice"
        /// The s.437(3) order.
        case order = "sao-order"
    }

    public let kind: Kind
    public let deskCase: DeskCase
    /// The route recorded: the notice (served on its `date`) or the order (made on its `date`, naming its `school`).
    public let route: DeskLegalRoute
    /// For an order: the notice before it.
    public let notice: DeskLegalRoute?
    public let parent: CaseParent
    public let rules: SchoolAttendanceOrder
    public let officer: String
    public let authority: String
    /// The named school's name, when the worker gives it (the desk holds only its LAESTAB, and the referral's school).
    public let schoolName: String?
    let referral: [String: Any]

    public init(
        kind: Kind, deskCase: DeskCase, route: DeskLegalRoute, notice: DeskLegalRoute? = nil, parent: CaseParent, rules: SchoolAttendanceOrder,
        officer: String, authority: String = "Example County Council", schoolName: String? = nil
    ) {
        self.kind = kind
        self.deskCase = deskCase
        self.route = route
        self.notice = notice
        self.parent = parent
        self.rules = rules
        self.officer = officer
        self.authority = authority
        self.schoolName = schoolName
        referral = (try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any]) ?? [:]
    }

    /// `sao-notice-NPAS-2026-0001`: the document's kind and the desk's case reference, any character other than a
    /// capital letter, digit or `-` made `-`, so a name can never leave the folder or carry a sender's text.
    public var fileBase: String {
        let safe = String(deskCase.reference.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return (c.isASCII && (c.isUppercase || c.isNumber)) || c == "-" ? c : "-"
        })
        return "\(kind.rawValue)-\(safe)"
    }

    var pupil: [String: Any] { referral["pupil"] as? [String: Any] ?? [:] }
    var childName: String { "\(pupil["forename"] ?? "") \(pupil["surname"] ?? "")" }
    /// The child's date of birth in words (`2 March 2011`).
    var born: String { ProsecutionFileBuilder.longDate(pupil["date_of_birth"] as? String ?? "") }
    var parentName: String {
        let json = parent.json
        return [json["title"], json["forename"], json["surname"]].compactMap { $0 as? String }.filter { !$0.isEmpty }.joined(separator: " ")
    }
    var parentAddress: [String] {
        guard let address = parent.address else { return [] }
        return (address["lines"] as? [String] ?? []) + [address["postcode"] as? String].compactMap { $0 }
    }
    /// The school named: the worker's name for it, or the referral's school when it is the same LAESTAB.
    var namedSchool: (laestab: String, name: String?) {
        let laestab = route.school ?? ""
        let referred = referral["school"] as? [String: Any] ?? [:]
        return (laestab, schoolName ?? (referred["laestab"] as? String == laestab ? referred["name"] as? String : nil))
    }
    var schoolText: String { namedSchool.name.map { "\($0) (LAESTAB \(namedSchool.laestab))" } ?? "the school with LAESTAB \(namedSchool.laestab)" }

    /// The day the notice was served: the route's own date for a notice, the notice's for an order.
    var servedOn: SchoolDate? { kind == .notice ? route.date : notice?.date }

    /// The parts of the document, in order: a heading and its paragraphs. The JSON and the HTML both carry them,
    /// so the words sent are the words printed.
    var sections: [(String, [String])] {
        let child = "\(childName) (born \(born))"
        switch kind {
        case .notice:
            let due = rules.responseDue(noticeServed: route.date), earliest = rules.earliestOrderDate(noticeServed: route.date)
            return [
                ("Why you are receiving this notice", [
                    "It appears to \(authority) that \(child), a child of compulsory school age, is not receiving suitable education, "
                        + "either by regular attendance at school or otherwise (Education Act 1996, section 437(1)).",
                ]),
                ("What you are required to do", [
                    "You are required to satisfy the authority, by the end of \(Self.long(due)) (\(rules.noticePeriodDays) days from "
                        + "\(Self.long(route.date)), the day this notice was served), that \(childName) is receiving efficient full-time "
                        + "education suitable to their age, ability and aptitude and to any special educational needs they may have.",
                ]),
                ("How to answer", [
                    "Write to, telephone or visit \(officer), Education Social Worker, at \(authority), quoting case \(deskCase.reference). "
                        + "Tell the authority where \(childName) is being educated: the school at which they are registered, or, if you educate "
                        + "them otherwise than at school, what they are taught, by whom, when and with what materials, with examples of their work.",
                ]),
                ("If you do not satisfy the authority", [
                    "If you do not satisfy the authority by \(Self.long(due)), and it is of the opinion that \(childName) should attend "
                        + "school, it may from \(Self.long(earliest)) serve on you a school attendance order (section 437(3)) requiring you "
                        + "to cause \(childName) to become a registered pupil at the school named in the order.",
                    "Failing to comply with a school attendance order is an offence (section 443), for which a magistrates' court may fine "
                        + "you up to £1,000 (level 3) and make a parenting order.",
                ]),
            ]
        case .order:
            let comply = rules.complianceEnds(orderMade: route.date)
            var grounds = "\(authority) served notice on you under section 437(1)"
            if let served = servedOn {
                grounds += " on \(Self.long(served)), giving you until \(Self.long(rules.responseDue(noticeServed: served)))"
            }
            grounds += " to satisfy it that \(child) is receiving suitable education. You have not satisfied the authority, and it is of the "
                + "opinion that it is expedient that \(childName) should attend school."
            return [
                ("Why this order is made", [grounds]),
                ("What this order requires", [
                    "You are required to cause \(childName) to become a registered pupil at \(schoolText) by the end of \(Self.long(comply)) "
                        + "(\(rules.compliancePeriodDays) days from \(Self.long(route.date)), the day this order was made).",
                    "The order continues in force for as long as \(childName) is of compulsory school age, unless the authority revokes it "
                        + "(section 437(4)). You may ask the authority to revoke it if arrangements have been made for \(childName) to receive "
                        + "suitable education otherwise than at school (section 442).",
                ]),
                ("If you do not comply", [
                    "Failing to comply with the requirements of this order is an offence (section 443) unless you prove that \(childName) is "
                        + "receiving suitable education otherwise than at school. The authority may prosecute you in the magistrates' court, "
                        + "which may fine you up to £1,000 (level 3), make a parenting order, and direct the authority to apply for an "
                        + "education supervision order (section 447).",
                ]),
                ("Questions", [
                    "Contact \(officer), Education Social Worker, at \(authority), quoting case \(deskCase.reference).",
                ]),
            ]
        }
    }

    /// `3 November 2025`, as ProsecutionFileBuilder writes dates into a document's words.
    static func long(_ date: SchoolDate) -> String { ProsecutionFileBuilder.longDate(date.description) }

    var title: String {
        kind == .notice ? "Notice under section 437(1) of the Education Act 1996" : "School attendance order: section 437(3) of the Education Act 1996"
    }

    /// The document as JSON (sorted keys, pretty printed: the same route gives the same bytes).
    public var json: [String: Any] {
        var child: [String: Any] = ["upn": deskCase.upn]
        for key in ["forename", "surname", "date_of_birth"] { if let value = pupil[key] { child[key] = value } }
        var document: [String: Any] = [
            "document": title,
            "case_reference": deskCase.reference,
            "authority": authority,
            "officer": ["name": officer, "role": "Education Social Worker"],
            "parent": ["reference": parent.reference, "name": parentName, "address": parentAddress],
            "child": child,
            "sections": sections.map { ["heading": $0.0, "paragraphs": $0.1] },
        ]
        switch kind {
        case .notice:
            document["served_on"] = route.date.description
            document["notice_period_days"] = rules.noticePeriodDays
            document["respond_by"] = rules.responseDue(noticeServed: route.date).description
            document["order_possible_from"] = rules.earliestOrderDate(noticeServed: route.date).description
        case .order:
            document["made_on"] = route.date.description
            if let served = servedOn { document["notice_served_on"] = served.description }
            var school: [String: Any] = ["laestab": namedSchool.laestab]
            if let name = namedSchool.name { school["name"] = name }
            document["school"] = school
            document["compliance_period_days"] = rules.compliancePeriodDays
            document["comply_by"] = rules.complianceEnds(orderMade: route.date).description
        }
        return document
    }

    public func jsonData() throws -> Data {
        var data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    /// The document as a printable page: letterhead, the parent's name and address, the child, the sections, the
    /// signature block; the case reference on every printed page.
    public func html() -> String {
        func escape(_ text: Any?) -> String {
            "\(text ?? "")".replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let dated = Self.long(route.date)
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)): case \(escape(deskCase.reference))</title>
            <style>body{font-family:Georgia,serif;max-width:48em;margin:2em auto;line-height:1.45}h1{font-size:1.3em}
            h2{font-size:1.05em;border-bottom:1px solid #444}.to{margin:1.5em 0}
            @page{size:A4;margin:2cm}@media print{footer{position:fixed;bottom:0}}</style></head>
            <body>
            <p><strong>\(escape(authority))</strong><br>Attendance service. Case \(escape(deskCase.reference)). Official: sensitive.</p>
            <div class="to"><p>\(escape(parentName))<br>\(parentAddress.map(escape).joined(separator: "<br>"))</p></div>
            <p>\(kind == .notice ? "Served on" : "Made and served on") \(escape(dated))</p>
            <h1>\(escape(title))</h1>
            <p>Child: \(escape(childName)), born \(escape(born)).</p>

            """
        for (heading, paragraphs) in sections {
            page += "<h2>\(escape(heading))</h2>\n" + paragraphs.map { "<p>\(escape($0))</p>\n" }.joined()
        }
        page += """
            <p>Signed: ______________________ \(escape(officer)), Education Social Worker, for \(escape(authority)). Date: \(escape(dated))</p>
            <footer><small>Case \(escape(deskCase.reference)). Official: sensitive.</small></footer>
            </body></html>

            """
        return page
    }
}
