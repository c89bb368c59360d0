import Foundation
import LiaisonTestSupport
import Testing

/// The console in a real browser: headless Chromium, driven by Selenium (`scripts/console_browser.py`), against
/// `liaison console` serving a desk that the real broker and adapters filled (a school's half term of returns, and
/// the case its referral opened). In the browser a manager signs in with the keyboard alone and allocates the
/// case; a form posted without its CSRF token is refused; the ESW records interventions, is refused a manager's page,
/// and checks the prosecution file: every refusal listed, then the file as the clerk would see it. Every page
/// visited has one `<h1>` and a label for every field.
///
/// Needs Debian's `chromium`, `chromium-driver` and `python3-selenium` (`make deps` installs them): without them the
/// test is skipped, except under `CI=true`, where it fails and says what to install.
@Suite("The console in a browser", .timeLimit(.minutes(3)), .realProcesses(.long))
struct ConsoleBrowserTests {
    static let python = ProcessInfo.processInfo.environment["LIAISON_PYTHON"] ?? "/usr/bin/python3"
    static let script = "\(CountyExchangeTests.repository)/scripts/console_browser.py"
    static let onCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// What is missing to drive a browser here, or nil. Selenium is looked for where Debian installs it, unless
    /// `LIAISON_PYTHON` names another Python (the script then says if it lacks Selenium).
    static let missing: String? = {
        let files = FileManager.default
        var missing: [String] = []
        if !["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains(where: files.isExecutableFile(atPath:)) { missing.append("chromium") }
        if !files.isExecutableFile(atPath: "/usr/bin/chromedriver") { missing.append("chromium-driver") }
        if ProcessInfo.processInfo.environment["LIAISON_PYTHON"] == nil && !files.fileExists(atPath: "/usr/lib/python3/dist-packages/selenium") {
            missing.append("python3-selenium")
        }
        return missing.isEmpty ? nil : missing.joined(separator: " ")
    }()

    @Test(.enabled(if: missing == nil || onCI, "the browser tests need \(missing ?? ""): run `make deps` (apt-get install \(missing ?? ""))"))
    func staffWorkACaseInTheBrowser() async throws {
        if let missing = Self.missing {
            Issue.record("CI=true and the console's browser tests cannot run: \(missing) not installed. Run `make deps` (apt-get install \(missing)).")
            return
        }
        let (county, reference) = try await Self.deskWithAReferral()
        defer { county.running.finish() }
        let folder = county.folder

        // The console on the desk, on a free port; a manager and an ESW with a synthetic password.
        let config = "\(folder)/console.yaml"
        try "listen: 127.0.0.1:0\ndesk: \(folder)/npas\nstate: \(folder)/console\nidle_minutes: 30\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let passwordFile = "\(folder)/console-password.txt"
        try "synthetic browser-test password\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        for (name, role) in [("manager.one", "manager"), ("esw.one", "esw")] {
            let added = try await LiaisonExecutable.run(
                ["console", "user", "add", "--config", config, "--name", name, "--role", role, "--password-file", passwordFile])
            #expect(added.status == 0, "\(added.output)")
        }
        let console = ConsoleProcess(config: config, log: "\(folder)/console.log", directory: CountyExchangeTests.repository)
        let url = try await console.start()
        defer { console.stopInBackground() }

        let run = try await ChildProcess.run(Self.python, [
            Self.script, "check", "--url", url, "--manager", "manager.one", "--esw", "esw.one", "--password-file", passwordFile, "--case", reference,
        ])
        let result = try #require(
            try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any],
            "the browser script printed no JSON (exit \(run.status)): \(run.output)\n\(run.errors)\n\(console.log)")
        if let error = result["error"] as? String { Issue.record("\(error)"); return }
        let checks = try #require(result["checks"] as? [String: [String: Any]], "\(result)")
        for name in [
            "keyboard_sign_in", "sign_in", "case_listed", "manager_allocates", "csrf_refused", "esw_refused_manager_page", "esw_intervenes",
            "prosecution_refusals_listed", "prosecution_file_previewed", "one_h1_and_labels_on_every_page",
        ] {
            let check = checks[name]
            #expect(check?["ok"] as? Bool == true, "\(name): \(check?["detail"] ?? "not run") \(checks["no_errors"]?["detail"] ?? "")")
        }
        #expect(checks["no_errors"] == nil, "\(checks["no_errors"]?["detail"] ?? "")")
        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        await console.stop()
        let pages = try #require(result["pages"] as? [String: Any])
        for path in ["/login", "/", "/cases", "/cases/\(reference)", "/cases/\(reference)/prosecute", "/attendance"] {
            #expect(pages[path] != nil, "\(path) was not visited: \(pages.keys.sorted())")
        }
    }

    /// A hub with the real broker, the schools' import and the desk: one school's half term of returns, then a
    /// referral for its pupil with the most unauthorised absence (a child a court could act for), which opens a case;
    /// the worker chooses the parent to prosecute. The processes are stopped before the console starts (it reads and
    /// writes the desk's store alone). Returns the county and the case's reference.
    static func deskWithAReferral() async throws -> (CountyExchangeTests.County, String) {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 20)
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk")]
        let desk = "\(county.folder)/npas"
        let ctf = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/ctf").sorted().first { $0.hasSuffix("-ht1.xml") })
        try county.drop("\(county.county)/ctf/\(ctf)")
        _ = try await county.waitForReturns(1)

        let lines = try String(contentsOfFile: "\(county.county)/csv/\((ctf as NSString).deletingPathExtension).csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        let pupils = Dictionary(grouping: lines.dropFirst().filter { Int($0[column("year_group")]).map { (1...10).contains($0) } ?? false }) {
            $0[column("upn")]
        }
        func unauthorised(_ rows: [[String]]) -> Int { rows.filter { ["G", "N", "O", "U"].contains($0[column("code")]) }.count }
        let row = try #require(pupils.values.max { unauthorised($0) < unauthorised($1) })[0]
        var referral = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/referral/valid-1.json"))) as? [String: Any])
        referral["school"] = ["laestab": row[column("laestab")], "name": row[column("school_name")]]
        var pupil = try #require(referral["pupil"] as? [String: Any])
        for (key, name) in [("upn", "upn"), ("forename", "forename"), ("surname", "surname"), ("date_of_birth", "dob"), ("year_group", "year_group")] {
            pupil[key] = row[column(name)]
        }
        referral["pupil"] = pupil
        try JSONSerialization.data(withJSONObject: referral).write(to: URL(fileURLWithPath: "\(county.folder)/referral.json"))
        try county.drop("\(county.folder)/referral.json", as: "referral-browser.json")
        var list = ""
        for _ in 0..<50 {
            list = try await LiaisonExecutable.run(["case", "list", "--folder", desk]).output
            if list.contains("NPAS-") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let reference = try #require(list.split(separator: " ").first.map(String.init).flatMap { $0.hasPrefix("NPAS-") ? $0 : nil }, "\(list)")
        let chose = try await LiaisonExecutable.run([
            "case", "defendant", reference, "--folder", desk, "--contact", "1", "--date-of-birth", "1985-06-21", "--has-care",
            "--reason", "The child lives with her; she received the warning notice.", "--by", "esw.one",
        ])
        #expect(chose.status == 0, "\(chose.output)")
        for adapter in adapters { await adapter.stop() }
        await county.running.broker.stop()
        return (county, reference)
    }
}
