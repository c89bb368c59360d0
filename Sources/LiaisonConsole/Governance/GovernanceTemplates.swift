/// The IG officer's pages' templates (content only: the layout adds the one `<h1>`).
enum GovernanceTemplates {
    static let auditSearch = "governance-audit"
    static let subjectAccess = "governance-subject-access"
    static let subjectAccessReport = "governance-subject-access-report"
    static let legalHolds = "governance-legal-holds"
    static let checkpoint = "governance-checkpoint"
    static let unavailable = "governance-unavailable"

    static let templates: [(name: String, template: String)] = [
        (auditSearch, auditSearchTemplate), (subjectAccess, subjectAccessTemplate), (subjectAccessReport, reportTemplate),
        (legalHolds, legalHoldsTemplate), (checkpoint, checkpointTemplate), (unavailable, unavailableTemplate),
    ]

    static let unavailableTemplate = #"""
        <div class="inset-text">{{message}}</div>
        """#

    static let auditSearchTemplate = #"""
        <p class="body">The hub's audit log, oldest first, filtered as <code>liaison audit query</code> filters it. No entry holds personal data: ids, agencies, types, codes, digests and children's keyed pseudonyms.</p>
        <form method="get" action="/audit" novalidate>
        <div class="form-group"><label class="label" for="agency">Agency (the sender, or the agency that connected)</label>
        <input class="input input--width-20" id="agency" name="agency" type="text" value="{{agency}}" autocomplete="off" spellcheck="false"></div>
        <div class="form-group"><label class="label" for="type">Message type</label>
        <input class="input input--width-20" id="type" name="type" type="text" value="{{type}}" autocomplete="off" spellcheck="false"></div>
        <div class="form-group"><label class="label" for="agreement">Agreement (decisions under it)</label>
        <input class="input input--width-20" id="agreement" name="agreement" type="text" value="{{agreement}}" autocomplete="off" spellcheck="false"></div>
        <div class="form-group"><label class="label" for="decision">Decision</label>
        <select class="select" id="decision" name="decision">{{#decisions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/decisions}}</select></div>
        <div class="form-group"><label class="label" for="since">Since (YYYY-MM-DD)</label>
        <input class="input input--width-10" id="since" name="since" type="text" value="{{since}}" inputmode="numeric"></div>
        <div class="form-group"><label class="label" for="until">Until (YYYY-MM-DD)</label>
        <input class="input input--width-10" id="until" name="until" type="text" value="{{until}}" inputmode="numeric"></div>
        <div class="form-group"><label class="label" for="kind">Kind of record</label>
        <select class="select" id="kind" name="kind"><option value="">any</option>{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/kinds}}</select></div>
        <button type="submit" class="button">Search</button>
        </form>
        <h2 class="heading-m">{{#hasRows}}Entries {{first}} to {{last}}{{/hasRows}}{{^hasRows}}No entries{{/hasRows}}</h2>
        <table class="table">
        <caption class="table__caption visually-hidden">Audit entries</caption>
        <thead><tr><th scope="col">Entry</th><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Agencies</th><th scope="col">Type</th><th scope="col">Code</th><th scope="col">Agreement</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td class="numeric">{{entry}}</td><td>{{at}}</td><td>{{kind}}</td><td>{{agencies}}</td><td>{{type}}</td><td class="numeric">{{code}}</td><td>{{agreement}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="7">No entries match.</td></tr>{{/rows}}
        </tbody>
        </table>
        <nav aria-label="Pages of entries"><p class="body">
        {{#hasPrevious}}<a class="link" href="{{previous}}">Previous page</a> {{/hasPrevious}}
        {{#hasNext}}<a class="link" href="{{next}}">Next page</a>{{/hasNext}}
        </p></nav>
        """#

    static let subjectAccessTemplate = #"""
        <p class="body">Every release of one child's data the hub recorded, with the evidence a recipient can check, and who viewed the child's record in this console. The UPN is turned into the hub's keyed pseudonym: the audit log holds no UPN. Making the report is recorded in the view log.</p>
        <form method="post" action="/subject-access" novalidate>
        {{> csrf-field}}
        <div class="form-group">
        <label class="label" for="upn">Child's UPN</label>
        {{#errors}}{{> error-message}}{{/errors}}
        <input class="input input--width-20" id="upn" name="upn" type="text" value="{{upn}}" autocomplete="off" spellcheck="false">
        </div>
        <button type="submit" class="button">Make the report</button>
        </form>
        """#

    static let reportTemplate = #"""
        <p class="body">Every occasion on which the hub released information about the child to another organisation: when, from whom, to whom, under which agreement and lawful basis, and which items. The child's keyed pseudonym is <code>{{pseudonym}}</code>.</p>
        <p class="body"><strong>{{count}} release{{#plural}}s{{/plural}} found.</strong></p>
        <form method="post" action="/subject-access">
        {{> csrf-field}}
        <input type="hidden" name="upn" value="{{upn}}">
        <input type="hidden" name="format" value="json">
        <button type="submit" class="button button--secondary">Download the report as JSON, with each record's proof</button>
        </form>
        <h2 class="heading-m">Releases</h2>
        <table class="table">
        <caption class="table__caption visually-hidden">Releases of the child's data</caption>
        <thead><tr><th scope="col">When</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Kind of message</th><th scope="col">Agreement</th><th scope="col">Lawful basis</th><th scope="col">Information shared</th><th scope="col">Audit record</th></tr></thead>
        <tbody>
        {{#releases}}<tr><td>{{when}}</td><td>{{from}}</td><td>{{to}}</td><td>{{type}}</td><td>{{agreement}} v{{version}}</td><td>{{lawfulBasis}}</td><td>{{fields}}</td><td>entry {{entry}}</td></tr>{{/releases}}
        {{^releases}}<tr><td colspan="8">The hub has recorded no release of this child's data.</td></tr>{{/releases}}
        </tbody>
        </table>
        <h2 class="heading-m">Evidence</h2>
        <p class="body">Each record is a leaf of the audit log's Merkle tree (RFC 6962). The JSON gives, for each, the entry's text as the log hashes it, its leaf hash, and its inclusion proof to the root of the signed checkpoint below (docs/audit.md has a verifier needing only Python's hashlib).</p>
        <table class="table">
        <caption class="table__caption visually-hidden">Each record's leaf hash and the root it is proved against</caption>
        <thead><tr><th scope="col">Entry</th><th scope="col">Leaf hash</th><th scope="col">Tree size</th><th scope="col">Root</th><th scope="col">Against</th></tr></thead>
        <tbody>
        {{#releases}}<tr><td class="numeric">{{entry}}</td><td><code>{{leafHash}}</code></td><td class="numeric">{{treeSize}}</td><td><code>{{root}}</code></td><td>{{#checkpointed}}the signed checkpoint{{/checkpointed}}{{^checkpointed}}the log now (newer than the latest checkpoint){{/checkpointed}}{{#withheld}}; the entry's text is withheld (it holds an older log's identifier){{/withheld}}</td></tr>{{/releases}}
        {{^releases}}<tr><td colspan="5">No records.</td></tr>{{/releases}}
        </tbody>
        </table>
        {{#hasCheckpoint}}<h3 class="heading-s">The latest signed checkpoint</h3><pre>{{checkpoint}}</pre>{{/hasCheckpoint}}
        {{^hasCheckpoint}}<div class="inset-text">The hub has signed no checkpoint yet: the proofs are against the log as it is now.</div>{{/hasCheckpoint}}
        <h2 class="heading-m">Who viewed the child's record in this console</h2>
        <table class="table">
        <caption class="table__caption visually-hidden">Views of the child's record in the console</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Page</th></tr></thead>
        <tbody>
        {{#views}}<tr><td>{{at}}</td><td>{{user}}</td><td>{{page}}</td></tr>{{/views}}
        {{^views}}<tr><td colspan="3">No views.</td></tr>{{/views}}
        </tbody>
        </table>
        <p class="body"><a class="link" href="/subject-access">Another request</a></p>
        """#

    static let legalHoldsTemplate = #"""
        <p class="body">While a hold stands, the hub keeps the bodies of the child's messages past their retention period. A child is named by the hub's keyed pseudonym.</p>
        <div class="inset-text">Placing and releasing a hold writes the hub's store, which the console only reads: use <code>liaison audit hold --upn UPN --reference REF</code> and <code>liaison audit release --upn UPN --reference REF</code> on the hub.</div>
        <table class="table">
        <caption class="table__caption visually-hidden">Legal holds in force</caption>
        <thead><tr><th scope="col">Child (pseudonym)</th><th scope="col">Reference</th><th scope="col">Placed</th><th scope="col">Audit entry</th></tr></thead>
        <tbody>
        {{#holds}}<tr><td><code>{{pseudonym}}</code></td><td>{{reference}}</td><td>{{placed}}</td><td class="numeric">{{entry}}</td></tr>{{/holds}}
        {{^holds}}<tr><td colspan="4">No legal holds.</td></tr>{{/holds}}
        </tbody>
        </table>
        """#

    static let checkpointTemplate = #"""
        {{#checkpoint}}
        <dl class="summary-list">
        <div class="summary-list__row"><dt class="summary-list__key">Entries covered</dt><dd class="summary-list__value">{{size}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Root</dt><dd class="summary-list__value"><code>{{root}}</code></dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Signed</dt><dd class="summary-list__value">{{at}}</dd></div>
        <div class="summary-list__row"><dt class="summary-list__key">Signature</dt><dd class="summary-list__value">{{#signatureValid}}<strong class="tag tag--green">valid</strong>{{/signatureValid}}{{^signatureValid}}{{signature}}{{/signatureValid}}</dd></div>
        </dl>
        <h2 class="heading-m">The signed note</h2>
        <p class="body">As <code>liaison audit checkpoint</code> prints it, for an agency to keep.</p>
        <pre>{{note}}</pre>
        {{/checkpoint}}
        {{^checkpoint}}<div class="inset-text">The hub has signed no checkpoint yet: the broker signs one within 10 seconds of new entries.</div>{{/checkpoint}}
        <h2 class="heading-m">Check the whole log</h2>
        <p class="body">The hub does not record its checks, so this runs <code>liaison audit verify</code> here, read-only: every entry re-encoded and hashed, every subtree recomputed, every signed checkpoint checked.</p>
        {{#verification}}
        {{#ok}}<div class="notification-banner notification-banner--success" role="region" aria-labelledby="verify-title"><div class="notification-banner__header"><h2 class="notification-banner__title" id="verify-title">The log verifies</h2></div><div class="notification-banner__content"><p class="notification-banner__heading">{{entries}} entries, tree root <code>{{root}}</code>, in {{seconds}} seconds. {{checkpoints}}</p></div></div>{{/ok}}
        {{^ok}}<div class="error-summary" role="alert"><h2 class="error-summary__title">The log does not verify</h2><p class="body">BROKEN: {{problem}}</p><p class="body">{{entries}} entries verified before it.</p></div>{{/ok}}
        {{/verification}}
        <form method="post" action="/audit/verify">
        {{> csrf-field}}
        <button type="submit" class="button">Verify the audit log now</button>
        </form>
        """#
}
