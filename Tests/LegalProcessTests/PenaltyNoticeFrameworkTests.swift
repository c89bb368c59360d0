import AttendanceDomain
import Testing

@testable import LegalProcess

@Suite("Penalty notices: the 2024 national framework as data, at each boundary")
struct PenaltyNoticeFrameworkTests {
    let issued = day("2025-11-03")
    let period = day("2025-09-03")...day("2025-10-17")

    func notice(_ issued: String, _ status: PenaltyNotice.Status, parent: String = "D1") -> PenaltyNotice {
        PenaltyNotice(parent: parent, issuedOn: day(issued), period: period, status: status, paidOn: status == .paid ? day(issued).adding(days: 10) : nil)
    }

    @Test("The shipped file holds the national framework")
    func shipped() {
        #expect(framework.name == "national-2024" && framework.inForceFrom == day("2024-08-19"))
        #expect(framework.thresholdSessions == 10 && framework.thresholdSchoolWeeks == 10)
        #expect(framework.payment == [.init(withinDays: 21, pence: 8000), .init(withinDays: 28, pence: 16000)])
        #expect(framework.repeatPayment == [.init(withinDays: 28, pence: 16000)])
        #expect(framework.repeatWithinYears == 3 && framework.limit == 2)
        #expect(framework.countsTowardsLimit == [.paid, .prosecuted])
    }

