import AttendanceDomain
import Foundation
import LegalProcess

/// The body of a `penalty.notice` (schemas/penalty.notice.schema.json): what the school passes to the parent.
///
/// Amounts and last days are the framework's (``NoticeTerms``), never written here; the period and the count of
/// unauthorised sessions are the desk's assessment of the child's register.
enum PenaltyNoticeBody {
    static func build(
        notice: DeskPenaltyNotice, deskCase: DeskCase, parent: CaseParent, terms: NoticeTerms, framework: PenaltyNoticeFramework,
        unauthorisedSessions: Int, officer: String, authority: String
    ) -> [String: Any] {
        let referral = (try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any]) ?? [:]
        let pupil = referral["pupil"] as? [String: Any] ?? [:]
        var child: [String: Any] = ["upn": deskCase.upn, "forename": pupil["forename"] ?? "", "surname": pupil["surname"] ?? ""]
        for key in ["date_of_birth", "year_group"] { if let value = pupil[key] { child[key] = value } }
        let school = (referral["school"] as? [String: Any])?["laestab"] as? String == deskCase.laestab
            ? referral["school"]! : ["laestab": deskCase.laestab]
        let amounts = terms.deadlines.map(PaymentText.line).joined(separator: "; ")
        return [
            "notice_reference": notice.noticeReference,
            "case_reference": deskCase.reference,
            "school": school,
            "pupil": child,
            "parent": parent.noticeFields,
            "issued_on": notice.issuedOn.description,
            "framework": framework.name,
            "sequence": terms.sequence,
            "period": ["start_date": notice.period.lowerBound.description, "end_date": notice.period.upperBound.description],
            "unauthorised_sessions": unauthorisedSessions,
            "payment": terms.deadlines.map { ["amount_pence": $0.pence, "pay_by": $0.lastDay.description] },
            "issued_by": ["name": officer, "role": "Education Social Worker", "authority": authority],
            "how_to_pay": "Pay \(authority), quoting the notice reference \(notice.noticeReference): \(amounts). "
                + "If the notice is not paid in full by \(terms.payableUntil), the authority will decide whether to prosecute you "
                + "for the child's absence in the period (Education Act 1996 s.444) or to withdraw the notice.",
        ]
    }

    /// The notice's words in brief, as the case's record and a prosecution file's exhibit give them.
    static func text(
        notice: DeskPenaltyNotice, terms: NoticeTerms, framework: PenaltyNoticeFramework, unauthorisedSessions: Int, authority: String
    ) -> String {
        "Penalty notice \(notice.noticeReference) (Education Act 1996 s.444A; \(framework.name) framework), issued by \(authority) on "
            + "\(notice.issuedOn) to parent \(notice.parent) for the child's absence from \(notice.period.lowerBound) to \(notice.period.upperBound) "
            + "(\(unauthorisedSessions) unauthorised sessions); notice \(terms.sequence) to this parent for this child within "
            + "\(framework.repeatWithinYears) years: " + terms.deadlines.map(PaymentText.line).joined(separator: "; ")
            + ". Unpaid after \(terms.payableUntil), the authority may prosecute for the offence or withdraw the notice."
    }
}

/// Money as the desk's letters and lines say it.
enum PaymentText {
    /// 8000 -> "£80.00".
    static func pounds(_ pence: Int) -> String { String(format: "£%d.%02d", pence / 100, pence % 100) }

    /// "£80.00 if paid by 2025-12-08".
    static func line(_ deadline: PaymentDeadline) -> String { "\(pounds(deadline.pence)) if paid by \(deadline.lastDay)" }
}
