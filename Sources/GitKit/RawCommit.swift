import CLibGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the bytes of a commit object the way git does, without copying them: header lines
/// (`tree`, `parent`, `author`, `committer`, `encoding`, signatures …), a blank line, the message.
struct RawCommit {
    /// What a walk needs from every commit it meets: its parents and committer time.
    struct Header {
        var parents: [OID] = []
        var committerTime: Int64 = 0

        init(_ data: UnsafeRawBufferPointer) {
            RawCommit.scan(data) { line, kind in
                switch kind {
                case .parent: if let id = RawCommit.hexID(line) { parents.append(id) }
                case .committer: committerTime = RawCommit.identity(line).time
                default: break
                }
                return kind != .committer
            }
        }
    }

    private enum LineKind { case parent, author, committer, encoding, other }

    let data: UnsafeRawBufferPointer
    private var author: UnsafeRawBufferPointer?
    private var encoding: String?
    private var message: UnsafeRawBufferPointer

    init(_ data: UnsafeRawBufferPointer) {
        self.data = data
        var author: UnsafeRawBufferPointer?
        var encoding: String?
        let messageStart = RawCommit.scan(data) { line, kind in
            switch kind {
            case .author: author = line
            case .encoding: encoding = String(decoding: line, as: UTF8.self)
            default: break
            }
            return true
        }
        self.author = author
        self.encoding = encoding
        message = UnsafeRawBufferPointer(rebasing: data[messageStart...])
    }

    func summary(id: OID, parentCount: Int) -> CommitSummary {
        let subject: String
        if let encoding, !CommitMessage.isUTF8(encoding) {
            subject = CommitMessage.subject(of: CommitMessage.decode(message, encoding: encoding))
        } else {
            subject = CommitMessage.subject(of: message)
        }
        var signature = Signature(name: "", email: "", time: 0, offsetMinutes: 0)
        if let author {
            let parts = RawCommit.identity(author)
            signature = Signature(name: CommitMessage.decode(parts.name, encoding: encoding),
                                  email: CommitMessage.decode(parts.email, encoding: encoding),
                                  time: parts.time, offsetMinutes: parts.offset)
        }
        return CommitSummary(id: id, parentCount: parentCount, author: signature, subject: subject)
    }

    /// Calls `visit` with each header line's value and kind until it returns false or the
    /// header ends; returns where the message starts.
    @discardableResult
    private static func scan(_ data: UnsafeRawBufferPointer, _ visit: (UnsafeRawBufferPointer, LineKind) -> Bool) -> Int {
        guard let base = data.baseAddress else { return 0 }
        var start = 0
        while start < data.count {
            let end = memchr(base + start, 0x0A, data.count - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? data.count
            if end == start { return min(end + 1, data.count) }
            var kind = LineKind.other
            var skip = 0
            switch data[start] {
            case 0x70 where has(data, start, end, "parent "): kind = .parent; skip = 7
            case 0x61 where has(data, start, end, "author "): kind = .author; skip = 7
            case 0x63 where has(data, start, end, "committer "): kind = .committer; skip = 10
            case 0x65 where has(data, start, end, "encoding "): kind = .encoding; skip = 9
            default: break
            }
            if !visit(UnsafeRawBufferPointer(rebasing: data[(start + skip)..<end]), kind) { return end }
            start = end + 1
        }
        return data.count
    }

    private static func has(_ data: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        return end - start >= count && memcmp(data.baseAddress! + start, prefix.utf8Start, count) == 0
    }

    private static func hexID(_ text: UnsafeRawBufferPointer) -> OID? {
        guard text.count >= 40 else { return nil }
        var raw = git_oid()
        let valid = withUnsafeMutableBytes(of: &raw.id) { out -> Bool in
            for offset in 0..<20 {
                guard let high = hexValue(text[2 * offset]), let low = hexValue(text[2 * offset + 1]) else { return false }
                out[offset] = high << 4 | low
            }
            return true
        }
        return valid ? OID(raw) : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }

    /// `Name <email> 1234567890 +0100`, split like git's `split_ident_line`.
    private static func identity(_ line: UnsafeRawBufferPointer)
        -> (name: UnsafeRawBufferPointer, email: UnsafeRawBufferPointer, time: Int64, offset: Int32) {
        let count = line.count
        var open = 0
        while open < count, line[open] != 0x3C { open += 1 }
        var close = open
        while close < count, line[close] != 0x3E { close += 1 }
        var nameEnd = open
        while nameEnd > 0, line[nameEnd - 1] == 0x20 { nameEnd -= 1 }
        let email = UnsafeRawBufferPointer(rebasing: line[min(open + 1, close)..<close])
        var cursor = min(close + 1, count)
        while cursor < count, line[cursor] == 0x20 { cursor += 1 }
        var time: Int64 = 0
        while cursor < count, (0x30...0x39).contains(line[cursor]) {
            time = time &* 10 &+ Int64(line[cursor] - 0x30)
            cursor += 1
        }
        while cursor < count, line[cursor] == 0x20 { cursor += 1 }
        var offset: Int32 = 0
        if cursor + 5 <= count, line[cursor] == 0x2B || line[cursor] == 0x2D {
            let digits = (1...4).map { Int32(line[cursor + $0]) - 0x30 }
            if digits.allSatisfy({ (0...9).contains($0) }) {
                offset = (digits[0] * 10 + digits[1]) * 60 + digits[2] * 10 + digits[3]
                if line[cursor] == 0x2D { offset = -offset }
            }
        }
        return (UnsafeRawBufferPointer(rebasing: line[..<nameEnd]), email, time, offset)
    }
}
