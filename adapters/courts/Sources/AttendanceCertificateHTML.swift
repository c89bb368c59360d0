import AttendanceDomain
import Foundation
import StrictJSON

/// The certificate of attendance under Education Act 1996 s.566 as a document of its own: the certificate's
/// wording as the school gave it, the pupil, the school, the period, the attendance the register shows, and the
/// signature block of the head teacher or the person the school authorised; then, as its schedule, the
/// register extract day by day with the meaning of each code. Every page carries the case reference, the
/// signatory's name beside a space for the signature, and "Page X of Y".
///
/// A file made before the certificate had a section of its own (schema version 1) is certified by the register
/// extract's `certified_by` and `certified_on`; its wording is then the bundle's, which says so.
struct AttendanceCertificateHTML: PrintedDocument {
    let file: JSONValue

    init(_ file: JSONValue) {
        self.file = file
    }

    func render() -> String {
        let certificate = file["attendance_certificate"]
        let extract = file["register_extract"]
        let child = file["child"]
        let signatory = certificate?["signatory"] ?? extract?["certified_by"]
        let signedOn = text(certificate?["signed_on"]).isEmpty ? text(extract?["certified_on"]) : text(certificate?["signed_on"])
        let school = certificate?["school"] ?? extract?["school"]
        let exhibit = (file["exhibits"]?.arrayValue ?? []).first { text($0["kind"]) == "register_certificate" }.map { text($0["reference"]) }
        var html = head(title: "Certificate of attendance", extraStyle: ".register table{width:auto;min-width:60%}.register td{padding:.05em .6em}", margins: PageMargins(
            topLeft: "Case \(caseReference): certificate of attendance (s.566)" + (exhibit.map { ", exhibit \($0)" } ?? ""),
            bottomLeft: "Signed ………………………… (\(text(signatory?["name"])))"))
        html += """
            <p class="centre">IN THE \(escape(text(file["hearing"]?["court"]?["name"]).uppercased()))<br>Case \(escape(caseReference))\(exhibit.map { "<br>Exhibit \(escape($0))" } ?? "")</p>
            <h1>Certificate of attendance</h1>
            <p class="centre">Education Act 1996, section 566</p>

            """
        html += definitions([
            ("School", "\(text(school?["name"])) (LAESTAB \(text(school?["laestab"])))"),
            ("Pupil", "\(text(child?["forename"])) \(text(child?["surname"]))"),
            ("Date of birth", longDate(text(child?["date_of_birth"]))),
            ("UPN", text(child?["upn"])),
            ("Period", period(extract?["period"])),
        ])
        let wording = text(certificate?["wording"])
        html += "<div class=\"box words\">\(escape(wording.isEmpty ? defaultWording(school: text(school?["name"])) : wording))</div>\n"
        html += "<h2>The attendance the register shows</h2>\n" + attendanceTotals(extract?["totals"])
        html += signatureBlock(
            name: text(signatory?["name"]), role: text(signatory?["role"]), date: signedOn,
            note: "Signed by the head teacher of the school, or by a person the school authorised to sign on its behalf.")
        html += "<h2 class=\"page\">Schedule: the register extract</h2>\n" + registerExtract()
        return html + Self.foot
    }

    /// The words for a file that gave none (schema version 1): the bundle's, saying what the register shows.
    func defaultWording(school: String) -> String {
        "I certify that the schedule to this certificate is a true extract of the attendance register kept by \(school) for the pupil named above "
            + "for the period stated, and that it shows the attendance set out below. This certificate is given under section 566 of the Education Act 1996."
    }

    /// The day-by-day extract as a register prints it, a code for each session, after the key to the codes used:
    /// a term's days fit a page or two.
    func registerExtract() -> String {
        let extract = file["register_extract"]
        let meanings = extract?["meanings"]?.objectValue ?? [:]
        let rows = (extract?["marks"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }).map { date, day in
            [longDate(date), mark(day["am"]), mark(day["pm"])]
        }
        return "<h3>Codes used</h3>\n" + table(["Code", "Meaning"], meanings.sorted(by: { $0.key < $1.key }).map { [$0.key, text($0.value)] })
            + "<h3>The sessions</h3>\n<div class=\"register\">" + table(["Date", "Morning", "Afternoon"], rows) + "</div>\n"
    }

    func mark(_ code: JSONValue?) -> String {
        let symbol = text(code)
        return symbol == CourtBundle.noMark ? CourtBundle.noMarkMeaning : symbol
    }
}
