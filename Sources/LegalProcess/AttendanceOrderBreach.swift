import AttendanceDomain

/// What a prosecution for failing to comply with a school attendance order (Education Act 1996 s.443) rests on:
/// the facts ``ProsecutionChecks/refusals(for:orders:)`` looks at.
///
/// The offence is the breach of the order, found on a day, not absence over a period: the register plays no part,
/// and the six months of s.127 run from the breach.
///
/// ```swift
/// let breach = AttendanceOrderBreach(
///     orderMade: SchoolDate(parsing: "2025-11-19")!, breachOn: SchoolDate(parsing: "2025-12-08")!,
///     dateOfBirth: SchoolDate(parsing: "2011-03-02")!, laidOn: SchoolDate(parsing: "2026-01-12")!,
///     hearingOn: SchoolDate(parsing: "2026-02-09")!, defendants: [mother])
/// ```
public struct AttendanceOrderBreach: Sendable {
    /// The day the order was made (and served), or nil when the case has none.
    public var orderMade: SchoolDate?
    /// The day the failure to comply was found: the offence's day.
    public var breachOn: SchoolDate
    public var dateOfBirth: SchoolDate
    public var laidOn: SchoolDate
    public var hearingOn: SchoolDate
    public var defendants: [Defendant]

    public init(
        orderMade: SchoolDate?, breachOn: SchoolDate, dateOfBirth: SchoolDate, laidOn: SchoolDate, hearingOn: SchoolDate, defendants: [Defendant]
    ) {
        self.orderMade = orderMade
        self.breachOn = breachOn
        self.dateOfBirth = dateOfBirth
        self.laidOn = laidOn
        self.hearingOn = hearingOn
        self.defendants = defendants
    }
}

extension ProsecutionChecks {
    /// Every reason a s.443 prosecution must not go to court; empty if it may. Refused unless: an order was made
    /// on or before the breach, and the breach is after the order's compliance period
    /// (``SchoolAttendanceOrder/complianceEnds(orderMade:)``); the child was of compulsory school age from the order
    /// to the breach (an order has effect only while the child is); the information is laid after the breach and
    /// within six calendar months of it (s.127, ``lastDayToLay(periodEnd:)``); the hearing is after the laying; and
    /// there is a defendant, each a parent (s.576) chosen with a reason, as for s.444.
    ///
    /// ```swift
    /// checks.refusals(for: breach, orders: rules.schoolAttendanceOrders).map(\.code)   // [.compliancePeriodNotPassed]
    /// ```
    public func refusals(for breach: AttendanceOrderBreach, orders: SchoolAttendanceOrder) -> [ProsecutionRefusal] {
        var refusals: [ProsecutionRefusal] = []
        func refuse(_ code: ProsecutionRefusal.Code, _ message: String) { refusals.append(ProsecutionRefusal(code, message)) }
        let day = breach.breachOn

        if let made = breach.orderMade, made <= day {
            let ends = orders.complianceEnds(orderMade: made)
            if day <= ends {
                refuse(
                    .compliancePeriodNotPassed,
                    "The order made on \(made) gives the parent until \(ends) to comply (\(orders.compliancePeriodDays) days): "
                        + "a breach can be found only after that day, not on \(day).")
            }
        } else {
            refuse(
                .noAttendanceOrder,
                "No school attendance order was made on or before the breach (\(day)): a s.443 prosecution needs the order "
                    + "(`liaison case sao order`) and a breach found after it (`liaison case sao breach`).")
        }

        let span = breach.orderMade.map { min($0, day)...day } ?? day...day
        if !CompulsorySchoolAge.covers(period: span, dateOfBirth: breach.dateOfBirth) {
            let age = CompulsorySchoolAge.span(dateOfBirth: breach.dateOfBirth)
            refuse(
                .notOfCompulsorySchoolAge,
                "The child is of compulsory school age from \(age.lowerBound) to \(age.upperBound), not throughout \(span.lowerBound) to "
                    + "\(span.upperBound): an attendance order has effect only while the child is of compulsory school age.")
        }

        let lastDay = Self.lastDayToLay(periodEnd: day)
        if breach.laidOn <= day {
            refuse(
                .laidBeforePeriodEnds,
                "The information is dated \(breach.laidOn), on or before the breach (\(day)): lay it after the breach it alleges.")
        } else if breach.laidOn > lastDay {
            refuse(
                .outOfTime,
                "The information must be laid within six months of the breach (\(day)), by \(lastDay); it is dated \(breach.laidOn). "
                    + "Find and record a later breach of the order.")
        }
        if breach.hearingOn <= breach.laidOn {
            refuse(
                .hearingNotAfterLaying,
                "The hearing (\(breach.hearingOn)) must be after the information is laid (\(breach.laidOn)): ask the court for a later date.")
        }

        if breach.defendants.isEmpty {
            refuse(.noDefendant, "The file names no defendant: choose each parent to prosecute, and record why.")
        }
        for defendant in breach.defendants { refusals += Self.parentRefusals(for: defendant) }
        return refusals
    }

    /// A defendant's refusals as a parent, for every offence: not a parent within s.576, or not chosen with a reason.
    static func parentRefusals(for defendant: Defendant) -> [ProsecutionRefusal] {
        var refusals: [ProsecutionRefusal] = []
        let id = defendant.id
        if !defendant.isParentInLaw {
            refusals.append(ProsecutionRefusal(
                .notAParent,
                "Defendant \(id) has neither parental responsibility for nor care of the child, so is not a parent "
                    + "(Education Act 1996 s.576): remove them, or record the care or responsibility they have.", defendant: id))
        }
        let chosen = defendant.choice.map { !$0.by.allSatisfy(\.isWhitespace) && !$0.reason.allSatisfy(\.isWhitespace) } ?? false
        if !chosen {
            refusals.append(ProsecutionRefusal(
                .defendantNotChosen,
                "Nobody has recorded the decision to prosecute defendant \(id) and why: each parent is chosen case by case.", defendant: id))
        }
        return refusals
    }
}
