import Foundation

extension GitRepository {
    /// Writes a commit object byte for byte (any message, any `encoding` header), bypassing
    /// `git commit`'s message clean-up, and points `branch` at it. Returns the id.
    @discardableResult
    public func rawCommit(message: Data, encoding: String? = nil, branch: String = "HEAD") throws -> String {
        let tree = try git("write-tree").trimmingCharacters(in: .whitespacesAndNewlines)
        let parent = try? id(branch)
        var header = "tree \(tree)\n"
        if let parent { header += "parent \(parent)\n" }
        header += "author Raw Author <raw@example.com> \(nextTime) +0000\n"
        header += "committer Raw Committer <raw@example.com> \(nextTime) +0000\n"
        if let encoding { header += "encoding \(encoding)\n" }
        let object = Data((header + "\n").utf8) + message
        let id = try git(["hash-object", "-t", "commit", "-w", "--stdin"], input: object)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try git("update-ref", branch, id)
        return id
    }
}

/// Commit messages on which naive subject extraction drifts from git.
public enum TrickyMessages {
    public static let all: [(name: String, message: Data, encoding: String?)] = {
        var list: [(String, Data, String?)] = [
            ("plain", "plain subject\n", nil),
            ("leading spaces", "   indented subject\n\nbody\n", nil),
            ("leading tab", "\tsubject after a tab\n", nil),
            ("blank lines first", "\n\n  \n\nsubject after blank lines\n", nil),
            ("paragraph", "first line\nsecond line of the same paragraph\n\nbody\n", nil),
            ("crlf", "crlf subject\r\nand its second line\r\n\r\nbody\r\n", nil),
            ("trailing whitespace", "trailing blanks   \t \nnext line\n", nil),
            ("no final newline", "no newline at the end", nil),
            ("empty", "", nil),
            ("whitespace only", "   \n\t\n", nil),
            ("unicode", "ünïcödé 日本語 🎉 subject\n", nil),
            ("vertical tab", "vertical\u{0B}tab\u{0B}\nnext\n", nil),
            ("form feed", "form feed\u{0C}\n", nil),
            ("inner tab", "tab\tinside  and  spaces\n", nil),
            ("asterisk", "* looks like a bullet\n", nil),
            ("long", String(repeating: "long subject ", count: 400) + "\n", nil),
            ("utf8 declared", "déclaré utf-8\n", "UTF-8"),
        ].map { ($0.0, Data($0.1.utf8), $0.2) }
        list.append(("latin-1", Data([0x63, 0x61, 0x66, 0xE9, 0x20, 0x63, 0x72, 0xE8, 0x6D, 0x65, 0x0A]), "ISO-8859-1"))
        list.append(("shift-jis", Data([0x93, 0xFA, 0x96, 0x7B, 0x8C, 0xEA, 0x0A]), "Shift_JIS"))
        return list
    }()
}
