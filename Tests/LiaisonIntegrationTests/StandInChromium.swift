import Foundation

/// A stand-in for Chromium, for the Courts' adapter in tests that check a bundle's HTML, CSV and file names but not
/// its PDFs (`adapter courts --chromium PATH`): a shell script that writes a one-line PDF where `--print-to-pdf=`
/// says. The adapter still runs its printer, reads the PDF back and puts it in the bundle; only the rendering is
/// left out, which took Chromium three processes and a few CPU-seconds per document on the test machine.
///
/// The bundle's real PDFs (each page with the case and "Page X of Y") are checked by `CourtsExchangeTests` through
/// the adapter and by the courts adapter's `CourtBundlePDFTests`.
enum StandInChromium {
    /// Writes the script into `folder` (a test's own temporary hub, removed with it) and returns its path.
    static func write(in folder: String) throws -> String {
        let path = "\(folder)/stand-in-chromium"
        let script = """
            #!/bin/sh
            for argument in "$@"; do
              case "$argument" in --print-to-pdf=*) printf '%%PDF-1.4\\n%% a stand-in for Chromium in tests\\n' > "${argument#--print-to-pdf=}" ;; esac
            done

            """
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return path
    }
}
