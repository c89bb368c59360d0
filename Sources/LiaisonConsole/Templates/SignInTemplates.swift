/// The sign-in form.
enum SignInTemplates {
    static let templates: [(name: String, template: String)] = [("login", login)]

    static let login = #"""
        <form method="post" action="/login" novalidate>
        {{> csrf-field}}
        <input type="hidden" name="next" value="{{next}}">
        <div class="form-group{{#hasErrors}} form-group--error{{/hasErrors}}">
        <label class="label" for="name">User name</label>
        <input class="input input--width-20" id="name" name="name" type="text" value="{{name}}" autocomplete="username" autocapitalize="none" spellcheck="false">
        </div>
        <div class="form-group">
        <label class="label" for="password">Password</label>
        <input class="input input--width-20" id="password" name="password" type="password" autocomplete="current-password">
        </div>
        <button type="submit" class="button">Sign in</button>
        </form>
        """#
}
