#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// git's own rules for reading a commit message, so output matches `git log` byte for byte.
public enum CommitMessage {
    /// The subject as git's `%s` prints it: blank lines at the top are skipped, then the lines
    /// of the first paragraph are joined with a space, each without its trailing whitespace.
    public static func subject(of message: String) -> String {
        var message = message
        return message.withUTF8 { subject(of: UnsafeRawBufferPointer($0)) }
    }

    static func subject(of message: UnsafeRawBufferPointer) -> String {
        var subject: [UInt8] = []
        var start = 0
        let count = message.count
        // The usual case, one line then a blank line or the end, needs no joining.
        if let single = singleLineSubject(message) { return String(decoding: single, as: UTF8.self) }
        while start < count {
            var end = start
            while end < count, message[end] != 0x0A { end += 1 }
            var trimmed = end
            while trimmed > start, isGitSpace(message[trimmed - 1]) { trimmed -= 1 }
            if trimmed == start {
                if !subject.isEmpty { break }
            } else {
                if !subject.isEmpty { subject.append(0x20) }
                subject.append(contentsOf: UnsafeRawBufferPointer(rebasing: message[start..<trimmed]))
            }
            start = end + 1
        }
        return String(decoding: subject, as: UTF8.self)
    }

    private static func singleLineSubject(_ message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let first = message.first, !isGitSpace(first) else { return nil }
        var end = 0
        while end < message.count, message[end] != 0x0A { end += 1 }
        var next = end + 1
        while next < message.count, message[next] != 0x0A {
            guard isGitSpace(message[next]) else { return nil }
            next += 1
        }
        var trimmed = end
        while trimmed > 0, isGitSpace(message[trimmed - 1]) { trimmed -= 1 }
        return UnsafeRawBufferPointer(rebasing: message[..<trimmed])
    }

    /// git's `isspace`: space, tab, line feed and carriage return, nothing else.
    private static func isGitSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Decodes raw message bytes, converting from the commit's declared encoding to UTF-8 the way
    /// git's log output does; when conversion fails the bytes are read as UTF-8, as git prints them.
    static func decode(_ bytes: UnsafeRawBufferPointer, encoding: String?) -> String {
        if let encoding, !isUTF8(encoding), let converted = convertToUTF8(bytes, from: encoding) {
            return converted
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isUTF8(_ encoding: String) -> Bool {
        let name = encoding.lowercased()
        return name == "utf-8" || name == "utf8"
    }

    private static func convertToUTF8(_ bytes: UnsafeRawBufferPointer, from encoding: String) -> String? {
        let converter = iconv_open("UTF-8", encoding)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var inputLeft = bytes.count
        var outputLeft = output.count
        let ok = output.withUnsafeMutableBytes { out -> Bool in
            var input = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: CChar.self))
            var cursor = out.baseAddress?.assumingMemoryBound(to: CChar.self)
            return iconv(converter, &input, &inputLeft, &cursor, &outputLeft) != -1
        }
        guard ok, inputLeft == 0 else { return nil }
        return String(decoding: output[0..<(output.count - outputLeft)], as: UTF8.self)
    }
}
