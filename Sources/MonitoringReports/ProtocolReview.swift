import Foundation

/// `liaison report protocol --agreement ID --from D --to D`: the paper for the six-monthly review of one data-sharing
/// agreement.
///
/// Its flows; the messages the hub permitted, minimised and denied under it each month (a table and a bar chart); why
/// it denied them; the cohorts its conditions name and their sizes; the deliveries that ended as dead letters; what
/// changed since the last review (the agreement compared with the file as last reviewed, and the held messages
/// replayed under both, as `liaison rules diff` does); and its review and end dates with the days left.
///
/// The counts are of decisions (one message to one recipient), not of children, and are shown as they are: the paper is
/// for the agreement's parties, who see these messages anyway. The cohorts' sizes are counts of children, so they go
/// through disclosure control.
public struct ProtocolReview: Sendable {
    public var data: ProtocolReviewData
    /// The paper's date (YYYY-MM-DD): the days left are counted from it.
    public var madeOn: String
    public var control: DisclosureControl
    /// At most this many dead letters are listed one by one (all are counted).
    public var deadLetterListLimit = 100

    public init(data: ProtocolReviewData, madeOn: String, control: DisclosureControl = DisclosureControl()) {
        self.data = data
        self.madeOn = madeOn
        self.control = control
    }

    public func build() -> ReportDocument {
        let agreement = data.agreement
        var document = ReportDocument(
            name: "protocol-review-\(Self.fileSafe(agreement.id))-\(data.to)", title: "Review of \(agreement.title)",
            subtitle: "Six-monthly review of the agreement \(agreement.id) v\(agreement.version)",
            period: "\(data.from) to \(data.to)", madeOn: madeOn, marking: "Official: sensitive (for the agreement's parties)")

        // The agreement, its dates and the days left.
        func daysLeft(_ date: String) -> String {
            guard let days = ProtocolReviewData.days(from: madeOn, to: date) else { return date }
            switch days {
            case 0: return "\(date) (today)"
            case 1...: return "\(date) (\(days) day\(days == 1 ? "" : "s") left)"
            default: return "\(date) (passed \(-days) day\(days == -1 ? "" : "s") ago)"
            }
        }
        var summary: [(label: String, value: String)] = [
            ("Agreement", "\(agreement.id) v\(agreement.version)"),
            ("Parties", agreement.parties.joined(separator: ", ")),
            ("Lawful basis", agreement.lawfulBasis),
            ("Purpose", agreement.purpose),
            ("In force from", agreement.effective),
            ("Review due by", daysLeft(agreement.review)),
            ("Ends", daysLeft(agreement.end)),
            ("Recipients keep the data for", agreement.retention),
        ]
        summary.append(("The hub keeps message bodies for", agreement.bodyRetention ?? "until deleted by hand (no body_retention)"))
        summary.append(("Contact", agreement.contact))
        var blocks: [ReportBlock] = [.summary(summary)]
        if let days = ProtocolReviewData.days(from: madeOn, to: agreement.review), days < 0 {
            blocks.append(.notice("The review date has passed: the hub denies every flow of this agreement until a new version with a later review date is in force."))
        } else if let days = ProtocolReviewData.days(from: madeOn, to: agreement.end), days <= 90 {
            blocks.append(.notice("The agreement ends within \(max(days, 0)) days: renew it, or plan for its flows to stop on \(agreement.end)."))
        }
        document.sections.append(ReportSection("The agreement", blocks))

        // Its flows.
        document.sections.append(ReportSection("Its flows", [
            .table(ReportTable(
                id: "flows", caption: "What the agreement permits", columns: ["Flow", "From", "To", "Types", "Purpose", "Fields", "Conditions"],
                rows: agreement.flows.map { flow in
                    [
                        .text(flow.id), .text(flow.from), .text(flow.to), .text(flow.types.joined(separator: ", ")), .text(flow.purpose),
                        .text(flow.fields.joined(separator: ", ")),
                        .text(flow.conditions.isEmpty ? "none" : flow.conditions.joined(separator: "; ")),
                    ]
                },
                note: "Fields not listed are withheld from the recipient; a record that fails a condition is withheld.")),
        ]))

        // Decisions per month.
        let monthly = data.monthly
        let totals = monthly.reduce(into: (permitted: 0, minimised: 0, denied: 0)) {
            $0.permitted += $1.permitted
            $0.minimised += $1.minimised
            $0.denied += $1.denied
        }
        var monthRows: [[ReportCell]] = monthly.map {
            [.text(Self.monthName($0.month)), .count($0.permitted), .count($0.minimised), .count($0.denied), .count($0.total)]
        }
        monthRows.append([.text("All months"), .count(totals.permitted), .count(totals.minimised), .count(totals.denied), .count(totals.permitted + totals.denied)])
        let perFlow = data.perFlow
        document.sections.append(ReportSection("Messages each month", [
            .paragraph(
                "Each sharing decision is one message to one recipient, made when the hub received it. Permitted includes those "
                    + "minimised (fields or records withheld before delivery); denied messages reached no one. Months are UTC."),
            .table(ReportTable(
                id: "monthly", caption: "Decisions under the agreement, per month",
                columns: ["Month", "Permitted", "Of which minimised", "Denied", "All decisions"], rows: monthRows)),
            .chart(ReportChart(
                id: "monthly-chart", title: "Decisions per month", kind: .bar, labels: monthly.map { Self.monthName($0.month) },
                series: [
                    .init(name: "Permitted", values: monthly.map { .count($0.permitted) }),
                    .init(name: "Minimised", values: monthly.map { .count($0.minimised) }),
                    .init(name: "Denied", values: monthly.map { .count($0.denied) }),
                ], unit: "")),
            .table(ReportTable(
                id: "flows-decisions", caption: "Decisions per flow over the period",
                columns: ["Flow", "Permitted", "Of which minimised", "Denied"],
                rows: perFlow.map { [.text($0.flow), .count($0.permitted), .count($0.minimised), .count($0.denied)] },
                note: "A denial that no flow of the agreement applied to (a type its flows do not cover, or the agreement not in force) is counted in the months above but under no flow.")),
        ]))

        // Why messages were denied.
        let reasons = data.denialReasons
        document.sections.append(ReportSection("Why messages were denied", [
            reasons.isEmpty
                ? .paragraph("No message was denied under the agreement in the period.")
                : .table(ReportTable(
                    id: "denials", caption: "Denial reasons", columns: ["Reason", "Denials"],
                    rows: reasons.map { [.text($0.reason), .count($0.count)] },
                    note: "As the hub recorded them. A denial with several reasons counts under each."))
        ]))

        // Cohorts.
        let cohortTable = ReportTable(
            id: "cohorts", caption: "The cohorts the flows' conditions name, as the hub holds them today",
            columns: ["Cohort", "Kept by", "Children"],
            rows: data.cohorts.map { [.text($0.name), .text($0.owner), control.count($0.size)] })
        var cohortBlocks: [ReportBlock] = []
        if data.cohorts.isEmpty {
            cohortBlocks.append(.paragraph("No flow of the agreement names a cohort."))
        } else {
            var protected = cohortTable
            if protected.hasSuppressedCells { protected.note = control.note }
            cohortBlocks.append(.paragraph("The agency that keeps each cohort sends it to the hub (cohort.update); the hub keeps UPNs only."))
            cohortBlocks.append(.table(protected))
        }
        document.sections.append(ReportSection("Cohort sizes", cohortBlocks))

        // Dead letters.
        var deadBlocks: [ReportBlock] = []
        if data.deadLetters.isEmpty {
            deadBlocks.append(.paragraph("No delivery under the agreement ended as a dead letter in the period."))
        } else {
            var byCause: [String: Int] = [:]
            for letter in data.deadLetters { byCause[letter.cause, default: 0] += 1 }
            deadBlocks.append(.table(ReportTable(
                id: "dead-letters", caption: "Dead letters by cause", columns: ["Cause", "Deliveries"],
                rows: byCause.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [.text($0.key), .count($0.value)] })))
            let listed = data.deadLetters.sorted { $0.at < $1.at }.prefix(deadLetterListLimit)
            deadBlocks.append(.table(ReportTable(
                id: "dead-letter-list", caption: "Each dead letter", columns: ["Date", "Recipient", "Type", "Cause", "Message id"],
                rows: listed.map {
                    [.text(ProtocolReviewData.dayText($0.at)), .text($0.recipient), .text($0.type), .text($0.cause), .text($0.messageID)]
                },
                note: data.deadLetters.count > listed.count
                    ? "The first \(listed.count) of \(data.deadLetters.count); `liaison audit query --kind dead-lettered` lists them all." : nil)))
        }
        document.sections.append(ReportSection("Dead letters", deadBlocks))

