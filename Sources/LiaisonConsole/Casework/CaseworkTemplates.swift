/// The casework pages' mustache templates: the caseloads (`cases`), a case with its timeline and action forms
/// (`case`), and the prosecution check (`case-prosecute`). Content only: the layout adds the `<h1>`, the error
/// summary (from `errors`) and the notification banner (from `banner`).
///
/// A form's values are in `FORM.f` and its errors in `FORM.e`, by field (`note.f.text`, `note.e.text`); every field
/// has a `<label for>`, and an error beside it with the id the summary links to (`#note-text`).
enum CaseworkTemplates {
    static let cases = """
        {{#isManager}}
        <p class="body">Every case the desk holds, by the Education Social Worker allocated. Allocate a case on its page, or here.</p>
        {{#groups}}
        <h2 class="heading-m">{{worker}} <span class="caption">({{count}} {{#unallocated}}not allocated{{/unallocated}}{{^unallocated}}case(s){{/unallocated}})</span></h2>
        <table class="table">
        <caption class="visually-hidden">Cases of {{worker}}</caption>
        <thead><tr><th scope="col">Case</th><th scope="col">Status</th><th scope="col">School</th><th scope="col">Opened</th>{{#unallocated}}<th scope="col">Allocate</th>{{/unallocated}}</tr></thead>
        <tbody>
        {{#cases}}
        <tr><td><a class="link" href="/cases/{{reference}}">{{reference}}</a></td><td><strong class="tag tag--{{status.colour}}">{{status.text}}</strong></td><td>{{laestab}}</td><td>{{opened}}</td>
        {{#unallocated}}<td>
        <form method="post" action="/cases/{{reference}}/allocate">{{> csrf-field}}
        <label class="label visually-hidden" for="allocate-{{reference}}">Education Social Worker for {{reference}}</label>
        <select class="select" id="allocate-{{reference}}" name="esw">{{#workers}}<option value="{{.}}">{{.}}</option>{{/workers}}</select>
        <button class="button button--secondary" type="submit">Allocate</button>
        </form></td>{{/unallocated}}</tr>
        {{/cases}}
        </tbody>
        </table>
        {{/groups}}
        {{^groups}}<p class="body">The desk holds no cases.</p>{{/groups}}
        {{/isManager}}
        {{^isManager}}
        <p class="body">The cases allocated to you ({{user.name}}).</p>
        <table class="table">
        <caption class="visually-hidden">Your caseload</caption>
        <thead><tr><th scope="col">Case</th><th scope="col">Status</th><th scope="col">School</th><th scope="col">Opened</th></tr></thead>
        <tbody>
        {{#cases}}<tr><td><a class="link" href="/cases/{{reference}}">{{reference}}</a></td><td><strong class="tag tag--{{status.colour}}">{{status.text}}</strong></td><td>{{laestab}}</td><td>{{opened}}</td></tr>{{/cases}}
        </tbody>
        </table>
        {{^cases}}<p class="body">No cases are allocated to you.</p>{{/cases}}
        {{/isManager}}
        {{#noDesk}}<div class="inset-text">The desk's store is not there yet: no cases to show.</div>{{/noDesk}}
        """

