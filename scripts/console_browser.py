#!/usr/bin/env python3
"""The console in a real browser: headless Chromium driven by Selenium (Debian's chromium, chromium-driver and
python3-selenium, which `make deps` installs).

    console_browser.py check --url URL --manager NAME --esw NAME --password-file FILE [--case REFERENCE]
    console_browser.py screenshots --url URL --user NAME --password-file FILE --out FOLDER [--case REFERENCE]

`check` works a case as staff would, in the browser, and prints one JSON object: {"checks": {NAME: {"ok": bool,
"detail": str}}, "pages": {URL: {"h1": N, "unlabelled": [...]}}, "ok": bool}. It signs in with the keyboard
alone (Tab from the top: the skip link, then the fields, Enter to submit); a manager allocates the case to the
ESW; a form posted without its CSRF field is refused (403) and changes nothing; the ESW records interventions,
is refused (403) a manager's page, and checks the prosecution file: first every refusal listed, then, with the
declaration and the school's certificate filled in, the file as the clerk would see it. Every page visited must
have exactly one <h1>, and every visible form field a label. The Swift test ConsoleBrowserTests runs it against
a console on a desk it built, and asserts on the JSON.

`screenshots` signs in as USER (a manager) and writes PNGs of the main pages (the top 1,800 pixels of each) into
FOLDER, as console-NAME.png (`make demo`).

The console serves no JavaScript (its CSP is script-src 'none'); the small scripts run here are WebDriver's, which
the page's policy does not govern. Exit status: 0 when every check passed (or the screenshots were written), 1 when
a check failed, 2 when the browser could not be started (what to install is printed).
"""

import argparse
import json
import os
import sys
import time
from urllib.parse import urljoin, urlparse

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select
except ImportError:  # pragma: no cover - reported to the caller
    print(json.dumps({"ok": False, "error": "python3-selenium is not installed: run `make deps` "
                      "(or apt-get install python3-selenium chromium chromium-driver)"}))
    sys.exit(2)

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
DRIVER_CANDIDATES = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]

# Counts the page's <h1> elements and lists the form fields a person cannot find by a label: an input (not
# hidden, submit or button), select or textarea with neither a <label for> naming its id, nor a wrapping <label>,
# nor aria-label / aria-labelledby.
AUDIT_SCRIPT = """
const fields = Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(e => !['hidden', 'submit', 'button', 'reset', 'image'].includes((e.getAttribute('type') || '').toLowerCase()));
const unlabelled = fields.filter(e => {
  if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')) return false;
  if (e.closest('label')) return false;
  if (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]')) return false;
  return true;
}).map(e => e.outerHTML.slice(0, 120));
return {h1: document.querySelectorAll('h1').length, fields: fields.length, unlabelled: unlabelled,
        title: document.title, h1text: (document.querySelector('h1') || {}).textContent || ''};
"""

# The HTTP status of a request made with the page's own cookie (WebDriver cannot see a navigation's status).
STATUS_SCRIPT = """
const done = arguments[arguments.length - 1];
const init = {method: arguments[1], credentials: 'same-origin', redirect: 'manual'};
if (arguments[1] === 'POST') {
  init.headers = {'Content-Type': 'application/x-www-form-urlencoded'};
  init.body = arguments[2];
}
fetch(arguments[0], init).then(r => done(r.status)).catch(e => done('error: ' + e));
"""


def find(paths):
    return next((p for p in paths if os.access(p, os.X_OK)), None)


def start_browser(width=1280, height=900):
    """Headless Chromium through Debian's chromedriver; exits 2 with what to install when either is missing."""
    chromium = os.environ.get("LIAISON_CHROMIUM") or find(CHROMIUM_CANDIDATES)
    driver = os.environ.get("LIAISON_CHROMEDRIVER") or find(DRIVER_CANDIDATES)
    if not chromium or not driver:
        missing = [name for name, found in (("chromium", chromium), ("chromium-driver", driver)) if not found]
        print(json.dumps({"ok": False, "error": f"{' and '.join(missing)} not installed: run `make deps` "
                          f"(or apt-get install {' '.join(missing)})"}))
        sys.exit(2)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", "--disable-sync",
                     "--force-device-scale-factor=1", f"--window-size={width},{height}", "--lang=en-GB"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    try:
        browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    except WebDriverException as error:
        print(json.dumps({"ok": False, "error": f"headless Chromium did not start: {error.msg}"}))
        sys.exit(2)
    browser.set_page_load_timeout(20)
    browser.set_script_timeout(10)
    return browser


