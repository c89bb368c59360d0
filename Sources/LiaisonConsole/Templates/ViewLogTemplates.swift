/// The IG officer's view log.
enum ViewLogTemplates {
    static let templates: [(name: String, template: String)] = [("views", views)]

    static let views = #"""
        <p class="body">Every view of a child's record in the console, newest first. A child is searched by UPN, which is turned into the log's pseudonym first: the log holds no UPN.</p>
        <form method="post" action="/views" novalidate>
        {{> csrf-field}}
        <div class="form-group">
        <label class="label" for="upn">Child's UPN</label>
        <input class="input input--width-20" id="upn" name="upn" type="text" value="{{upn}}" autocomplete="off" spellcheck="false">
        </div>
        <div class="form-group">
        <label class="label" for="user">Console user</label>
        <input class="input input--width-20" id="user" name="user" type="text" value="{{userFilter}}" autocomplete="off" spellcheck="false">
        </div>
        <div class="form-group">
        <label class="label" for="from">From (YYYY-MM-DD)</label>
        <input class="input input--width-10" id="from" name="from" type="text" value="{{from}}" inputmode="numeric">
        </div>
        <div class="form-group">
        <label class="label" for="to">To (YYYY-MM-DD)</label>
        <input class="input input--width-10" id="to" name="to" type="text" value="{{to}}" inputmode="numeric">
        </div>
        <button type="submit" class="button">Search</button>
        </form>
        {{#searched}}<h2 class="heading-m">Views found: {{count}}</h2>{{/searched}}
        {{^searched}}<h2 class="heading-m">The latest views</h2>{{/searched}}
        <table class="table">
        <caption class="table__caption visually-hidden">Views of children's records</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Child (pseudonym)</th><th scope="col">Page</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{at}}</td><td>{{user}}</td><td><code>{{child}}</code></td><td>{{page}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="4">No views.</td></tr>{{/rows}}
        </tbody>
        </table>
        """#
}
