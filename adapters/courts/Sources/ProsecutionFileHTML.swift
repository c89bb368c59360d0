import AttendanceDomain
import Foundation
import StrictJSON
import LiaisonMessages

/// The prosecution file as the bundle's main printable document, for the clerk and the bench: a cover sheet; the
/// bundle's documents; the information and summons, with each defendant's statement and particulars of offence;
/// the defendants (reference, date of birth, address, why each is a parent under s.576); the child; the offence;
/// the attendance the certificate shows; the interventions and penalty notices; the schedule of costs; the
/// exhibits list; and a copy of each warning letter and notice, each on its own page. The s.566 certificate and the
/// s.9 statement are documents of their own (``AttendanceCertificateHTML``, ``WitnessStatementHTML``).
struct ProsecutionFileHTML: PrintedDocument {
    let file: JSONValue

    init(_ file: JSONValue) {
        self.file = file
    }

    static let offences = [
        "444(1)": "Education Act 1996, section 444(1): being the parent of a child of compulsory school age who is registered at a school and fails to attend it regularly. Summary only; level 3 fine (maximum £1,000).",
        "444(1A)": "Education Act 1996, section 444(1A): knowing that the child is failing to attend regularly, and failing without reasonable justification to cause the child to attend. Summary only; level 4 fine (maximum £2,500) and/or up to 3 months' imprisonment.",
        "443": "Education Act 1996 s.443: being the parent on whom a school attendance order (s.437) is served, failing to comply with its requirements. Summary only; level 3 fine (maximum £1,000).",
    ]

    /// The statement of offence, as the information words it.
    static let statements = [
        "444(1)": "Being the parent of a child of compulsory school age registered at a school, who failed to attend regularly at the school, contrary to section 444(1) of the Education Act 1996.",
        "444(1A)": "Being the parent of a child of compulsory school age registered at a school, who failed to attend regularly at the school, knowing that the child was failing to attend regularly and failing without reasonable justification to cause the child to do so, contrary to section 444(1A) of the Education Act 1996.",
        "443": "Being the parent on whom a school attendance order was served, failing to comply with the requirements of the order, contrary to section 443 of the Education Act 1996.",
    ]

    /// How the cover names the offence: "Education Act 1996 s.443" for an attendance order's breach; the s.444
    /// offences as before ("Education Act 1996, section 444(1)").
    var offenceTitle: String { offence == "443" ? "Education Act 1996 s.443" : "Education Act 1996, section \(offence)" }

    var offence: String { text(file["offence"]) }
    var defendants: [JSONValue] { file["defendants"]?.arrayValue ?? [] }
    var exhibits: [JSONValue] { file["exhibits"]?.arrayValue ?? [] }