class Session:
    """One browser against the console at `base`: pages audited as they are visited, checks recorded."""

    def __init__(self, browser, base):
        self.browser = browser
        self.base = base if base.endswith("/") else base + "/"
        self.checks = {}
        self.pages = {}

    def url(self, path):
        return urljoin(self.base, path.lstrip("/"))

    def path(self):
        parsed = urlparse(self.browser.current_url)
        return parsed.path + (f"?{parsed.query}" if parsed.query else "")

    def audit(self):
        """Records the current page's <h1> count and unlabelled fields, by path (a page seen twice keeps the worst)."""
        found = self.browser.execute_script(AUDIT_SCRIPT)
        key = urlparse(self.browser.current_url).path
        before = self.pages.get(key)
        if before is None or found["h1"] != 1 or found["unlabelled"]:
            self.pages[key] = {"h1": found["h1"], "unlabelled": found["unlabelled"], "title": found["title"],
                               "fields": max(found["fields"], before["fields"] if before else 0)}
        return found

    def open(self, path):
        self.browser.get(self.url(path))
        return self.audit()

    def submit(self, button):
        """Clicks a submit button and waits for the next page to load, then audits it."""
        old = self.browser.find_element(By.TAG_NAME, "html")
        button.click()
        self.wait_stale(old)
        return self.audit()

    def wait_stale(self, element, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                element.tag_name  # raises once the page it belonged to is gone
            except WebDriverException:
                return
            time.sleep(0.05)
        raise TimeoutError("the page did not change after the form was submitted")

    def status(self, path, method="GET", body=""):
        return self.browser.execute_async_script(STATUS_SCRIPT, self.url(path), method, body)

    def record(self, name, ok, detail=""):
        self.checks[name] = {"ok": bool(ok), "detail": str(detail)[:2000]}

    def text(self):
        return self.browser.find_element(By.TAG_NAME, "body").text

    def sign_in(self, name, password):
        """The sign-in form, by mouse: name, password, the button."""
        self.open("/login")
        self.browser.find_element(By.ID, "name").send_keys(name)
        self.browser.find_element(By.ID, "password").send_keys(password)
        return self.submit(self.browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))

    def sign_out(self):
        self.submit(self.browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))

    def focused(self):
        element = self.browser.switch_to.active_element
        return {"tag": element.tag_name, "id": element.get_attribute("id") or "",
                "class": element.get_attribute("class") or "", "text": (element.text or "")[:60]}

    def tab(self):
        ActionChains(self.browser).send_keys(Keys.TAB).perform()
        return self.focused()


def keyboard_sign_in(session, name, password):
    """Sign in with the keyboard alone: the first Tab reaches the skip link, Enter follows it, the next Tab reaches
    the user name (the header's links skipped), Tab the password, Enter submits."""
    browser = session.browser
    session.open("/login")
    steps = []
    first = session.tab()
    steps.append(first)
    skip_ok = "skip-link" in first["class"]
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    skipped_to_main = browser.current_url.endswith("#main-content")
    # After the skip link, Tab goes on from <main>: the user name field is next.
    reached = None
    for _ in range(6):
        focus = session.tab()
        steps.append(focus)
        if focus["id"] == "name":
            reached = len(steps)
            break
    if reached is None:
        session.record("keyboard_sign_in", False, f"Tab never reached the user name field: {steps}")
        return False
    ActionChains(browser).send_keys(name).perform()
    password_focus = session.tab()
    steps.append(password_focus)
    ActionChains(browser).send_keys(password).perform()
    old = browser.find_element(By.TAG_NAME, "html")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    session.wait_stale(old)
    page = session.audit()
    signed_in = urlparse(browser.current_url).path == "/" and "signed in as" in session.text().lower()
    ok = skip_ok and skipped_to_main and reached == 2 and password_focus["id"] == "password" and signed_in
    session.record("keyboard_sign_in", ok, json.dumps({
        "first_tab": first, "skip_link_followed": skipped_to_main, "tabs_to_name_after_skip": reached - 1,
        "password_focused": password_focus["id"] == "password", "signed_in": signed_in, "h1": page["h1text"]}))
    return ok


def case_link(session, reference):
    session.open("/cases")
    links = session.browser.find_elements(By.CSS_SELECTOR, "main a[href^='/cases/']")
    hrefs = [urlparse(link.get_attribute("href")).path for link in links]
    hrefs = [h for h in hrefs if h.count("/") == 2]
    if reference:
        return f"/cases/{reference}" if f"/cases/{reference}" in hrefs else None
    return hrefs[0] if hrefs else None


