/// The attendance pages' mustache templates: the county, a school, a pupil. Each is a page's content only (the layout
/// writes the one `<h1>`); the charts and their tables come as HTML already escaped by MonitoringReports' ReportHTML,
/// inside `<div class="report-figures">` (the stylesheet's rules for them), and are written raw.
enum AttendanceTemplates {
    static let county = "attendance-county"
    static let school = "attendance-school"
    static let pupil = "attendance-pupil"
    static let noDesk = "attendance-no-desk"

    static let templates: [(name: String, template: String)] = [
        (county, countyPage), (school, schoolPage), (pupil, pupilPage), (noDesk, noDeskPage), ("attendance-years", years),
        ("attendance-summary", summary), ("attendance-pupil-table", pupilTable),
    ]

    static let years = #"""
        {{#manyYears}}<nav class="year-navigation" aria-label="Academic years"><ul class="inline-list">{{#years}}<li>{{#current}}<strong aria-current="page">{{label}}</strong>{{/current}}{{^current}}<a class="link" href="{{href}}">{{label}}</a>{{/current}}</li>{{/years}}</ul></nav>{{/manyYears}}
        """#

    static let summary = #"""
        <dl class="summary-list">
        {{#summary}}<div class="summary-list__row"><dt class="summary-list__key">{{label}}</dt><dd class="summary-list__value">{{value}}</dd></div>
        {{/summary}}
        </dl>
        """#

    /// A list of pupils on a school's page (inside one of `pupilLists`).
    static let pupilTable = #"""
        <table class="table" id="{{id}}">
        <caption class="table__caption visually-hidden">{{heading}}</caption>
        <thead><tr><th scope="col">Pupil</th><th scope="col">UPN</th><th scope="col">Year group</th><th scope="col" class="num">Possible sessions</th><th scope="col" class="num">Absence</th><th scope="col" class="num">Authorised</th><th scope="col" class="num">Unauthorised</th></tr></thead>
        <tbody>
        {{#pupils}}<tr><th scope="row"><a class="link" href="{{href}}">{{#name}}{{name}}{{/name}}{{^name}}Pupil {{upn}}{{/name}}</a></th><td>{{upn}}</td><td>{{yearGroup}}</td><td class="num">{{possible}}</td><td class="num">{{absence}}</td><td class="num">{{authorised}}</td><td class="num">{{unauthorised}}</td></tr>
        {{/pupils}}
        </tbody>
        </table>
        """#

    static let noDeskPage = #"""
        <p class="body">{{message}}</p>
        """#

    static let countyPage = #"""
        <link rel="stylesheet" href="/assets/attendance.css">
        {{> attendance-years}}
        <p class="body-l">Academic year {{year}}, {{halfTerms}}: every pupil on the schools' returns, from the desk's store.</p>
        <h2 class="heading-m">The year to date</h2>
        {{> attendance-summary}}
        <p class="body">Absence is sessions missed as a share of possible sessions; persistently absent pupils missed 10% or more of theirs, severely absent pupils 50% or more. England's figures are the DfE's latest published full year.</p>
        <h2 class="heading-m">By half term</h2>
        <div class="report-figures">{{#halfTermCharts}}{{{html}}}{{/halfTermCharts}}</div>
        <h2 class="heading-m">By week</h2>
        {{#hasWeeks}}<p class="body">From the daily marks on the returns. Persistent and severe absence are over the year to the end of each week, of the pupils with a session that week.</p>{{/hasWeeks}}
        <div class="report-figures">{{#weekCharts}}{{{html}}}{{/weekCharts}}</div>
        {{^weekCharts}}<p class="body">No return this year carried daily marks, so there are no weekly figures.</p>{{/weekCharts}}
        {{#breakdowns}}
        <h2 class="heading-m">{{title}}</h2>
        <div class="report-figures">{{{html}}}</div>
        {{/breakdowns}}
        <h2 class="heading-m">By school</h2>
        <table class="table" id="schools">
        <caption class="table__caption">Schools, the year to date</caption>
        <thead><tr><th scope="col">School</th><th scope="col">LAESTAB</th><th scope="col">Phase</th><th scope="col" class="num">Pupils</th><th scope="col" class="num">Attendance</th><th scope="col" class="num">Authorised absence</th><th scope="col" class="num">Unauthorised absence</th><th scope="col" class="num">Persistent absence</th><th scope="col" class="num">Severe absence</th></tr></thead>
        <tbody>
        {{#schools}}<tr><th scope="row"><a class="link" href="{{href}}">{{name}}</a></th><td>{{laestab}}</td><td>{{phase}}</td><td class="num">{{pupils}}</td><td class="num">{{attendance}}</td><td class="num">{{authorised}}</td><td class="num">{{unauthorised}}</td><td class="num">{{persistent}}</td><td class="num">{{severe}}</td></tr>
        {{/schools}}
        </tbody>
        </table>
        """#

    static let schoolPage = #"""
        <link rel="stylesheet" href="/assets/attendance.css">
        {{> attendance-years}}
        <p class="body-l">LAESTAB {{laestab}} · {{phase}} · academic year {{year}}, {{halfTerms}}.</p>
        <p class="body"><a class="link" href="/attendance">The county's attendance</a></p>
        <h2 class="heading-m">The year to date</h2>
        {{> attendance-summary}}
        <div class="report-figures">{{{comparison}}}</div>
        {{#pupilLists}}
        <h2 class="heading-m">{{heading}}</h2>
        <p class="body">{{text}}: {{count}} pupils{{#hasPupils}}, most absent first{{/hasPupils}}.</p>
        {{#hasPupils}}{{> attendance-pupil-table}}{{/hasPupils}}
        {{/pupilLists}}
        <h2 class="heading-m">By half term</h2>
        <div class="report-figures">{{#halfTermCharts}}{{{html}}}{{/halfTermCharts}}</div>
        <h2 class="heading-m">By week</h2>
        <div class="report-figures">{{#weekCharts}}{{{html}}}{{/weekCharts}}</div>
        {{^weekCharts}}<p class="body">No return from the school this year carried daily marks, so there are no weekly figures.</p>{{/weekCharts}}
        <h2 class="heading-m">By year group</h2>
        <div class="report-figures">{{{yearGroups}}}</div>
        """#

    static let pupilPage = #"""
        <link rel="stylesheet" href="/assets/attendance.css">
        {{> attendance-years}}
        <p class="body">This view is logged.</p>
        {{> attendance-summary}}
        <h2 class="heading-m">Attendance{{#year}} in {{year}}{{/year}}</h2>
        {{#hasFigures}}
        <dl class="summary-list">
        {{#yearToDate}}
        <div class="summary-list__row"><dt class="summary-list__key">Attendance, the year to date</dt><dd class="summary-list__value">{{attendance}} of {{possible}} possible sessions</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Absence</dt><dd class="summary-list__value">{{absence}} (authorised {{authorised}}, unauthorised {{unauthorised}}){{#persistent}} <strong class="tag tag--orange">Persistently absent</strong>{{/persistent}}{{#severe}} <strong class="tag tag--red">Severely absent</strong>{{/severe}}</dd></div>
        {{/yearToDate}}
        </dl>
        <table class="table" id="half-terms">
        <caption class="table__caption">By half term</caption>
        <thead><tr><th scope="col">Half term</th><th scope="col">School</th><th scope="col" class="num">Possible sessions</th><th scope="col" class="num">Attendance</th><th scope="col" class="num">Authorised absence</th><th scope="col" class="num">Unauthorised absence</th><th scope="col" class="num">No mark</th></tr></thead>
        <tbody>
        {{#halfTerms}}<tr><th scope="row">{{halfTerm}}</th><td>{{laestab}}</td><td class="num">{{possible}}</td><td class="num">{{attendance}}</td><td class="num">{{authorised}}</td><td class="num">{{unauthorised}}</td><td class="num">{{missing}}</td></tr>
        {{/halfTerms}}
        </tbody>
        </table>
        {{/hasFigures}}
        {{^hasFigures}}<p class="body">The desk holds no return for this pupil{{#year}} in {{year}}{{/year}}.</p>{{/hasFigures}}
        {{#schools}}
        <h2 class="heading-m">Marks at {{name}} ({{laestab}})</h2>
        <ul class="mark-key" aria-label="Key to the colours">{{#key}}<li><span class="mark mark--{{category}}" aria-hidden="true">&nbsp;</span>{{label}}</li>{{/key}}</ul>
        {{#months}}
        <table class="table mark-calendar">
        <caption class="table__caption">{{name}}</caption>
        <thead><tr>{{#weekdays}}<th scope="col">{{.}}</th>{{/weekdays}}</tr></thead>
        <tbody>
        {{#weeks}}<tr>{{#days}}{{#blank}}<td></td>{{/blank}}{{^blank}}<td><span class="mark-calendar__day">{{day}}</span>{{#am}}<span class="mark mark--{{category}}" title="Morning: {{meaning}}"><span class="visually-hidden">morning </span>{{code}}</span>{{/am}}{{#pm}}<span class="mark mark--{{category}}" title="Afternoon: {{meaning}}"><span class="visually-hidden">afternoon </span>{{code}}</span>{{/pm}}</td>{{/blank}}{{/days}}</tr>
        {{/weeks}}
        </tbody>
        </table>
        {{/months}}
        {{^months}}<p class="body">The school's returns carried no daily marks for this pupil.</p>{{/months}}
        {{/schools}}
        <h2 class="heading-m">Cases</h2>
        {{#hasCases}}
        <table class="table" id="cases">
        <caption class="table__caption visually-hidden">The pupil's cases</caption>
        <thead><tr><th scope="col">Reference</th><th scope="col">School</th><th scope="col">Status</th><th scope="col">Worker</th><th scope="col">Opened</th></tr></thead>
        <tbody>
        {{/hasCases}}
        {{#cases}}<tr><th scope="row">{{reference}}</th><td>{{laestab}}</td><td>{{status}}</td><td>{{esw}}</td><td>{{opened}}</td></tr>
        {{/cases}}
        {{#hasCases}}</tbody></table>{{/hasCases}}
        {{^cases}}<p class="body">No case has been opened for this pupil.</p>{{/cases}}
        <h2 class="heading-m">Information shared about the pupil</h2>
        <h3 class="heading-s">Shares through the hub, by agreement</h3>
        {{#hubShares}}
        <p class="body">Releases of the pupil's information in the hub's audit log: {{count}}. They are found through the pupil's pseudonym, as <code>liaison audit subject</code> finds them.</p>
        {{#agreements}}
        <table class="table">
        <caption class="table__caption">Under the agreement {{name}} (releases: {{count}})</caption>
        <thead><tr><th scope="col">When (UTC)</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Kind of message</th><th scope="col">Flow</th><th scope="col">Version</th><th scope="col">Lawful basis</th><th scope="col">Information shared</th><th scope="col" class="num">Audit entry</th></tr></thead>
        <tbody>
        {{#releases}}<tr><td>{{when}}</td><td>{{from}}</td><td>{{to}}</td><td>{{type}}</td><td>{{flow}}</td><td>{{version}}</td><td>{{lawfulBasis}}</td><td>{{fields}}</td><td class="num">{{entry}}</td></tr>
        {{/releases}}
        </tbody>
        </table>
        {{/agreements}}
        {{/hubShares}}
        {{#hubSharesUnavailable}}<p class="body">The hub's record of shares is not available here: {{hubSharesUnavailable}}</p>{{/hubSharesUnavailable}}
        <h3 class="heading-s">Shares the desk made to partners</h3>
        {{#hasDeskShares}}
        <table class="table" id="desk-shares">
        <caption class="table__caption visually-hidden">Shares the desk made about the pupil</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col">Period</th><th scope="col">Outcome</th><th scope="col">When (UTC)</th></tr></thead>
        <tbody>
        {{/hasDeskShares}}
        {{#deskShares}}<tr><td>{{kind}}</td><td>{{period}}</td><td>{{outcome}}</td><td>{{sentAt}}</td></tr>
        {{/deskShares}}
        {{#hasDeskShares}}</tbody></table>{{/hasDeskShares}}
        {{^deskShares}}<p class="body">The desk has shared nothing about this pupil with partners.</p>{{/deskShares}}
        """#
}
