import Foundation

/// The schools' imports: the schools-mis adapter's folder (`imports:` in console.yaml), its `processed/` files each with
/// `NAME.report.txt` and its `failed/` files each with `NAME.error.txt`.
///
/// A report is opened only by listing its folder and taking the file at an index of that listing: no path is ever
/// built from what a request says, so `..` or a name of the sender's choosing reaches nothing. File names are shown as
/// they are (HTML-escaped by the templates); the adapter names files by school and term.
enum SchoolImports {
    /// The two folders the adapter files into.
    enum Folder: String, CaseIterable, Sendable {
        case processed
        case failed

        /// The suffix of the file that explains each file here.
        var reportSuffix: String { self == .processed ? ".report.txt" : ".error.txt" }
        var title: String { self == .processed ? "Imported" : "Not imported" }
    }

    /// One file the adapter filed.
    struct Entry: Sendable, Equatable {
        var name: String
        var size: Int
        var modified: Date
        /// The report's (or error's) file name, when there is one.
        var report: String?
    }

    /// The files in `folder` of `directory`, newest first then by name (the reports themselves left out).
    static func list(directory: String, folder: Folder) -> [Entry] {
        let path = "\(directory)/\(folder.rawValue)"
        let manager = FileManager.default
        let names = Set((try? manager.contentsOfDirectory(atPath: path)) ?? [])
        var entries: [Entry] = []
        for name in names where !name.hasSuffix(folder.reportSuffix) && !name.hasPrefix(".") {
            guard let attributes = try? manager.attributesOfItem(atPath: "\(path)/\(name)"),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            let report = name + folder.reportSuffix
            entries.append(Entry(
                name: name, size: (attributes[.size] as? NSNumber)?.intValue ?? 0,
                modified: attributes[.modificationDate] as? Date ?? .distantPast, report: names.contains(report) ? report : nil))
        }
        return entries.sorted { ($0.modified, $1.name) > ($1.modified, $0.name) }
    }

    /// The report of the file at `index` of ``list(directory:folder:)``: its entry and text (at most 256 KiB), or nil.
    static func report(directory: String, folder: Folder, index: Int) -> (entry: Entry, text: String?)? {
        let entries = list(directory: directory, folder: folder)
        guard entries.indices.contains(index) else { return nil }
        let entry = entries[index]
        guard let report = entry.report,
            let handle = FileHandle(forReadingAtPath: "\(directory)/\(folder.rawValue)/\(report)")
        else { return (entry, nil) }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 256 * 1024)) ?? Data()
        return (entry, String(decoding: data, as: UTF8.self))
    }

    /// The page's data: both folders, each file linked to its report by index.
    static func overview(directory: String) -> [String: Any] {
        let display = ViewLogPage.displayFormatter()
        let folders = Folder.allCases.map { folder -> [String: Any] in
            let entries = list(directory: directory, folder: folder)
            return [
                "folder": folder.rawValue, "title": folder.title, "count": entries.count, "hasFiles": !entries.isEmpty,
                "files": entries.enumerated().map { index, entry -> [String: Any] in
                    [
                        "name": entry.name, "size": entry.size, "modified": display.string(from: entry.modified),
                        "hasReport": entry.report != nil, "href": "/operations/imports/\(folder.rawValue)/\(index)",
                    ]
                },
            ]
        }
        return ["folders": folders, "directory": directory]
    }
}
