import Foundation
import NPASDesk

/// The values of a casework form, as posted (`application/x-www-form-urlencoded`), named as `liaison case` names its
/// options with `_` for `-` (`paid_on` is `--paid-on`). Every action's form posts a subset; blank values are absent.
///
/// Each action turns the values into a ``CaseActions`` call, or into the errors to show: `[field: message]`, the field
/// by its option name (`paid-on`), each error worded for a form (``CaseActionError/form``).
struct CaseworkForm: Decodable, Sendable {
    var csrf: String?
    var esw: String?
    var text: String?
    var reason: String?
    var type: String?
    var date: String?
    var description: String?
    var defendant: String?
    var amount: String?
    var status: String?
    var paid_on: String?
    var next_step: String?
    var case_status: String?
    var offence: String?
    var court: String?
    var hearing: String?
    var from: String?
    var to: String?
    var laid_on: String?
    var summons_issued_on: String?
    var summons_reference: String?
    var court_address: String?
    var prosecutor: String?
    var statement: String?
    var statement_date: String?
    var declare: String?
    var certified_by: String?
    var certified_on: String?
    var costs: String?

    /// The errors of a form, by field (its option name), in the order found.
    typealias Errors = [(field: String, message: String)]

    /// A value, trimmed; nil when blank.
    static func value(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// A required value, or its error.
    static func required(_ text: String?, _ field: String, _ errors: inout Errors, message: String) -> String? {
        guard let value = value(text) else {
            errors.append((field, message))
            return nil
        }
        return value
    }

    /// A whole number, or its error (as the command line's parser refuses one).
    static func number(_ text: String?, _ field: String, _ errors: inout Errors) -> Int? {
        guard let value = value(text) else { return nil }
        guard let number = Int(value) else {
            errors.append((field, "\(CaseActions.labels[field] ?? field) must be a whole number: '\(value)' is not."))
            return nil
        }
        return number
    }

    /// The allocation's worker: a console user with the ESW role (the desk records the user name).
    func allocation(workers: [String]) -> (esw: String?, errors: Errors) {
        var errors: Errors = []
        guard let esw = Self.required(esw, "esw", &errors, message: "Choose the Education Social Worker to allocate the case to.") else {
            return (nil, errors)
        }
        guard workers.contains(esw) else {
            return (nil, [("esw", "Choose one of the console's Education Social Workers: '\(esw)' is not one.")])
        }
        return (esw, [])
    }

    func note() -> (text: String?, errors: Errors) {
        var errors: Errors = []
        let text = Self.required(text, "text", &errors, message: "Enter the note.")
        return (text, errors)
    }

    func closing() -> (reason: String?, errors: Errors) {
        var errors: Errors = []
        let reason = Self.required(reason, "reason", &errors, message: "Enter why the case is closed.")
        return (reason, errors)
    }

    /// The intervention, checked by ``CaseActions/intervention(type:date:description:defendant:amount:status:paidOn:today:)``.
    func intervention() -> (DeskIntervention?, Errors) {
        var errors: Errors = []
        let defendant = Self.number(defendant, "defendant", &errors)
        let amount = Self.number(amount, "amount", &errors)
        guard errors.isEmpty else { return (nil, errors) }
        do {
            let item = try CaseActions.intervention(
                type: Self.value(type) ?? "", date: Self.value(date), description: Self.value(description), defendant: defendant, amount: amount,
                status: Self.value(status), paidOn: Self.value(paid_on))
            return (item, [])
        } catch {
            return (nil, [(error.field ?? "type", error.form)])
        }
    }

    /// The feedback's words, the next step for the school (``CaseActions/defaultNextStep`` when blank) and the status
    /// the school is told (checked by ``CaseActions/feedback(on:text:nextStep:caseStatus:in:today:)``).
    func feedback() -> (text: String, nextStep: String, caseStatus: String)? {
        guard let text = Self.value(text) else { return nil }
        return (text, Self.value(next_step) ?? CaseActions.defaultNextStep, Self.value(case_status) ?? "open")
    }

    /// The prosecution's values, as `liaison case prosecute` takes them (the costs one `ITEM:PENCE` a line).
    func prosecutionRequest() -> (CaseActions.ProsecutionRequest?, Errors) {
        var errors: Errors = []
        let offence = Self.required(offence, "offence", &errors, message: "Choose the offence.")
        let court = Self.required(court, "court", &errors, message: "Enter the magistrates' court.")
        let hearing = Self.required(hearing, "hearing", &errors, message: "Enter the hearing date, YYYY-MM-DD.")
        guard let offence, let court, let hearing else { return (nil, errors) }
        let costs = (costs ?? "").split(whereSeparator: \.isNewline).map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
        return (
            CaseActions.ProsecutionRequest(
                offence: offence, court: court, hearing: hearing, from: Self.value(from), to: Self.value(to), laidOn: Self.value(laid_on),
                summonsIssuedOn: Self.value(summons_issued_on), summonsReference: Self.value(summons_reference),
                courtAddress: Self.value(court_address), prosecutor: Self.value(prosecutor) ?? CaseActions.defaultProsecutor,
                statement: Self.value(statement), statementDate: Self.value(statement_date), declared: Self.value(declare) == "yes",
                certifiedBy: Self.value(certified_by), certifiedOn: Self.value(certified_on), costs: costs),
            []
        )
    }

    /// The values to show again in a form re-rendered with its errors, keyed as the templates read them.
    var echoed: [String: Any] {
        var values: [String: Any] = [:]
        let mirror = Mirror(reflecting: self)
        for child in mirror.children where child.label != "csrf" {
            if let label = child.label, let value = child.value as? String { values[label] = value }
        }
        return values
    }
}
