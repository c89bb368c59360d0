import StrictJSON

/// A penalty notice as the letter the school passes to the parent (Education Act 1996 s.444A): who it is to, the
/// child and the absence it is for, what to pay by when, and what happens if it is not paid.
///
/// Every figure and date is the message's (the attendance service's framework wrote them); the letter only
/// words them. A field the message lacks is left out rather than guessed.
enum PenaltyNoticeLetter {
    static func html(body: JSONValue) -> String {
        let e = SchoolLetter.escape
        func text(_ value: JSONValue?) -> String { e(value?.stringValue ?? "") }
        let parent = body["parent"], pupil = body["pupil"], period = body["period"]
        let reference = text(body["notice_reference"])
        let name = [parent?["title"], parent?["forename"], parent?["surname"]].compactMap { $0?.stringValue }.map(e).joined(separator: " ")
        let address = ((parent?["address"]?["lines"]?.arrayValue ?? []).compactMap(\.stringValue) + [parent?["address"]?["postcode"]?.stringValue ?? ""])
            .filter { !$0.isEmpty }.map(e).joined(separator: "<br>")
        let child = "\(text(pupil?["forename"])) \(text(pupil?["surname"]))"
        let payments = (body["payment"]?.arrayValue ?? []).compactMap { term -> String? in
            guard let pence = term["amount_pence"]?.numberValue.flatMap({ Int64(exactly: $0) }), let by = term["pay_by"]?.stringValue else { return nil }
            return "<tr><td>£\(pence / 100).\(pence % 100 < 10 ? "0" : "")\(pence % 100)</td><td>if paid by the end of \(e(by))</td></tr>"
        }
        let lastDay = body["payment"]?.arrayValue?.last?["pay_by"]?.stringValue.map(e) ?? ""
        let sequence = body["sequence"]?.numberValue.flatMap { Int64(exactly: $0) } ?? 1
        let issuer = body["issued_by"]
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Penalty notice \(reference)</title>
            <style>body{font-family:Georgia,serif;max-width:46em;margin:2em auto;line-height:1.45}
            h1{font-size:1.4em;border-bottom:1px solid #444}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}
            .school{border:1px dashed #666;padding:.5em;font-size:.9em}</style></head>
            <body>
            <p class="school">For the school: please give or send this letter to the parent named below. School: \(text(body["school"]?["name"])) \
            (LAESTAB \(text(body["school"]?["laestab"]))). Case \(text(body["case_reference"])).</p>
            <p>\(name)<br>\(address)</p>
            <p>Date of notice: \(text(body["issued_on"]))</p>
            <h1>Penalty notice \(reference): absence from school</h1>
            <p>Education Act 1996, section 444A. Issued under the \(text(body["framework"])) penalty notice framework by \
            \(text(issuer?["authority"])).</p>
            <p>This notice is about the absence of \(child)\(pupil?["date_of_birth"]?.stringValue.map { ", born \(e($0))," } ?? "") from school \
            between \(text(period?["start_date"])) and \(text(period?["end_date"])): \(body["unauthorised_sessions"]?.numberValue.flatMap { Int64(exactly: $0) }.map(String.init) ?? "?") \
            sessions of absence that the school did not authorise. As a parent you have a duty to secure the regular attendance of \
            your child at school (section 444). This notice gives you the opportunity to discharge your liability to conviction for \
            that offence, for this period, by paying the penalty.</p>
            \(sequence > 1 ? "<p>This is not the first penalty notice issued to you for this child within the framework's period, so no reduced amount applies.</p>\n" : "")<table><tr><th>Amount</th><th>When</th></tr>
            \(payments.joined(separator: "\n"))
            </table>
            <p>\(text(body["how_to_pay"]))</p>
            <p>If the penalty is not paid in full by the end of \(lastDay), the local authority will either prosecute you for the \
            offence under section 444 for the period above, or withdraw this notice. Payment cannot be made in instalments, and \
            a part payment will not be accepted or refunded if you are then prosecuted.</p>
            <p>Issued by \(text(issuer?["name"]))\(issuer?["role"]?.stringValue.map { ", \(e($0))" } ?? ""), for \(text(issuer?["authority"])). \
            Notice reference: \(reference).</p>
            <p><small>Sent through Liaison under the schools' service level agreement. Official: sensitive.</small></p>
            </body></html>

            """
    }
}
