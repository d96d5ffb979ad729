import Foundation

/// Adding a release section to a changelog file without disturbing a byte of what is there.
public enum ChangelogFile {
    public static let newFileTitle = "# ChangeLog\n\n"

    /// The file with `section` added at the top: below a leading `# ` title line and the blank
    /// lines after it when the file has one, otherwise first. A missing file gets a title.
    public static func prepend(_ section: String, to existing: Data?) -> Data {
        var block = Data(section.utf8)
        if block.last != UInt8(ascii: "\n") { block.append(UInt8(ascii: "\n")) }
        guard let existing, !existing.isEmpty else { return Data(newFileTitle.utf8) + block }
        // A file whose every line ends with CRLF gets its new lines with CRLF too.
        var newline = Data("\n".utf8)
        if usesCRLF(existing) {
            block = crlf(block)
            newline = Data("\r\n".utf8)
        }
        let title = titleEnd(existing)
        let rest = existing[title.end...]
        if !rest.isEmpty { block.append(newline) }
        // Only insertions: a title that ends the file gets its line break, and a blank line
        // separates it from the section.
        var separator = Data()
        if title.end > existing.startIndex {
            if existing[title.end - 1] != UInt8(ascii: "\n") { separator.append(newline) }
            if !title.blankLineFollows { separator.append(newline) }
        }
        return existing[..<title.end] + separator + block + rest
    }

    /// Whether the text has line ends and every one of them is CRLF (a mixed file keeps LF).
    static func usesCRLF(_ text: Data) -> Bool {
        var lines = 0
        var crlf = 0
        var previous: UInt8 = 0
        for byte in text {
            if byte == UInt8(ascii: "\n") {
                lines += 1
                if previous == UInt8(ascii: "\r") { crlf += 1 }
            }
            previous = byte
        }
        return lines > 0 && crlf == lines
    }

    /// LF line ends turned into CRLF (those already CRLF kept).
    private static func crlf(_ text: Data) -> Data {
        var result = Data()
        result.reserveCapacity(text.count + text.count / 20)
        var previous: UInt8 = 0
        for byte in text {
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") { result.append(UInt8(ascii: "\r")) }
            result.append(byte)
            previous = byte
        }
        return result
    }

    /// The offset just past the title line and the blank lines that follow it (the start when
    /// the file does not open with a `# ` title).
    static func titleEnd(_ text: Data) -> (end: Data.Index, blankLineFollows: Bool) {
        guard text.starts(with: Array("# ".utf8)) else { return (text.startIndex, false) }
        guard let newline = text.firstIndex(of: UInt8(ascii: "\n")) else { return (text.endIndex, false) }
        var end = text.index(after: newline)
        var blank = false
        while end < text.endIndex {
            let lineEnd = text[end...].firstIndex(of: UInt8(ascii: "\n")) ?? text.endIndex
            guard text[end..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { break }
            blank = true
            end = lineEnd == text.endIndex ? lineEnd : text.index(after: lineEnd)
        }
        return (end, blank)
    }

    /// The heading line that already names this version (under any date), if any.
    public static func existingHeading(for version: Version?, tag: String, format: TagFormat, in text: Data) -> String? {
        let named = headings(in: text).first { heading in
            heading.words.contains(tag) || (version != nil && heading.words.contains { format.version(of: $0) == version })
        }
        return named?.line
    }

    /// The versions that heading lines name in the format's tags.
    public static func versionsNamed(in text: Data, format: TagFormat) -> Set<Version> {
        Set(headings(in: text).flatMap { $0.words.compactMap(format.version(of:)) })
    }

    /// Each `#` line with its words.
    private static func headings(in text: Data) -> [(line: String, words: [String])] {
        let separators = CharacterSet.whitespaces.union(CharacterSet(charactersIn: "[]()`*_,:"))
        return String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline).filter { $0.hasPrefix("#") }.map {
            (String($0), $0.components(separatedBy: separators))
        }
    }
}
