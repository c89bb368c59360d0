import Hummingbird
import NIOCore

/// The attendance pages' own styles, served at `/assets/attendance.css` and linked by each of their templates: the
/// charts and their tables as MonitoringReports' ReportHTML writes them (plain `<table>`s, `class="num"` figures),
/// and the mark calendar's colours by category (GOV.UK's palette; the code is printed in each cell too, so the
/// calendar never rests on colour alone).
enum AttendanceCSS {
    static let path = "/assets/attendance.css"

    static let text = """
        .report-figures figure.chart{margin:0 0 10px}.report-figures figure.chart svg{width:100%;height:auto;max-width:720px;font-family:Arial,sans-serif}
        .report-figures figcaption{font-size:1rem;color:#505a5f;margin-bottom:10px}
        .report-figures table{width:100%;border-collapse:collapse;margin:0 0 10px;font-size:1rem}
        .report-figures caption{text-align:left;font-weight:700;font-size:1.1875rem;padding-bottom:10px}
        .report-figures th,.report-figures td{border-bottom:1px solid #b1b4b6;padding:8px 15px 8px 0;text-align:left;vertical-align:top}
        .report-figures .note{font-size:1rem;color:#505a5f;margin-bottom:30px}
        .num,.table .num,.report-figures .num{text-align:right;font-variant-numeric:tabular-nums}
        .inline-list{list-style:none;padding:0;margin:0 0 20px;display:flex;flex-wrap:wrap;gap:0 20px;font-size:1.1875rem}
        .mark-calendar{font-size:1rem;table-layout:fixed}.mark-calendar td{padding:6px 6px 6px 0}
        .mark-calendar__day{display:block;color:#505a5f;font-size:.875rem}
        .mark{display:inline-block;min-width:1.9em;padding:1px 4px;margin:1px 2px 1px 0;text-align:center;font-weight:700;border:1px solid transparent}
        .mark--present{background:#cce2d8;color:#005a30}.mark--aea{background:#bbd4ea;color:#0c2d4a}
        .mark--authorised{background:#fff7bf;color:#594d00}.mark--unauthorised{background:#d4351c;color:#fff}
        .mark--not_counted{background:#f3f2f1;color:#505a5f}.mark--missing{background:#fff;color:#0b0c0c;border-color:#0b0c0c;border-style:dashed}
        .mark--invalid{background:#0b0c0c;color:#fff}
        .mark-key{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:5px 20px;margin:0 0 20px;font-size:1rem}
        .mark-key li{display:flex;gap:6px;align-items:center;margin:0}
        """

    static func addRoute(to router: Router<ConsoleContext>) {
        let body = ByteBuffer(string: text)
        router.get(RouterPath(stringLiteral: path)) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"], body: .init(byteBuffer: body))
        }
    }
}