def check(arguments):
    password = open(arguments.password_file, encoding="utf-8").readline().rstrip("\n")
    browser = start_browser()
    session = Session(browser, arguments.url)
    try:
        # 1. The manager signs in with the keyboard alone.
        if not keyboard_sign_in(session, arguments.manager, password):
            session.sign_in(arguments.manager, password)
        session.record("sign_in", urlparse(browser.current_url).path == "/", session.path())

        # 2. The manager finds the case the referral opened and allocates it to the ESW.
        path = case_link(session, arguments.case)
        session.record("case_listed", path is not None, f"{path} among the manager's cases")
        if path is None:
            return session
        session.open(path)
        Select(browser.find_element(By.ID, "allocate-esw")).select_by_value(arguments.esw)
        session.submit(browser.find_element(By.CSS_SELECTOR, "form[action$='/allocate'] button[type=submit]"))
        allocated = arguments.esw in session.text() and "/cases/" in session.path()
        session.record("manager_allocates", allocated, session.path())

        # 3. A form posted without its CSRF field is refused, and changes nothing: in the browser (the hidden field
        # removed before submitting), and by a request with the session's cookie but no token.
        probe = "A note posted without its CSRF token."
        browser.execute_script(
            "document.querySelector(\"form[action$='/note'] input[name=csrf]\").remove();")
        browser.find_element(By.ID, "note-text").send_keys(probe)
        refused_page = session.submit(browser.find_element(By.CSS_SELECTOR, "form[action$='/note'] button[type=submit]"))
        fetched = session.status(f"{path}/note", "POST", "text=" + probe.replace(" ", "+"))
        session.open(path)
        unchanged = probe not in session.text()
        session.record("csrf_refused", fetched == 403 and "expired" in refused_page["h1text"].lower() and unchanged,
                       json.dumps({"status_without_token": fetched, "page_h1": refused_page["h1text"], "note_absent": unchanged}))
        session.sign_out()

        # 4. The ESW: their caseload has the case; a manager's page is refused.
        session.sign_in(arguments.esw, password)
        own = case_link(session, path.rsplit("/", 1)[1])
        attendance_status = session.status("/attendance")
        refused = session.open("/attendance")
        session.record("esw_refused_manager_page", own == path and attendance_status == 403,
                       json.dumps({"case_in_caseload": own == path, "status": attendance_status, "h1": refused["h1text"]}))

        # 5. The ESW records interventions: a warning notice (its words become an exhibit) and a home visit.
        session.open(path)
        for kind, date, words in (
            ("warning_notice", "2025-10-01", "Warning notice of possible prosecution (synthetic)."),
            ("home_visit", "2025-10-08", "Visited the home; the parent agreed a support plan (synthetic)."),
        ):
            Select(browser.find_element(By.ID, "intervene-type")).select_by_value(kind)
            browser.find_element(By.ID, "intervene-date").send_keys(date)
            browser.find_element(By.ID, "intervene-description").send_keys(words)
            session.submit(browser.find_element(By.CSS_SELECTOR, "form[action$='/intervene'] button[type=submit]"))
        body = session.text()
        rows = browser.find_elements(By.XPATH, "//h2[normalize-space()='Interventions']/following-sibling::table[1]/tbody/tr")
        session.record("esw_intervenes", len(rows) == 2 and "2025-10-01" in body and "2025-10-08" in body,
                       f"{len(rows)} intervention row(s)")

        # 6. The prosecution check: first every refusal listed (nothing declared, no certificate) ...
        session.open(f"{path}/prosecute")
        def fill(values, declare):
            for name, value in values.items():
                field = browser.find_element(By.ID, f"prosecute-{name}")
                field.clear()
                field.send_keys(value)
            box = browser.find_element(By.ID, "prosecute-declare")
            if box.is_selected() != declare:
                box.click()
        Select(browser.find_element(By.ID, "prosecute-offence")).select_by_value("444-1")
        fill({"court": "Example Magistrates' Court", "hearing": "2026-01-20", "laid_on": "2025-12-01"}, declare=False)
        session.submit(browser.find_element(By.CSS_SELECTOR, "form[method=get] button[type=submit]"))
        refusals = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#refusals li")]
        session.record("prosecution_refusals_listed",
                       any("declared" in r for r in refusals) and any("certificate" in r for r in refusals),
                       json.dumps(refusals))

        # ... then, declared and certified, the file as the clerk would see it (nothing is sent).
        fill({"certified_by": "H. Teacher, Headteacher", "certified_on": "2025-11-20",
              "costs": "Officer time:12000"}, declare=True)
        session.submit(browser.find_element(By.CSS_SELECTOR, "form[method=get] button[type=submit]"))
        left = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#refusals li")]
        body = session.text()
        # The bundle is the Courts' adapter's own documents, each framed: the prosecution file's frame copies the notice.
        frames = browser.find_elements(By.CSS_SELECTOR, "iframe.bundle-document")
        framed = ""
        if frames:
            browser.switch_to.frame(frames[0])
            framed = browser.find_element(By.TAG_NAME, "body").text
            browser.switch_to.default_content()
        session.record("prosecution_file_previewed",
                       not left and "Nothing stops this file" in body and "Warning notice of possible prosecution" in framed,
                       json.dumps({"refusals": left, "frames": len(frames)}))
        if arguments.screenshot:
            browser.save_screenshot(arguments.screenshot)
    except Exception as error:  # recorded, so the test shows where the walk stopped
        session.record("no_errors", False, f"{type(error).__name__}: {error} at {browser.current_url}")
    finally:
        browser.quit()
    return session