    func render() -> String {
        let court = text(file["hearing"]?["court"]?["name"])
        var html = head(title: "Prosecution file", margins: PageMargins(
            topLeft: "Case \(caseReference): prosecution file", bottomLeft: "\(text(file["information"]?["prosecutor"])) v. \(defendantReferences())"))
        html += """
            <div class="box centre" style="padding:2em 1em">
            <p>IN THE \(escape(court.uppercased()))</p>
            \(courtAddress())
            <h1>Prosecution file</h1>
            <p><strong>Case \(escape(caseReference))</strong></p>
            <p>\(escape(text(file["information"]?["prosecutor"])))<br>v.<br>\(defendants.map { escape("\(fullName($0)) (\(reference($0)))") }.joined(separator: "<br>"))</p>
            <p>Offence: \(escape(offenceTitle))</p>
            <p>Period: \(escape(period(file["period"])))</p>
            <p>Hearing: \(escape(longDate(text(file["hearing"]?["date"]))))</p>
            </div>

            """
        html += section("The documents in this bundle", contents())
        html += section("The information and summons", information(), newPage: true)
        html += section("The defendants", "<p>Each defendant is prosecuted separately and is named in every document by the reference given here.</p>\n"
            + defendants.map(defendant).joined())
        let child = file["child"]
        html += section("The child", definitions([
            ("Name", "\(text(child?["forename"])) \(text(child?["surname"]))"),
            ("Date of birth", longDate(text(child?["date_of_birth"]))),
            ("Age at the start of the period", age(text(child?["date_of_birth"]), on: text(file["period"]?["start_date"]))),
            ("School", "\(text(child?["school"]?["name"])) (LAESTAB \(text(child?["school"]?["laestab"])))"),
            ("UPN", text(child?["upn"])),
        ]))
        html += section("The offence", "<p>\(escape(Self.offences[offence] ?? offence))</p>\n" + definitions([("Period", period(file["period"]))]))
        if offence == "443" {
            // A s.443 file rests on the order and its breach: there is no register or certificate to describe.
            html += section("The school attendance order", attendanceOrder())
        } else {
            html += section("Attendance", attendance())
        }
        html += section("Interventions", table(
            ["Date", "Intervention", "By", "Details"],
            (file["interventions"]?.arrayValue ?? []).map { item in
                [longDate(text(item["date"])), humane(text(item["type"])), humane(text(item["by"])), text(item["description"])]
            }))
        html += section("Penalty notices", table(
            ["Reference", "Defendant", "Issued on", "Period", "Amount", "Status", "Paid on"],
            (file["penalty_notices"]?.arrayValue ?? []).map { notice in
                let defendant = text(notice["defendant_reference"]).isEmpty ? "D\(text(notice["defendant_number"]))" : text(notice["defendant_reference"])
                return [text(notice["reference"]), defendant, longDate(text(notice["issued_on"])), period(notice["period"]), pounds(notice["amount_pence"]),
                        humane(text(notice["status"])), longDate(text(notice["paid_on"]))]
            }, amounts: [4]))
        html += section("Schedule of costs", costs())
        html += section("Exhibits", exhibitsList())
        for exhibit in exhibits where !text(exhibit["text"]).isEmpty {
            html += section("Exhibit \(text(exhibit["reference"])): \(text(exhibit["description"]))", definitions([
                ("Reference", text(exhibit["reference"])), ("Kind", humane(text(exhibit["kind"]))), ("Dated", longDate(text(exhibit["date"]))),
            ]) + "<p><em>A true copy of the document's words.</em></p>\n<div class=\"box words\">\(escape(text(exhibit["text"])))</div>", newPage: true)
        }
        html += "<p><small>Sent by the attendance service through Liaison under the prosecutions agreement. Official: sensitive.</small></p>\n"
        return html + Self.foot
    }

    // MARK: Parts

    func courtAddress() -> String {
        let lines = (file["information"]?["court_address"]?.arrayValue ?? []).map(text).filter { !$0.isEmpty }
        return lines.isEmpty ? "" : "<p><small>\(lines.map(escape).joined(separator: "<br>"))</small></p>"
    }

    func contents() -> String {
        var rows: [[String]] = [["1", "This prosecution file", "prosecution-file.html (and .pdf)", ""]]
        let certificate = exhibits.first { text($0["kind"]) == "register_certificate" }.map { text($0["reference"]) } ?? ""
        let statement = exhibits.first { text($0["kind"]) == "statement" }.map { text($0["reference"]) } ?? ""
        if offence == "443" {
            rows.append(["2", "Witness statement of \(text(file["witness_statement"]?["officer"]?["name"])) (Criminal Justice Act 1967, s.9)", "witness-statement.html (and .pdf)", statement])
            rows.append(["3", "The file as sent, and each document's SHA-256 with the hub's receipt", "prosecution-file.json, manifest.json", ""])
            return table(["", "Document", "File", "Exhibit"], rows)
                + "<p>A prosecution under section 443 rests on the school attendance order and its breach, not on the register: the bundle has no "
                + "certificate of attendance. Copies of the notice, the order and any other letters produced as exhibits follow the exhibits list.</p>\n"
        }
        rows.append(["2", "Certificate of attendance (Education Act 1996, s.566), with the register extract", "attendance-certificate.html (and .pdf)", certificate])
        rows.append(["3", "Witness statement of \(text(file["witness_statement"]?["officer"]?["name"])) (Criminal Justice Act 1967, s.9)", "witness-statement.html (and .pdf)", statement])
        rows.append(["4", "The register extract, one row per school day", "register-extract.csv", ""])
        rows.append(["5", "The file as sent, and each document's SHA-256 with the hub's receipt", "prosecution-file.json, manifest.json", ""])
        return table(["", "Document", "File", "Exhibit"], rows)
            + "<p>Copies of the warning letters and penalty notices produced as exhibits follow the exhibits list.</p>\n"
    }

