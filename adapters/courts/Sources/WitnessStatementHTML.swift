import AttendanceDomain
import Foundation
import StrictJSON

/// The attendance officer's witness statement in the form of Criminal Justice Act 1967 s.9 (and Criminal Procedure
/// Rules r.16.2), as a document of its own: who makes it (over 18, occupation), the declaration printed above the
/// maker's signature, the statement, and the signature block at its end. Every page is numbered "Page X of Y" and
/// carries the maker's name beside a space for their signature, so that each page is signed; pages after the
/// first are headed as the continuation of the maker's statement.
///
/// A file of schema version 1 has no declaration wording: the statutory words are printed (the file says the maker
/// declared, `declaration: true`).
struct WitnessStatementHTML: PrintedDocument {
    let file: JSONValue

    init(_ file: JSONValue) {
        self.file = file
    }

    /// The declaration CJA 1967 s.9(2)(b) requires, for a file that does not give its own wording.
    static let statutoryDeclaration = "This statement (consisting of the pages numbered, each signed by me) is true to the best of my knowledge and belief "
        + "and I make it knowing that, if it is tendered in evidence, I shall be liable to prosecution if I have wilfully stated in it anything "
        + "which I know to be false, or do not believe to be true."

    func render() -> String {
        let statement = file["witness_statement"]
        let officer = statement?["officer"]
        let name = text(officer?["name"])
        let signer = text(statement?["signature"]?["name"]).isEmpty ? name : text(statement?["signature"]?["name"])
        let signedOn = text(statement?["signature"]?["date"]).isEmpty ? text(statement?["made_on"]) : text(statement?["signature"]?["date"])
        let exhibit = (file["exhibits"]?.arrayValue ?? []).first { text($0["kind"]) == "statement" }.map { text($0["reference"]) }
        var html = head(
            title: "Witness statement", margins: PageMargins(
                topLeft: "Case \(caseReference): continuation of the statement of \(name)",
                bottomLeft: "Signed ………………………… (\(signer))",
                firstTopLeft: .some("Case \(caseReference)" + (exhibit.map { ", exhibit \($0)" } ?? ""))))
        let defendants = (file["defendants"]?.arrayValue ?? []).map { "\(fullName($0)) (\(reference($0)))" }.joined(separator: ", ")
        html += """
            <p class="centre">IN THE \(escape(text(file["hearing"]?["court"]?["name"]).uppercased()))<br>\(escape(text(file["information"]?["prosecutor"]))) v. \(escape(defendants))</p>
            <h1>Witness statement</h1>
            <p class="centre">Criminal Justice Act 1967, section 9; Criminal Procedure Rules, rule 16.2</p>

            """
        html += definitions([
            ("Statement of", name),
            ("Age if under 18", "Over 18"),
            ("Occupation", text(officer?["role"])),
            ("Made on", longDate(text(statement?["made_on"]))),
            ("Case", caseReference),
        ])
        let declaration = text(statement?["declaration_text"])
        html += "<div class=\"box keep\"><p>\(escape(declaration.isEmpty ? Self.statutoryDeclaration : declaration))</p>"
            + "<p>Signed: <span class=\"line\"></span> (\(escape(signer)))&nbsp;&nbsp; Dated: \(escape(longDate(signedOn)))</p></div>\n"
        html += "<div class=\"words statement\">\(escape(text(statement?["text"])))</div>\n"
        html += "<p class=\"centre\"><em>End of statement.</em></p>\n"
        html += signatureBlock(name: signer, role: text(officer?["role"]), date: signedOn)
        return html + Self.foot
    }
}
