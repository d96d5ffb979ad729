import Foundation
import GitKit

/// nginx's access log read as it grows: requests and 5xx answers per backend (`$upstream_addr`).
/// A line's status is its first unquoted three-digit field outside `[…]` (`$status` comes
/// before the sizes in nginx's formats), its backend the last `host:port` field (the one that
/// answered after retries). Lines without a backend (served by nginx itself) are not counted.
public final class AccessLog {
    public struct Counts: Sendable, Equatable {
        public var requests = 0
        public var errors = 0
    }

    let path: String
    private var offset: UInt64
    private var partial = Data()
    public private(set) var backends: [String: Counts] = [:]

    /// Starts at the log's current end: only what is written from now on counts.
    public init(path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ActionableError("cannot read the access log \(path) (deploy.accessLog)",
                                  hint: "Point deploy.accessLog at nginx's access log, readable by this user, or pass --soak 0.")
        }
        offset = handle.seekToEndOfFile()
        handle.closeFile()
    }

    /// Refuses a log release cannot read a backend and a status from: its last lines (when it
    /// has any) must carry both, or a soak would watch nothing and pass.
    static func requireReadableFormat(_ path: String) throws {
        let log = try AccessLog(path: path)
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { handle.closeFile() }
        let start = log.offset > 65_536 ? log.offset - 65_536 : 0
        handle.seek(toFileOffset: start)
        // From the middle of the file, the first line read is cut.
        let lines = String(decoding: handle.readData(ofLength: 65_536), as: UTF8.self).split(separator: "\n").dropFirst(start > 0 ? 1 : 0).suffix(50)
        if !lines.isEmpty, !lines.contains(where: { parse(String($0)) != nil }) {
            throw ActionableError("the access log \(path) has no line with a status and a backend address: a soak would see nothing",
                                  hint: "Log with a format holding $status and $upstream_addr (see the README), or pass --soak 0.")
        }
    }

    /// Reads what was appended since the last call. A log rotated meanwhile is read from its start.
    public func update() {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { handle.closeFile() }
        let size = handle.seekToEndOfFile()
        if size < offset { offset = 0 }
        handle.seek(toFileOffset: offset)
        partial.append(handle.readDataToEndOfFile())
        offset = size
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: partial[partial.startIndex..<newline], as: UTF8.self)
            partial.removeSubrange(partial.startIndex...newline)
            guard let (status, backend) = Self.parse(line) else { continue }
            backends[backend, default: Counts()].requests += 1
            if status >= 500 { backends[backend, default: Counts()].errors += 1 }
        }
    }

    /// The status and the backend of one line, nil when it has either missing.
    static func parse(_ line: String) -> (status: Int, backend: String)? {
        var status: Int?
        var backend: String?
        var quoted = false
        var bracketed = false
        for word in line.split(separator: " ") {
            if quoted {
                if word.hasSuffix("\"") { quoted = false }
                continue
            }
            if word.hasPrefix("\"") {
                quoted = !(word.count > 1 && word.hasSuffix("\""))
                continue
            }
            if bracketed {
                if word.hasSuffix("]") { bracketed = false }
                continue
            }
            let field = word.trimmingCharacters(in: CharacterSet(charactersIn: ","))
            if field.hasPrefix("["), !field.contains("]:") {
                bracketed = !field.hasSuffix("]")
                continue
            }
            if status == nil, field.count == 3, let number = Int(field), (100...599).contains(number) {
                status = number
            } else if let colon = field.lastIndex(of: ":"), colon != field.startIndex,
                      let port = Int(field[field.index(after: colon)...]), (1...65_535).contains(port) {
                backend = field
            }
        }
        guard let status, let backend else { return nil }
        return (status, backend)
    }
}
