/// What ``CountySynthesizer/write(to:)`` produced: counts, files and bytes.
public struct SynthCounty: Sendable, Hashable {
    /// The output folder.
    public var directory: String
    /// The schools (also written to `schools.csv`).
    public var schools: [SchoolEntry]
    /// Pupils on roll, over all schools.
    public var pupils: Int
    /// The CTF files written, relative to ``directory`` (`ctf/<laestab>-<year>-ht<k>.xml`).
    public var ctfFiles: [String]
    /// The CSV files written, relative to ``directory`` (`csv/<laestab>-<year>-ht<k>.csv`).
    public var csvFiles: [String]
    /// Bytes written (all files, including schools.csv).
    public var bytes: Int
    /// Bytes of CTF files.
    public var ctfBytes: Int

    /// Number of files written, schools.csv included.
    public var files: Int { ctfFiles.count + csvFiles.count + 1 }
}