    func information() -> String {
        let information = file["information"]
        var html = definitions([
            ("Prosecutor", text(information?["prosecutor"])),
            ("Information laid on", longDate(text(information?["laid_on"]))),
            ("Summons issued on", longDate(text(information?["summons_issued_on"]))),
            ("Summons reference", text(information?["summons_reference"])),
            ("Court", text(file["hearing"]?["court"]?["name"])),
            ("Court address", (information?["court_address"]?.arrayValue ?? []).map(text).joined(separator: ", ")),
            ("Hearing", longDate(text(file["hearing"]?["date"]))),
            ("Route", text(file["route"]).replacingOccurrences(of: "_", with: " ")),
        ])
        let child = file["child"]
        let childName = "\(text(child?["forename"])) \(text(child?["surname"]))"
        let school = text(child?["school"]?["name"])
        let order = file["attendance_order"]
        for defendant in defendants where offence == "443" {
            // s.443: the offence is the failure to comply with the order served, not the absence.
            html += "<div class=\"keep\"><h3>\(escape(reference(defendant))): \(escape(fullName(defendant)))</h3>"
                + "<p><strong>Statement of offence.</strong> \(escape(Self.statements[offence] ?? offence))</p>"
                + "<p><strong>Particulars of offence.</strong> \(escape(fullName(defendant))), being a parent of \(escape(childName)), a child of "
                + "compulsory school age, and having been served with a school attendance order made on \(escape(longDate(text(order?["made_on"])))) requiring "
                + "\(escape(childName)) to become a registered pupil at the school with LAESTAB \(escape(text(order?["school"]?["laestab"]))), "
                + "failed to comply with the requirements of the order by \(escape(longDate(text(order?["breach"]?["date"])))).</p></div>\n"
        }
        for defendant in defendants where offence != "443" {
            let knowing = offence == "444(1A)"
                ? ", knowing that \(childName) was failing to attend regularly, failed without reasonable justification to cause \(childName) to do so" : ""
            html += "<div class=\"keep\"><h3>\(escape(reference(defendant))): \(escape(fullName(defendant)))</h3>"
                + "<p><strong>Statement of offence.</strong> \(escape(Self.statements[offence] ?? offence))</p>"
                + "<p><strong>Particulars of offence.</strong> \(escape(fullName(defendant))), between \(escape(period(file["period"]))), being a parent of "
                + "\(escape(childName)), a child of compulsory school age who was a registered pupil at \(escape(school)), "
                + "\(escape("and who failed to attend regularly at that school\(knowing)."))</p></div>\n"
        }
        return html
    }

    func defendant(_ defendant: JSONValue) -> String {
        let pr = defendant["parental_responsibility"] == .bool(true), care = defendant["has_care"] == .bool(true)
        let grounds = [pr ? "has parental responsibility" : nil, care ? "has care of the child" : nil].compactMap { $0 }
        return "<div class=\"keep\"><h3>Defendant \(escape(reference(defendant)))</h3>" + definitions([
            ("Reference", reference(defendant)),
            ("Name", fullName(defendant)),
            ("Date of birth", longDate(text(defendant["date_of_birth"]))),
            ("Address", address(defendant["address"])),
            ("Relationship to the child", text(defendant["relationship"]).replacingOccurrences(of: "_", with: " ")),
            ("Parental responsibility", pr ? "yes" : "no"),
            ("Has care of the child", defendant["has_care"] == nil ? "" : (care ? "yes" : "no")),
            ("A parent (s.576) because", grounds.isEmpty ? "" : grounds.joined(separator: " and ")),
        ]) + "</div>\n"
    }