        // What changed since the last review.
        var changeBlocks: [ReportBlock] = []
        let versions = data.versionsSeen
        if !versions.isEmpty {
            changeBlocks.append(.table(ReportTable(
                id: "versions", caption: "Versions the period's decisions were made under", columns: ["Version", "First decision", "Last decision"],
                rows: versions.map { [.text($0.version), .text($0.first), .text($0.last)] })))
        }
        if let previous = data.previous {
            let changes = ProtocolReviewData.changes(from: previous, to: agreement)
            changeBlocks.append(changes.isEmpty
                ? .paragraph("The agreement is as it was at the last review (v\(previous.version)).")
                : .table(ReportTable(
                    id: "changes", caption: "The agreement now against v\(previous.version) as last reviewed", columns: ["Change"],
                    rows: changes.map { [.text($0)] })))
            if let replay = data.replay {
                changeBlocks.append(replay.isEmpty
                    ? .paragraph("Replaying the \(data.replayedMessages) messages the hub holds under both versions changes nothing for any agency.")
                    : .table(ReportTable(
                        id: "replay", caption: "The \(data.replayedMessages) held messages replayed under the last reviewed version and this one",
                        columns: ["Agency", "Now received", "No longer received", "Records gained", "Records lost", "Fields gained", "Fields lost"],
                        rows: replay.map {
                            [
                                .text($0.agency), .count($0.newlyPermitted), .count($0.newlyDenied), .count($0.recordsGained), .count($0.recordsLost),
                                .text($0.fieldsGained.joined(separator: ", ")), .text($0.fieldsLost.joined(separator: ", ")),
                            ]
                        },
                        note: "As `liaison rules diff` reports it: the messages whose bodies the hub still holds, decided under each.")))
            }
        } else {
            changeBlocks.append(.notice(
                "The hub keeps no copy of the agreement as last reviewed, so what changed cannot be shown here. Run the report "
                    + "again with --since FILE, the agreement's file as it was reviewed last time, to compare the two and "
                    + "replay the held messages under both."))
        }
        document.sections.append(ReportSection("What changed since the last review", changeBlocks))
        return document
    }

    /// "2026-09" as "September 2026".
    static func monthName(_ month: String) -> String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        guard let number = Int(month.suffix(2)), (1...12).contains(number) else { return month }
        return "\(names[number - 1]) \(month.prefix(4))"
    }

    /// An agreement id as a file name's part: lower-case letters, digits and hyphens only.
    static func fileSafe(_ text: String) -> String {
        String(text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }
}