def screenshots(arguments):
    """PNGs of the console's main pages, signed in as a manager: sign-in, home, the county's attendance, a school,
    a pupil, the caseloads, a case, and the prosecution check with its refusals."""
    password = open(arguments.password_file, encoding="utf-8").readline().rstrip("\n")
    os.makedirs(arguments.out, exist_ok=True)
    browser = start_browser(width=1200, height=800)
    session = Session(browser, arguments.url)
    written = []

    def shot(name):
        # The page's top, up to 1,800 pixels: what a person sees first, and a size a README can show.
        height = browser.execute_script("return Math.min(document.documentElement.scrollHeight, 1800)")
        browser.set_window_size(1200, max(800, height))
        target = os.path.join(arguments.out, f"console-{name}.png")
        browser.save_screenshot(target)
        browser.set_window_size(1200, 800)
        written.append(target)

    def first_link(prefix):
        for link in browser.find_elements(By.CSS_SELECTOR, f"main a[href^='{prefix}']"):
            path = urlparse(link.get_attribute("href")).path
            if path.count("/") == 2:
                return path
        return None

    try:
        session.open("/login")
        shot("sign-in")
        session.sign_in(arguments.user, password)
        shot("home")
        session.open("/attendance")
        shot("attendance")
        school = first_link("/schools/")
        if school:
            session.open(school)
            shot("school")
            pupil = first_link("/pupils/")
            if pupil:
                session.open(pupil)
                shot("pupil")
        session.open("/cases")
        shot("cases")
        case = f"/cases/{arguments.case}" if arguments.case else first_link("/cases/")
        if case:
            session.open(case)
            shot("case")
            session.open(f"{case}/prosecute?offence=444-1&court=Example+Magistrates%27+Court&hearing=2026-03-02")
            shot("prosecution-check")
    finally:
        browser.quit()
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    checking = modes.add_parser("check", help="work a case in the browser and print the checks as JSON")
    checking.add_argument("--url", required=True)
    checking.add_argument("--manager", required=True)
    checking.add_argument("--esw", required=True)
    checking.add_argument("--password-file", required=True, help="first line: both users' password")
    checking.add_argument("--case", help="the case's reference (default: the first listed)")
    checking.add_argument("--screenshot", help="a PNG of the prosecution file's preview, for a person to look at")
    shooting = modes.add_parser("screenshots", help="PNGs of the main pages")
    shooting.add_argument("--url", required=True)
    shooting.add_argument("--user", required=True)
    shooting.add_argument("--password-file", required=True)
    shooting.add_argument("--out", required=True)
    shooting.add_argument("--case", help="the case to show (default: the first listed)")
    arguments = parser.parse_args()

    if arguments.mode == "screenshots":
        written = screenshots(arguments)
        print(json.dumps({"ok": bool(written), "screenshots": written}))
        return 0 if written else 1
    started = time.monotonic()
    session = check(arguments)
    bad_pages = {path: page for path, page in session.pages.items() if page["h1"] != 1 or page["unlabelled"]}
    session.record("one_h1_and_labels_on_every_page", not bad_pages and len(session.pages) >= 6,
                   json.dumps(bad_pages) if bad_pages else f"{len(session.pages)} pages")
    ok = all(check["ok"] for check in session.checks.values())
    print(json.dumps({"ok": ok, "checks": session.checks, "pages": session.pages,
                      "seconds": round(time.monotonic() - started, 1)}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
