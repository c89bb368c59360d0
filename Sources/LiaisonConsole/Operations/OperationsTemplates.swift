/// The operator's pages' templates (content only: the layout adds the `<h1>`, navigation and footer).
enum OperationsTemplates {
    static let agencies = "operations-agencies"
    static let deadLetters = "operations-dead-letters"
    static let message = "operations-message"
    static let agreements = "operations-agreements"
    static let imports = "operations-imports"
    static let importReport = "operations-import-report"
    static let unavailable = "operations-unavailable"
    static let discard = "operations-discard"
    static let metrics = "operations-metrics"

    static let templates: [(name: String, template: String)] = [
        (agencies, """
        {{#live}}<p class="body">Asked the broker at {{at}}: <strong>connected now</strong>, <strong>credit</strong> (deliveries the agency's adapters will take before they acknowledge) and <strong>last seen</strong> are the broker's own view.</p>{{/live}}
        {{#liveFailure}}<div class="inset-text"><p class="body"><strong>The broker did not answer.</strong> {{message}}</p><p class="body">"Connected" and "last seen" below are what the audit log last recorded.</p></div>{{/liveFailure}}
        {{#noAdmin}}<p class="body">The hub has no admin interface (<code>admin_endpoint</code> in hub.yaml), so the broker is not asked: "connected" and "last seen" are what the audit log last recorded.</p>{{/noAdmin}}
        <p class="body"><strong>Backlog</strong>: messages waiting for the agency, never sent to it. <strong>Unacknowledged</strong>: sent, neither acknowledged nor refused yet. Both from the hub's store.</p>
        {{#hasAgencies}}
        <table class="table">
        <caption class="visually-hidden">Agencies and their queues</caption>
        <thead><tr><th scope="col">Agency</th><th scope="col">Connected</th><th scope="col">Last seen</th><th scope="col">Credit</th><th scope="col">Backlog</th><th scope="col">Unacknowledged</th><th scope="col">Dead letters</th></tr></thead>
        <tbody>
        {{#agencies}}<tr><td>{{agency}}{{#adapters}}<br><span class="hint">{{adapters}}</span>{{/adapters}}</td><td>{{#connected}}<strong class="tag tag--green">{{#live}}connected now{{#connections}} ({{connections}}){{/connections}}{{/live}}{{^live}}connected{{/live}}</strong>{{/connected}}{{^connected}}<strong class="tag tag--grey">not connected</strong>{{/connected}}</td><td>{{lastSeen}}</td><td>{{credit}}</td><td>{{backlog}}</td><td>{{unacknowledged}}</td><td>{{#hasDeadLetters}}<a href="/operations/dead-letters">{{deadLetters}}</a>{{/hasDeadLetters}}{{^hasDeadLetters}}0{{/hasDeadLetters}}</td></tr>
        {{/agencies}}
        </tbody>
        </table>
        {{/hasAgencies}}
        {{^agencies}}<p class="body">The hub's store holds no deliveries and no agency has connected yet.</p>{{/agencies}}
        <p class="body"><a href="/operations/metrics">The broker's metrics</a>: messages accepted and refused, deliveries, commit times and decisions since it started.</p>
        """),
        (deadLetters, """
        <p class="body">Deliveries the hub gave up on, newest first: refused by the recipient (NACK reject), out of time, or refused for a retry too many times. Open a message to inspect its envelope. <strong>Replay</strong> puts the delivery back at the head of the recipient's queue; <strong>discard</strong> keeps it for the record and never delivers it. The broker does both and audits each with your name.</p>
        {{^canAct}}<div class="inset-text"><p class="body">Replay and discard need the broker's admin interface: {{adminMissing}}</p></div>{{/canAct}}
        {{#hasLetters}}
        <table class="table" id="dead-letters">
        <caption class="visually-hidden">Dead letters</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Recipient</th><th scope="col">From</th><th scope="col">Type</th><th scope="col">Cause</th><th scope="col">Reason</th><th scope="col">Message</th>{{#canAct}}<th scope="col">Action</th>{{/canAct}}</tr></thead>
        <tbody>
        {{#letters}}<tr><td>{{at}}</td><td>{{recipient}}</td><td>{{source}}</td><td>{{type}}</td><td><strong class="tag tag--red">{{cause}}</strong></td><td>{{reason}}</td><td><a href="/operations/messages/{{sequence}}">{{sequence}}<span class="visually-hidden"> (message {{messageID}})</span></a></td>{{#canAct}}<td><form method="post" action="/operations/dead-letters/replay">{{> csrf-field}}<input type="hidden" name="recipient" value="{{recipient}}"><input type="hidden" name="sequence" value="{{sequence}}"><button type="submit" class="button button--secondary">Replay<span class="visually-hidden"> message {{sequence}} to {{recipient}}</span></button></form> <a href="/operations/dead-letters/{{recipient}}/{{sequence}}/discard">Discard<span class="visually-hidden"> message {{sequence}} to {{recipient}}</span></a></td>{{/canAct}}</tr>
        {{/letters}}
        </tbody>
        </table>
        {{/hasLetters}}
        {{^letters}}<p class="body">There are no dead letters.</p>{{/letters}}
        """),
        (message, """
        <p class="body">The message's envelope as the hub stored it. Its body is shown by its size and SHA-256 only: it may hold a child's data.</p>
        <dl class="summary-list">
        <div class="summary-list__row"><dt class="summary-list__key">Sequence</dt><dd class="summary-list__value">{{sequence}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">From</dt><dd class="summary-list__value">{{source}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Message id</dt><dd class="summary-list__value">{{messageID}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Type</dt><dd class="summary-list__value">{{type}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Received</dt><dd class="summary-list__value">{{received}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Expires</dt><dd class="summary-list__value">{{expires}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Body</dt><dd class="summary-list__value">{{bodySize}}, SHA-256 <code>{{bodyDigest}}</code></dd></div>
        </dl>
        <h2 class="heading-m">Envelope</h2>
        <dl class="summary-list">
        {{#fields}}<div class="summary-list__row"><dt class="summary-list__key">{{key}}</dt><dd class="summary-list__value"><code>{{value}}</code></dd></div>{{/fields}}
        </dl>
        <h2 class="heading-m">Deliveries</h2>
        <table class="table">
        <caption class="visually-hidden">The message's deliveries</caption>
        <thead><tr><th scope="col">Recipient</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Settled</th></tr></thead>
        <tbody>
        {{#deliveries}}<tr><td>{{recipient}}</td><td>{{state}}</td><td>{{attempts}}</td><td>{{settled}}</td></tr>
        {{/deliveries}}
        </tbody>
        </table>
        <p class="body"><a href="/operations/dead-letters">Back to the dead letters</a></p>
        """),
        (agreements, """
        <p class="body">The agreements in force from <code>{{folder}}</code>, with this month's ({{month}}) decisions under each from the hub's audit log. <strong>Minimised</strong>: permitted with fields or records withheld (counted in permitted too).</p>
        {{#hasProblems}}<div class="inset-text"><p class="body">The agreements folder has problems the broker would refuse:</p><ul>{{#problems}}<li>{{text}}</li>{{/problems}}</ul></div>{{/hasProblems}}
        {{#agreements}}
        <h2 class="heading-m">{{title}} <span class="hint">{{id}} v{{version}}</span></h2>
        <dl class="summary-list">
        <div class="summary-list__row"><dt class="summary-list__key">Review</dt><dd class="summary-list__value">{{review}} ({{reviewDays}}){{#overdue}} <strong class="tag tag--red">review overdue</strong>{{/overdue}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">End</dt><dd class="summary-list__value">{{end}} ({{endDays}})</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">This month</dt><dd class="summary-list__value">{{permitted}} permitted, {{minimised}} minimised, {{denied}} denied</dd></div>
        </dl>
        <table class="table">
        <caption class="visually-hidden">The flows of {{id}}</caption>
        <thead><tr><th scope="col">Flow</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Types</th></tr></thead>
        <tbody>
        {{#flows}}<tr><td>{{id}}</td><td>{{from}}</td><td>{{to}}</td><td>{{types}}</td></tr>
        {{/flows}}
        </tbody>
        </table>
        {{/agreements}}
        {{^agreements}}<p class="body">The folder holds no agreement: the hub shares nothing.</p>{{/agreements}}
        """),
        (imports, """
        <p class="body">The files the schools-mis adapter took from <code>{{directory}}</code>, newest first. Open one to read its report.</p>
        {{#folders}}
        <h2 class="heading-m">{{title}} ({{count}})</h2>
        {{#hasFiles}}
        <table class="table">
        <caption class="visually-hidden">{{title}}: files in {{folder}}/</caption>
        <thead><tr><th scope="col">File</th><th scope="col">Filed</th><th scope="col">Bytes</th><th scope="col">Report</th></tr></thead>
        <tbody>
        {{#files}}<tr><td>{{name}}</td><td>{{modified}}</td><td>{{size}}</td><td>{{#hasReport}}<a href="{{href}}">Report<span class="visually-hidden"> on {{name}}</span></a>{{/hasReport}}{{^hasReport}}none{{/hasReport}}</td></tr>
        {{/files}}
        </tbody>
        </table>
        {{/hasFiles}}
        {{^files}}<p class="body">None.</p>{{/files}}
        {{/folders}}
        """),
        (importReport, """
        <dl class="summary-list">
        <div class="summary-list__row"><dt class="summary-list__key">File</dt><dd class="summary-list__value">{{name}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Folder</dt><dd class="summary-list__value">{{folder}}/</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Filed</dt><dd class="summary-list__value">{{modified}}</dd></div>
        </dl>
        {{#hasText}}<pre>{{text}}</pre>{{/hasText}}
        {{^hasText}}<p class="body">The adapter wrote no report for this file.</p>{{/hasText}}
        <p class="body"><a href="/operations/imports">Back to the schools' imports</a></p>
        """),
        (discard, """
        <div class="warning-text"><strong>Discarding cannot be undone from the console.</strong> The delivery stays in the hub's store for the record but is never delivered to {{recipient}}, and it leaves this list. The broker audits it with your name.</div>
        <dl class="summary-list">
        <div class="summary-list__row"><dt class="summary-list__key">Recipient</dt><dd class="summary-list__value">{{recipient}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Message</dt><dd class="summary-list__value"><a href="/operations/messages/{{sequence}}">{{sequence}}</a> ({{type}} from {{source}})</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Cause</dt><dd class="summary-list__value">{{cause}}: {{reason}}</dd></div>
        </dl>
        <form method="post" action="/operations/dead-letters/discard">{{> csrf-field}}<input type="hidden" name="recipient" value="{{recipient}}"><input type="hidden" name="sequence" value="{{sequence}}">
        <button type="submit" class="button button--warning">Discard message {{sequence}}</button></form>
        <p class="body"><a href="/operations/dead-letters">Back to the dead letters</a></p>
        """),
        (metrics, """
        <p class="body">The broker's own metrics, asked at {{at}}: the numbers its <code>/metrics</code> gives a Prometheus server. Counts are since the broker last started; the queues are as of its last group commit.</p>
        <h2 class="heading-m">Messages</h2>
        <dl class="summary-list">
        {{#totals}}<div class="summary-list__row"><dt class="summary-list__key">{{label}}</dt><dd class="summary-list__value">{{value}} <span class="hint">{{hint}}</span></dd></div>
        {{/totals}}
        <div class="summary-list__row"><dt class="summary-list__key">Group commit</dt><dd class="summary-list__value">{{#commit}}mean {{mean}}; half {{p50}}; 99% {{p99}} <span class="hint">over {{count}} commits: the time an ACCEPTED waits for the disk</span>{{/commit}}</dd></div>
        </dl>
        <h2 class="heading-m">Refused</h2>
        {{#hasRejected}}<table class="table"><caption class="visually-hidden">Commands refused, by error code</caption>
        <thead><tr><th scope="col">Code</th><th scope="col">Name</th><th scope="col">Count</th></tr></thead><tbody>
        {{#rejected}}<tr><td>{{code}}</td><td>{{name}}</td><td>{{count}}</td></tr>{{/rejected}}
        </tbody></table>{{/hasRejected}}
        {{^hasRejected}}<p class="body">Nothing refused since the broker started.</p>{{/hasRejected}}
        <h2 class="heading-m">Queues</h2>
        {{#hasAgencies}}<table class="table"><caption class="visually-hidden">Each agency's queue</caption>
        <thead><tr><th scope="col">Agency</th><th scope="col">Waiting</th><th scope="col">Unacknowledged</th></tr></thead><tbody>
        {{#agencies}}<tr><td>{{agency}}</td><td>{{waiting}}</td><td>{{unacknowledged}}</td></tr>{{/agencies}}
        </tbody></table>{{/hasAgencies}}
        <h2 class="heading-m">Dead letters</h2>
        {{#hasDeadLetters}}<table class="table"><caption class="visually-hidden">Dead letters, by cause</caption>
        <thead><tr><th scope="col">Cause</th><th scope="col">Count</th></tr></thead><tbody>
        {{#deadLetters}}<tr><td>{{cause}}</td><td>{{count}}</td></tr>{{/deadLetters}}
        </tbody></table>{{/hasDeadLetters}}
        {{^hasDeadLetters}}<p class="body">None since the broker started.</p>{{/hasDeadLetters}}
        <h2 class="heading-m">Sharing decisions</h2>
        {{#hasDecisions}}<table class="table"><caption class="visually-hidden">Decisions by agreement and outcome</caption>
        <thead><tr><th scope="col">Agreement</th><th scope="col">Permitted</th><th scope="col">Minimised</th><th scope="col">Denied</th></tr></thead><tbody>
        {{#decisions}}<tr><td>{{agreement}}</td><td>{{permitted}}</td><td>{{minimised}}</td><td>{{denied}}</td></tr>{{/decisions}}
        </tbody></table>{{/hasDecisions}}
        {{^hasDecisions}}<p class="body">None since the broker started.</p>{{/hasDecisions}}
        """),
        (unavailable, """
        <p class="body">{{message}}</p>
        """),
    ]
}
