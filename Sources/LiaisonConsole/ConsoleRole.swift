/// Who a console user is to the service, and so what they may see and do. Every request is checked against it.
public enum ConsoleRole: String, Sendable, CaseIterable, Codable {
    /// An Education Social Worker: their own caseload, and the children on it.
    case esw
    /// A manager: every case, allocation, the attendance figures and the reports.
    case manager
    /// The information governance officer: the audit log, subject access requests, legal holds, agreements, the view log.
    case ig
    /// An operator of the hub: agencies, queues and dead letters, the schools' imports.
    case `operator`

    /// As the console shows it.
    public var title: String {
        switch self {
        case .esw: "Education Social Worker"
        case .manager: "Manager"
        case .ig: "Information governance officer"
        case .operator: "Operator"
        }
    }
}