    static let deskCase = """
        <a class="back-link" href="/cases">All cases</a>
        <h2 class="heading-m">The case</h2>
        <dl class="summary-list">
        <div class="summary-list__row"><dt class="summary-list__key">Status</dt><dd class="summary-list__value"><strong class="tag tag--{{status.colour}}">{{status.text}}</strong></dd></div>
        {{#summary}}<div class="summary-list__row"><dt class="summary-list__key">{{key}}</dt><dd class="summary-list__value">{{value}}</dd></div>{{/summary}}
        </dl>

        <h2 class="heading-m">Timeline</h2>
        <table class="table">
        <caption class="visually-hidden">Everything recorded on the case, oldest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
        <tbody>{{#timeline}}<tr><td>{{at}}</td><td>{{kind}}</td><td>{{detail}}</td></tr>{{/timeline}}</tbody>
        </table>

        <h2 class="heading-m">Interventions</h2>
        <table class="table">
        <caption class="visually-hidden">Interventions recorded</caption>
        <thead><tr><th scope="col">Date</th><th scope="col">Type</th><th scope="col">By</th><th scope="col">What was done</th><th scope="col">Penalty</th></tr></thead>
        <tbody>{{#interventions}}<tr><td>{{date}}</td><td>{{type}}</td><td>{{by}}</td><td>{{description}}</td><td>{{amount}}</td></tr>{{/interventions}}</tbody>
        </table>
        {{^interventions}}<p class="body">No interventions are recorded.</p>{{/interventions}}

        {{#canAllocate}}
        <h2 class="heading-m" id="allocate">Allocate</h2>
        <form method="post" action="/cases/{{reference}}/allocate" novalidate>{{> csrf-field}}
        <div class="form-group{{#allocate.e.esw}} form-group--error{{/allocate.e.esw}}">
        <label class="label" for="allocate-esw">Education Social Worker</label>
        {{#allocate.e.esw}}<p class="error-message" id="allocate-esw-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/allocate.e.esw}}
        <select class="select" id="allocate-esw" name="esw"><option value="">Choose a worker</option>{{#workers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/workers}}</select>
        </div>
        <button class="button" type="submit">Allocate the case</button>
        </form>
        {{/canAllocate}}

        <h2 class="heading-m" id="note">Add a note</h2>
        <form method="post" action="/cases/{{reference}}/note" novalidate>{{> csrf-field}}
        <div class="form-group{{#note.e.text}} form-group--error{{/note.e.text}}">
        <label class="label" for="note-text">Note</label>
        {{#note.e.text}}<p class="error-message" id="note-text-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/note.e.text}}
        <textarea class="textarea" id="note-text" name="text" rows="3">{{note.f.text}}</textarea>
        </div>
        <button class="button" type="submit">Add the note</button>
        </form>

        <h2 class="heading-m" id="intervene">Record an intervention</h2>
        <form method="post" action="/cases/{{reference}}/intervene" novalidate>{{> csrf-field}}
        <div class="form-group{{#intervene.e.type}} form-group--error{{/intervene.e.type}}">
        <label class="label" for="intervene-type">Type of intervention</label>
        {{#intervene.e.type}}<p class="error-message" id="intervene-type-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/intervene.e.type}}
        <select class="select" id="intervene-type" name="type"><option value="">Choose a type</option>{{#interventionTypes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/interventionTypes}}</select>
        </div>
        <div class="form-group{{#intervene.e.date}} form-group--error{{/intervene.e.date}}">
        <label class="label" for="intervene-date">Date</label>
        <div class="hint" id="intervene-date-hint">YYYY-MM-DD; today if left blank</div>
        {{#intervene.e.date}}<p class="error-message" id="intervene-date-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/intervene.e.date}}
        <input class="input input--width-10" id="intervene-date" name="date" type="text" value="{{intervene.f.date}}" aria-describedby="intervene-date-hint">
        </div>
        <div class="form-group">
        <label class="label" for="intervene-description">What was done</label>
        <div class="hint" id="intervene-description-hint">For a warning letter or notice, its words: the prosecution file copies them as an exhibit</div>
        <textarea class="textarea" id="intervene-description" name="description" rows="3" aria-describedby="intervene-description-hint">{{intervene.f.description}}</textarea>
        </div>
        <details class="details"><summary class="details__summary">A penalty notice recorded by hand</summary><div class="details__text">
        <div class="form-group{{#intervene.e.defendant}} form-group--error{{/intervene.e.defendant}}">
        <label class="label" for="intervene-defendant">Defendant number (which parent, 1 to 9)</label>
        {{#intervene.e.defendant}}<p class="error-message" id="intervene-defendant-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/intervene.e.defendant}}
        <input class="input input--width-2" id="intervene-defendant" name="defendant" type="text" inputmode="numeric" value="{{intervene.f.defendant}}">
        </div>
        <div class="form-group{{#intervene.e.amount}} form-group--error{{/intervene.e.amount}}">
        <label class="label" for="intervene-amount">Amount in pounds</label>
        {{#intervene.e.amount}}<p class="error-message" id="intervene-amount-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/intervene.e.amount}}
        <input class="input input--width-4" id="intervene-amount" name="amount" type="text" inputmode="numeric" value="{{intervene.f.amount}}">
        </div>
        <div class="form-group{{#intervene.e.status}} form-group--error{{/intervene.e.status}}">
        <label class="label" for="intervene-status">Penalty notice status</label>
        {{#intervene.e.status}}<p class="error-message" id="intervene-status-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/intervene.e.status}}
        <select class="select" id="intervene-status" name="status"><option value="">Unpaid</option>{{#noticeStatuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/noticeStatuses}}</select>
        </div>
        <div class="form-group{{#intervene.e.paid_on}} form-group--error{{/intervene.e.paid_on}}">
        <label class="label" for="intervene-paid_on">Date paid</label>
        {{#intervene.e.paid_on}}<p class="error-message" id="intervene-paid_on-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/intervene.e.paid_on}}
        <input class="input input--width-10" id="intervene-paid_on" name="paid_on" type="text" value="{{intervene.f.paid_on}}">
        </div>
        </div></details>
        <button class="button" type="submit">Record the intervention</button>
        </form>

        <h2 class="heading-m" id="feedback">Feedback to the school</h2>
        {{^canSend}}<div class="inset-text">The console cannot send messages through the hub ({{sendNote}}). Send feedback with <code>liaison case feedback {{reference}}</code>.</div>{{/canSend}}
        {{#canSend}}
        <form method="post" action="/cases/{{reference}}/feedback" novalidate>{{> csrf-field}}
        <div class="form-group{{#feedback.e.text}} form-group--error{{/feedback.e.text}}">
        <label class="label" for="feedback-text">Feedback to the school</label>
        {{#feedback.e.text}}<p class="error-message" id="feedback-text-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/feedback.e.text}}
        <textarea class="textarea" id="feedback-text" name="text" rows="4">{{feedback.f.text}}</textarea>
        </div>
        <div class="form-group">
        <label class="label" for="feedback-next_step">Next step for the school</label>
        <input class="input" id="feedback-next_step" name="next_step" type="text" value="{{feedback.f.next_step}}" placeholder="{{defaultNextStep}}">
        </div>
        <div class="form-group{{#feedback.e.case_status}} form-group--error{{/feedback.e.case_status}}">
        <label class="label" for="feedback-case_status">The case is now</label>
        {{#feedback.e.case_status}}<p class="error-message" id="feedback-case_status-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/feedback.e.case_status}}
        <select class="select" id="feedback-case_status" name="case_status">{{#feedbackStatuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/feedbackStatuses}}</select>
        </div>
        <button class="button" type="submit">Send the feedback</button>
        </form>
        {{/canSend}}

        <h2 class="heading-m" id="prosecute">Prosecution</h2>
        <p class="body"><a class="link" href="/cases/{{reference}}/prosecute">Check the prosecution file</a>: the file as the clerk will see it, or every reason the Courts would refuse it, before anything is sent.</p>

        <h2 class="heading-m" id="close">Close the case</h2>
        <form method="post" action="/cases/{{reference}}/close" novalidate>{{> csrf-field}}
        <div class="form-group{{#close.e.reason}} form-group--error{{/close.e.reason}}">
        <label class="label" for="close-reason">Reason</label>
        {{#close.e.reason}}<p class="error-message" id="close-reason-error"><span class="visually-hidden">Error:</span> {{.}}</p>{{/close.e.reason}}
        <textarea class="textarea" id="close-reason" name="reason" rows="2">{{close.f.reason}}</textarea>
        </div>
        <button class="button button--warning" type="submit">Close the case</button>
        </form>
        """