    @Test("A first notice: £80 to day 21, £160 on day 22 to day 28, not payable on day 29")
    func firstNoticeAmounts() {
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued, previous: []) == 8000)
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 21), previous: []) == 8000)
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 22), previous: []) == 16000)
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 28), previous: []) == 16000)
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 29), previous: []) == nil)
        #expect(framework.deadlines(issuedOn: issued, previous: []).map(\.description) == ["£80.00 by 2025-11-24", "£160.00 by 2025-12-01"])
    }

    @Test("A second notice within three years: £160 with no reduction, to day 28")
    func secondNoticeAmounts() {
        let previous = [notice("2024-11-04", .paid)]
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 1), previous: previous) == 16000)
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 28), previous: previous) == 16000)
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 29), previous: previous) == nil)
        // A withdrawn earlier notice does not count: the new one is a first notice again.
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 1), previous: [notice("2024-11-04", .withdrawn)]) == 8000)
        // An earlier notice more than three years before does not count either.
        #expect(framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 1), previous: [notice("2022-11-02", .paid)]) == 8000)
    }

    @Test("mayIssue: a first, a second, and no third within three years")
    func limit() throws {
        let first = try framework.mayIssue(previousNotices: [], on: issued).get()
        #expect(first.sequence == 1 && first.payableUntil == day("2025-12-01"))
        let second = try framework.mayIssue(previousNotices: [notice("2024-11-04", .paid)], on: issued).get()
        #expect(second.sequence == 2 && second.deadlines.map(\.pence) == [16000] && second.payableUntil == day("2025-12-01"))
        let third = framework.mayIssue(previousNotices: [notice("2023-11-06", .paid), notice("2024-11-04", .prosecuted)], on: issued)
        guard case .failure(let refusal) = third else {
            Issue.record("a third notice within three years was allowed")
            return
        }
        #expect(refusal.code == .limitReached)
        #expect(refusal.message.contains("2026-11-07"))  // the day the 2023 notice stops counting
    }

    @Test("Three years exactly: a notice issued on the anniversary's day still counts, the day after it does not")
    func threeYearsExactly() throws {
        let previous = [notice("2022-11-03", .paid), notice("2024-01-10", .paid)]
        #expect(throws: PenaltyNoticeRefusal.self) { try framework.mayIssue(previousNotices: previous, on: day("2025-11-03")).get() }
        let next = try framework.mayIssue(previousNotices: previous, on: day("2025-11-04")).get()
        #expect(next.sequence == 2)
        // A leap-day notice's third anniversary is 28 February.
        let leap = [notice("2024-02-29", .paid), notice("2025-01-10", .paid)]
        #expect(throws: PenaltyNoticeRefusal.self) { try framework.mayIssue(previousNotices: leap, on: day("2027-02-28")).get() }
        #expect(try framework.mayIssue(previousNotices: leap, on: day("2027-03-01")).get().sequence == 2)
    }

    @Test("Withdrawn notices never count; an unpaid one must be decided first; nothing before the framework")
    func whatCounts() throws {
        let withdrawn = [notice("2024-11-04", .paid), notice("2025-03-03", .withdrawn)]
        #expect(try framework.mayIssue(previousNotices: withdrawn, on: issued).get().sequence == 2)
        let undecided = framework.mayIssue(previousNotices: [notice("2025-10-01", .unpaid)], on: issued)
        #expect((try? undecided.get()) == nil)
        if case .failure(let refusal) = undecided { #expect(refusal.code == .previousNoticeUndecided) }
        if case .failure(let refusal) = framework.mayIssue(previousNotices: [], on: day("2024-08-18")) {
            #expect(refusal.code == .frameworkNotInForce)
        } else {
            Issue.record("a notice before 19 August 2024 was allowed")
        }
        #expect((try? framework.mayIssue(previousNotices: [], on: day("2024-08-19")).get()) != nil)
    }

    @Test("Unpaid after 28 days, a notice is ready for prosecution")
    func outcome() {
        let unpaid = notice("2025-11-03", .unpaid)
        #expect(framework.outcome(of: unpaid, on: issued.adding(days: 28)) == .awaitingPayment(until: day("2025-12-01")))
        #expect(framework.outcome(of: unpaid, on: issued.adding(days: 29)) == .readyForProsecution(since: day("2025-12-02")))
        #expect(framework.outcome(of: notice("2025-11-03", .paid), on: issued.adding(days: 40)) == .paid)
        #expect(framework.outcome(of: notice("2025-11-03", .withdrawn), on: issued.adding(days: 40)) == .withdrawn)
        #expect(framework.outcome(of: notice("2025-11-03", .prosecuted), on: issued.adding(days: 40)) == .prosecuted)
    }

    @Test("A changed regulation is a change of data: other amounts and days apply")
    func changedData() throws {
        let text = shippedText.replacingOccurrences(of: "pence: 8000", with: "pence: 9000")
            .replacingOccurrences(of: "within_days: 21", with: "within_days: 14")
        let changed = try PenaltyNoticeFramework.parse(text, file: "changed.yaml")
        #expect(changed.amountDue(issuedOn: issued, paidOn: issued.adding(days: 14), previous: []) == 9000)
        #expect(changed.amountDue(issuedOn: issued, paidOn: issued.adding(days: 15), previous: []) == 16000)
    }

    @Test(
        "The file is read strictly: each mistake is named by file, line and key",
        arguments: [
            ("  school_weeks: 10", "  school_weeks: 10\n  rolling: yes", "unknown-key", 15, "threshold.rolling"),
            ("  unauthorised_sessions: 10", "  unauthorised_sesions: 10", "missing-key", 13, "threshold.unauthorised_sessions"),
            ("  - within_days: 28\n    pence: 16000\n\n#", "  - within_days: 20\n    pence: 16000\n\n#", "invalid-value", 21, "payment.1.within_days"),
            ("counts_towards_limit: [paid, prosecuted]", "counts_towards_limit: [paid, unpaid]", "invalid-value", 36, "counts_towards_limit.1"),
            ("in_force_from: 2024-08-19", "in_force_from: 19/08/2024", "invalid-value", 7, "in_force_from"),
            ("  limit: 2", "  limit: two", "invalid-value", 29, "repeat.limit"),
            ("framework: national-2024\n", "", "missing-key", nil, "framework"),
            ("  school_weeks: 10", "  school_weeks: [10", "syntax", nil, nil),
        ])
    func strict(find: String, replace: String, code: String, line: Int?, key: String?) {
        let text = shippedText.replacingOccurrences(of: find, with: replace)
        #expect(text != shippedText, "the test's text to replace is in the file")
        do {
            _ = try PenaltyNoticeFramework.parse(text, file: "penalty-notices.yaml")
            Issue.record("accepted a file with \(replace)")
        } catch {
            #expect(error.code.description == code)
            #expect(error.file == "penalty-notices.yaml")
            if let line { #expect(error.line == line) }
            #expect(error.key == key)
            if code == "missing-key", key == "threshold.unauthorised_sessions" { #expect(error.message.contains("unauthorised_sesions")) }
        }
    }

    @Test("A missing file says so")
    func missing() {
        #expect(throws: LegalProcessError.self) { try PenaltyNoticeFramework.load(path: "/nonexistent/penalty-notices.yaml") }
    }
}

let shippedText: String = {
    do { return try String(contentsOfFile: "\(legalConfig)/penalty-notices.yaml", encoding: .utf8) } catch { fatalError("\(error)") }
}()