    func attendance() -> String {
        let certificate = file["attendance_certificate"]
        let extract = file["register_extract"]
        let signatory = certificate?["signatory"] ?? extract?["certified_by"]
        let signedOn = text(certificate?["signed_on"]).isEmpty ? text(extract?["certified_on"]) : text(certificate?["signed_on"])
        let exhibit = exhibits.first { text($0["kind"]) == "register_certificate" }.map { " (exhibit \(text($0["reference"])))" } ?? ""
        return "<p>The attendance the register shows for \(escape(period(extract?["period"]))), as certified under section 566 of the Education Act 1996 by "
            + "\(escape(text(signatory?["name"]))), \(escape(text(signatory?["role"]))), on \(escape(longDate(signedOn))): see the certificate\(escape(exhibit)), "
            + "a document of its own with the day-by-day extract.</p>\n" + attendanceTotals(extract?["totals"])
    }

    /// A s.443 file's evidence in place of the attendance: the s.437(1) notice, the order (s.437(3)) and the school
    /// it names, the period the order gave to comply, and the breach, each with its exhibit where the file has one.
    func attendanceOrder() -> String {
        let order = file["attendance_order"]
        let school = order?["school"]
        let schoolName = text(school?["name"])
        let named = schoolName.isEmpty ? "LAESTAB \(text(school?["laestab"]))" : "\(schoolName) (LAESTAB \(text(school?["laestab"])))"
        /// The exhibit of the `other` kind dated `date` (the notice's or the order's copy), as " (exhibit EW/1)".
        func exhibit(dated date: String) -> String {
            exhibits.first { text($0["kind"]) == "other" && text($0["date"]) == date }.map { " (exhibit \(text($0["reference"])))" } ?? ""
        }
        let served = text(order?["notice_served_on"])
        let parent = text(order?["parent_reference"])
        return "<p>The prosecution rests on the school attendance order and its breach, not on the register.</p>\n" + definitions([
            ("Notice served (s.437(1))", served.isEmpty ? "not given in the file" : longDate(served) + exhibit(dated: served)),
            ("Served on", parent),
            ("Order made and served (s.437(3))", longDate(text(order?["made_on"])) + exhibit(dated: text(order?["made_on"]))),
            ("School the order names", named),
            ("The order gave until", longDate(text(order?["compliance_ends"])) + " to register the child there"),
            ("Breach found on", longDate(text(order?["breach"]?["date"]))),
            ("The breach", text(order?["breach"]?["description"])),
        ])
    }

    func costs() -> String {
        let items = file["costs"]?.arrayValue ?? []
        guard !items.isEmpty else { return "<p>No costs are claimed.</p>\n" }
        let total = items.compactMap { $0["pence"]?.numberValue.flatMap(IntegerFields.integer) }.reduce(0, +)
        return table(["Item", "Amount"], items.map { [text($0["item"]), pounds($0["pence"])] }, amounts: [1], total: ["Total costs claimed", pounds(total)])
    }

    func exhibitsList() -> String {
        table(["Reference", "Exhibit", "Kind", "Dated", "Copy"], exhibits.map { exhibit in
            let copy: String
            switch text(exhibit["kind"]) {
            case "register_certificate": copy = "attendance-certificate.html"
            case "statement": copy = "witness-statement.html"
            default: copy = text(exhibit["text"]).isEmpty ? "produced at the hearing" : "follows"
            }
            return [text(exhibit["reference"]), text(exhibit["description"]), humane(text(exhibit["kind"])), longDate(text(exhibit["date"])), copy]
        })
    }

    /// `D1 and D2`: the defendants by their references, for the margin of every page.
    func defendantReferences() -> String {
        defendants.map(reference).joined(separator: ", ")
    }

    /// Whole years from `birth` to `date` (both YYYY-MM-DD).
    func age(_ birth: String, on date: String) -> String {
        guard let born = SchoolDate(parsing: birth), let on = SchoolDate(parsing: date) else { return "" }
        return "\(born.years(to: on))"
    }
}