    /// A text field of the prosecution form: `{{> prosecute-field}}` inside a field's context (`name`, `label`,
    /// `value`, `multiline`, `hasHint` and `hint`, `hasError` and `error`).
    static let prosecuteField = """
        <div class="form-group{{#hasError}} form-group--error{{/hasError}}">
        <label class="label" for="prosecute-{{name}}">{{label}}</label>
        {{#hasHint}}<div class="hint" id="prosecute-{{name}}-hint">{{hint}}</div>{{/hasHint}}
        {{#hasError}}<p class="error-message" id="prosecute-{{name}}-error"><span class="visually-hidden">Error:</span> {{error}}</p>{{/hasError}}
        {{#multiline}}<textarea class="textarea" id="prosecute-{{name}}" name="{{name}}" rows="4"{{#hasHint}} aria-describedby="prosecute-{{name}}-hint"{{/hasHint}}>{{value}}</textarea>{{/multiline}}
        {{^multiline}}<input class="input" id="prosecute-{{name}}" name="{{name}}" type="text" value="{{value}}"{{#hasHint}} aria-describedby="prosecute-{{name}}-hint"{{/hasHint}}>{{/multiline}}
        </div>
        """

    static let prosecute = """
        <a class="back-link" href="/cases/{{reference}}">Case {{reference}}</a>
        {{#checked}}
        {{#refused}}
        <div class="warning-text"><strong class="warning-text__text">The Courts would refuse this file. Every reason, from the same checks as <code>liaison case prosecute</code>:</strong></div>
        <ul class="list list--bullet" id="refusals">{{#refusals}}<li><span class="tag tag--red">{{code}}</span> {{message}}</li>{{/refusals}}</ul>
        {{/refused}}
        {{^refused}}
        <div class="panel"><p class="body">Nothing stops this file. Below is the bundle the clerk will receive, each document as the Courts' adapter renders it; nothing has been sent.</p></div>
        <h2 class="heading-m">The bundle</h2>
        <p class="body">Open a document on its own page to read it in full or print it (A4, as the clerk prints it).</p>
        <ol class="list list--number" id="bundle">{{#bundle}}<li><a class="link" href="{{href}}">{{title}}</a> ({{name}})</li>{{/bundle}}</ol>
        {{#bundle}}
        <h3 class="heading-s">{{number}}. {{title}}</h3>
        <iframe class="bundle-document" title="{{title}}, as the clerk will see it" src="{{href}}" width="100%" height="720"></iframe>
        {{/bundle}}
        {{#canSend}}
        <form method="post" action="/cases/{{reference}}/prosecute">{{> csrf-field}}
        {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
        <button class="button button--warning" type="submit">Send the file to the Courts</button>
        </form>
        {{/canSend}}
        {{^canSend}}<div class="inset-text">The console cannot send messages through the hub ({{sendNote}}). Send the file with <code>liaison case prosecute {{reference}}</code> and the same values.</div>{{/canSend}}
        {{/refused}}
        {{/checked}}

        <h2 class="heading-m">Check the file</h2>
        <p class="body">Choose the defendants first (<code>liaison case defendant</code>). Checking sends nothing.</p>
        <form method="get" action="/cases/{{reference}}/prosecute" novalidate>
        <div class="form-group{{#offenceError}} form-group--error{{/offenceError}}">
        <label class="label" for="prosecute-offence">Offence</label>
        {{#offenceError}}<p class="error-message" id="prosecute-offence-error"><span class="visually-hidden">Error:</span> {{offenceError}}</p>{{/offenceError}}
        <select class="select" id="prosecute-offence" name="offence">{{#offences}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/offences}}</select>
        </div>
        {{#fields}}{{> prosecute-field}}{{/fields}}
        <div class="form-group">
        <div class="checkboxes__item"><input class="checkboxes__input" id="prosecute-declare" name="declare" type="checkbox" value="yes"{{#declared}} checked{{/declared}}>
        <label class="label checkboxes__label" for="prosecute-declare">I have read the statement and declare it true (s.9)</label></div>
        </div>
        <button class="button" type="submit">Check the file</button>
        </form>
        """

    static let templates: [(name: String, template: String)] = [
        ("cases", cases), ("case", deskCase), ("prosecute-field", prosecuteField), ("case-prosecute", prosecute),
    ]
}
