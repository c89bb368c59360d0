import Foundation

#if canImport(Glibc)
import Glibc
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { Glibc.open(path, flags) }
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Glibc.read(descriptor, buffer, count) }
#elseif canImport(Darwin)
import Darwin
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { Darwin.open(path, flags) }
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Darwin.read(descriptor, buffer, count) }
#endif

/// An MIS file opened as untrusted input: a regular file (a link is refused, not followed; a FIFO is refused,
/// not waited on), read byte for byte as it is (never decompressed), and never more than a size cap, even if it
/// grows while it is read.
///
/// The readers pull from it in chunks (libxml2 through an I/O callback, the CSV reader directly), so memory stays
/// bounded by what they keep, not by the file.
final class InputFile {
    /// Why a file was not opened.
    enum Refusal: Error {
        case unreadable(String)
        case notRegular(String)
        case tooLarge(size: Int, limit: Int)

        /// The problem it is, with what to do.
        var problem: (code: MISProblem.Code, message: String) {
            switch self {
            case .unreadable(let reason):
                return (.fileUnreadable, "cannot open the file (\(reason)): check the path and permissions")
            case .notRegular(let what):
                return (.notRegularFile, "the file is \(what): only regular files are read (links are never followed); give the file itself")
            case .tooLarge(let size, let limit):
                return (.fileTooLarge, "the file is \(size) bytes, over the limit of \(limit) bytes: it was not read; send one school and period per file, or raise the limit")
            }
        }
    }

    let descriptor: Int32
    /// The size when opened.
    let size: Int
    /// The most bytes that will be read.
    let limit: Int
    /// Bytes read so far.
    private(set) var bytesRead = 0
    /// True once the file turned out larger than `limit` while being read (it grew after it was opened).
    private(set) var exceededLimit = false
    /// True once a read failed; `readError` says why.
    private(set) var readError: String?
    /// True once a byte other than white space or a byte-order mark was read: false at the end means empty.
    private(set) var sawContent = false
    /// The first bytes read (up to 4), to recognise a compressed file.
    private(set) var head: [UInt8] = []

    private init(descriptor: Int32, size: Int, limit: Int) {
        self.descriptor = descriptor
        self.size = size
        self.limit = limit
    }

    deinit { close(descriptor) }

    /// Opens `path` for reading as untrusted input.
    ///
    /// - Throws: ``Refusal`` when it cannot be opened, is not a regular file or is over `limit` bytes.
    static func open(_ path: String, limit: Int) throws(Refusal) -> InputFile {
        var status = stat()
        // lstat first, so a device or FIFO is never even opened (opening some devices has effects of its own).
        guard lstat(path, &status) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        if let what = kind(status.st_mode) { throw .notRegular(what) }
        // O_NOFOLLOW and fstat: whatever replaced the entry since lstat is refused too.
        let descriptor = systemOpen(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP { throw .notRegular("a symbolic link") }
            throw .unreadable(String(cString: strerror(errno)))
        }
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .unreadable(reason)
        }
        if let what = kind(status.st_mode) {
            close(descriptor)
            throw .notRegular(what)
        }
        guard Int(status.st_size) <= limit else {
            close(descriptor)
            throw .tooLarge(size: Int(status.st_size), limit: limit)
        }
        return InputFile(descriptor: descriptor, size: Int(status.st_size), limit: limit)
    }

    /// What a file of this mode is, or nil for a regular file.
    private static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "a device"
        }
    }

    /// The first bytes of the file (up to 256), read without moving the read position.
    func peek() -> [UInt8] {
        guard size > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: min(256, size))
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, 0) }
        return got > 0 ? Array(bytes.prefix(got)) : []
    }

    /// Reads up to `count` bytes into `buffer`.
    ///
    /// - Returns: the number read, 0 at the end, or -1 on an error or once the file is over its limit
    ///   (``exceededLimit``, ``readError``).
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        guard readError == nil, !exceededLimit else { return -1 }
        // One byte past the limit may be read, to tell a file that grew from one that ends exactly at it.
        let wanted = min(count, limit + 1 - bytesRead)
        guard wanted > 0 else {
            exceededLimit = true
            return -1
        }
        var got: Int
        repeat { got = systemRead(descriptor, buffer, wanted) } while got < 0 && errno == EINTR
        if got < 0 {
            readError = String(cString: strerror(errno))
            return -1
        }
        bytesRead += got
        if bytesRead > limit {
            exceededLimit = true
            return -1
        }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: got)
        if head.count < 4 { head += bytes.prefix(4 - head.count) }
        if !sawContent { sawContent = bytes.contains { !Self.blank($0) } }
        return got
    }

    /// White space, or a byte of the UTF-8 byte-order mark: a file of nothing else is empty.
    static func blank(_ byte: UInt8) -> Bool {
        byte == 9 || byte == 10 || byte == 13 || byte == 32 || byte == 0xEF || byte == 0xBB || byte == 0xBF
    }

    /// Whether `bytes` start like a compressed file (gzip, zip, bzip2, xz, zstd) rather than text.
    static func looksCompressed(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x1F, 0x8B]) { return "gzip" }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "zip" }
        if bytes.starts(with: [0x42, 0x5A, 0x68]) { return "bzip2" }
        if bytes.starts(with: [0xFD, 0x37, 0x7A, 0x58]) { return "xz" }
        if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "zstd" }
        return nil
    }
}
