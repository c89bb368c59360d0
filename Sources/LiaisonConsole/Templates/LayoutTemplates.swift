/// The layout every page is rendered into, the shared partials, and the error and home pages.
enum LayoutTemplates {
    static let layout = "layout"

    static let templates: [(name: String, template: String)] = [
        (layout, page),
        ("csrf-field", #"<input type="hidden" name="csrf" value="{{csrf}}">"#),
        ("error-message", #"{{#message}}<p class="error-message"><span class="visually-hidden">Error:</span> {{message}}</p>{{/message}}"#),
        ("error", error),
        ("home", home),
    ]

    /// GOV.UK-like: skip link, header (service, user and role, sign out), navigation by role, error summary,
    /// notification banner, `<main>` with the one `<h1>`, footer.
    static let page = #"""
        <!DOCTYPE html>
        <html lang="en-GB">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{#hasErrors}}Error: {{/hasErrors}}{{title}} – {{serviceName}}</title>
        <link rel="stylesheet" href="/assets/console.css">
        </head>
        <body>
        <a href="#main-content" class="skip-link">Skip to main content</a>
        <header class="header">
        <div class="width-container header__container">
        <a href="/" class="header__service">{{serviceName}}</a>
        {{#user}}
        <div class="header__account">
        <span class="header__user">{{name}} <strong class="tag tag--grey">{{roleTitle}}</strong></span>
        <form method="post" action="/logout" class="header__sign-out">
        {{> csrf-field}}
        <button type="submit" class="link-button">Sign out</button>
        </form>
        </div>
        {{/user}}
        </div>
        </header>
        {{#user}}
        <nav class="service-navigation" aria-label="Menu">
        <ul class="width-container service-navigation__list">
        {{#nav}}<li class="service-navigation__item"><a class="service-navigation__link" href="{{path}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}
        </ul>
        </nav>
        {{/user}}
        <div class="width-container">
        <main class="main" id="main-content">
        {{#hasErrors}}
        <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
        <h2 class="error-summary__title" id="error-summary-title">There is a problem</h2>
        <ul class="error-summary__list">
        {{#errors}}<li><a href="#{{field}}">{{message}}</a></li>{{/errors}}
        </ul>
        </div>
        {{/hasErrors}}
        {{#banner}}
        <div class="notification-banner{{#success}} notification-banner--success{{/success}}" role="region" aria-labelledby="notification-banner-title">
        <div class="notification-banner__header"><h2 class="notification-banner__title" id="notification-banner-title">{{title}}</h2></div>
        <div class="notification-banner__content"><p class="notification-banner__heading">{{text}}</p></div>
        </div>
        {{/banner}}
        <h1 class="heading-l">{{title}}</h1>
        {{{content}}}
        </main>
        </div>
        <footer class="footer">
        <div class="width-container">
        <p>Every view of a child's record is logged. The records here are held under the service's data sharing agreements: use them only for the child's attendance and welfare.</p>
        </div>
        </footer>
        </body>
        </html>
        """#

    static let error = #"""
        <p class="body">{{message}}</p>
        <p class="body"><a class="link" href="/">Go to the start page</a></p>
        """#

    static let home = #"""
        <p class="body-l">You are signed in as {{roleTitle}}.</p>
        {{#links}}
        <h2 class="heading-m"><a class="link" href="{{path}}">{{label}}</a></h2>
        <p class="body">{{summary}}</p>
        {{/links}}
        {{^links}}<p class="body">There are no pages for your role yet.</p>{{/links}}
        """#
}
