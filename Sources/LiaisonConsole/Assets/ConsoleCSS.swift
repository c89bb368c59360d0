/// The console's stylesheet, served from the binary at `/assets/console.css`: the GOV.UK Design System's patterns
/// (layout, type scale, header, error summary, tables, tags, summary lists, notification banners, buttons, form
/// fields, focus states) in the project's own CSS, with system fonts (no web fonts, no CDN).
enum ConsoleCSS {
    static let text = #"""
        *,*::before,*::after{box-sizing:border-box}
        html{font-size:100%;line-height:1.3}
        body{margin:0;font-family:Arial,"Helvetica Neue",Helvetica,sans-serif;color:#0b0c0c;background:#fff;-webkit-font-smoothing:antialiased}
        a.link,main a{color:#1d70b8;text-decoration:underline;text-underline-offset:.1em}
        a:visited{color:#4c2c92}
        a:hover{color:#003078}
        a:focus,button:focus,input:focus,select:focus,textarea:focus,.link-button:focus{outline:3px solid #ffdd00;outline-offset:0;background:#ffdd00;color:#0b0c0c;box-shadow:0 -2px #ffdd00,0 4px #0b0c0c;text-decoration:none}
        input:focus,select:focus,textarea:focus{background:#fff;box-shadow:inset 0 0 0 2px #0b0c0c}
        .visually-hidden{position:absolute!important;width:1px!important;height:1px!important;margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;white-space:nowrap!important;border:0!important}
        .skip-link{position:absolute;left:-9999px;padding:10px 15px;background:#ffdd00;color:#0b0c0c}
        .skip-link:focus{left:0;top:0;z-index:10}
        .width-container{max-width:1020px;margin:0 15px}
        @media (min-width:40.0625em){.width-container{margin:0 30px}}
        @media (min-width:1080px){.width-container{margin:0 auto}}
        .header{background:#0b0c0c;color:#fff;border-bottom:10px solid #1d70b8}
        .header__container{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;padding:10px 0}
        .header__service{color:#fff!important;font-weight:700;font-size:1.5rem;text-decoration:none}
        .header__service:hover{text-decoration:underline}
        .header__account{display:flex;align-items:center;gap:15px}
        .header__sign-out{margin:0}
        .link-button{background:none;border:0;padding:0;color:#fff;font:inherit;text-decoration:underline;cursor:pointer}
        .service-navigation{background:#f3f2f1;border-bottom:1px solid #b1b4b6}
        .service-navigation__list{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:0 25px}
        .service-navigation__item{margin:0;padding:12px 0}
        .service-navigation__link{color:#1d70b8;font-weight:700}
        .service-navigation__link[aria-current=page]{color:#0b0c0c;text-decoration:none;border-bottom:4px solid #1d70b8;padding-bottom:8px}
        .main{display:block;padding:30px 0 45px}
        .heading-xl{font-size:3rem;margin:0 0 50px}
        .heading-l,h1{font-size:2.25rem;font-weight:700;line-height:1.1;margin:0 0 30px}
        .heading-m,h2{font-size:1.5rem;font-weight:700;margin:30px 0 15px}
        .heading-s,h3{font-size:1.1875rem;font-weight:700;margin:20px 0 10px}
        .caption-l{display:block;color:#505a5f;font-size:1.5rem;margin-bottom:5px}
        .body,p{font-size:1.1875rem;margin:0 0 20px;max-width:40em}
        .body-l{font-size:1.5rem;margin:0 0 30px}
        .body-s{font-size:1rem}
        .hint{color:#505a5f;font-size:1.1875rem;margin-bottom:15px}
        code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.95em}
        .form-group{margin-bottom:30px}
        .form-group--error{border-left:5px solid #d4351c;padding-left:15px}
        .label{display:block;font-size:1.1875rem;font-weight:700;margin-bottom:5px}
        .input,.select,.textarea{font:inherit;font-size:1.1875rem;padding:5px;border:2px solid #0b0c0c;border-radius:0;width:100%;max-width:100%}
        .input{height:2.5rem}
        .input--width-10{max-width:11.5em}
        .input--width-20{max-width:20.5em}
        .input--error{border-color:#d4351c}
        .textarea{min-height:6em}
        .error-message{color:#d4351c;font-weight:700;margin:0 0 15px}
        .button{font:inherit;font-size:1.1875rem;line-height:1.2;padding:8px 10px 7px;border:2px solid transparent;border-radius:0;color:#fff;background:#00703c;box-shadow:0 2px 0 #002d18;cursor:pointer;margin:0 15px 32px 0;text-decoration:none;display:inline-block}
        .button:hover{background:#005a30}
        .button--secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
        .button--warning{background:#d4351c;box-shadow:0 2px 0 #55150b}
        .error-summary{border:5px solid #d4351c;padding:20px;margin-bottom:30px}
        .error-summary__title{margin-top:0}
        .error-summary__list{list-style:none;padding:0;margin:0}
        .error-summary__list a{color:#d4351c;font-weight:700}
        .notification-banner{border:5px solid #1d70b8;background:#1d70b8;margin-bottom:30px}
        .notification-banner__header{padding:2px 20px 5px;border-bottom:1px solid transparent}
        .notification-banner__title{color:#fff;font-size:1.1875rem;margin:0}
        .notification-banner__content{background:#fff;padding:15px 20px}
        .notification-banner__heading{font-weight:700;margin:0}
        .notification-banner--success{border-color:#00703c;background:#00703c}
        .table{width:100%;border-collapse:collapse;border-spacing:0;margin-bottom:40px;font-size:1.1875rem}
        .table__caption{text-align:left;font-weight:700;font-size:1.5rem;margin-bottom:15px}
        .table th,.table td{padding:10px 20px 10px 0;border-bottom:1px solid #b1b4b6;text-align:left;vertical-align:top}
        .table th{font-weight:700}
        .table .numeric{text-align:right}
        .tag{display:inline-block;padding:2px 8px 3px;font-size:1rem;font-weight:400;background:#bbd4ea;color:#0c2d4a;max-width:100%}
        .tag--grey{background:#e5e6e7;color:#0b0c0c}
        .tag--green{background:#cce2d8;color:#005a30}
        .tag--red{background:#f4cdc6;color:#2a0b06}
        .tag--yellow{background:#fff7bf;color:#594d00}
        .tag--orange{background:#fcd6c3;color:#6e3619}
        .summary-list{margin:0 0 30px;font-size:1.1875rem}
        @media (min-width:40.0625em){.summary-list{display:table;width:100%;table-layout:fixed;border-collapse:collapse}.summary-list__row{display:table-row}.summary-list__key,.summary-list__value{display:table-cell;padding:10px 20px 10px 0}}
        .summary-list__row{border-bottom:1px solid #b1b4b6}
        .summary-list__key{font-weight:700;width:30%;margin:0}
        .summary-list__value{margin:0}
        .inset-text{border-left:10px solid #b1b4b6;padding:15px;margin:30px 0}
        .warning-text{font-weight:700;font-size:1.1875rem}
        .footer{border-top:1px solid #b1b4b6;background:#f3f2f1;padding:25px 0;color:#0b0c0c}
        .footer p{font-size:1rem}
        """#
}
