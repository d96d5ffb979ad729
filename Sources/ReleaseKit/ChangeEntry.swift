import GitKit

/// One line of a change list: a non-merge commit and what its subject says.
public struct ChangeEntry: Equatable, Sendable, Encodable {
    public let id: OID
    /// Exactly what `git log --pretty=%s` prints.
    public let subject: String
    public let author: String
    public let authorEmail: String
    /// Author time, seconds since 1970.
    public let time: Int64

    public init(_ commit: CommitSummary) {
        self.init(id: commit.id, subject: commit.subject, author: commit.author.name,
                  authorEmail: commit.author.email, time: commit.author.time)
    }

    public init(id: OID, subject: String, author: String, authorEmail: String, time: Int64) {
        self.id = id
        self.subject = subject
        self.author = author
        self.authorEmail = authorEmail
        self.time = time
    }

    /// The subject read as a conventional commit (`type(scope)!: description`), computed only
    /// when a template or the grouping asks for it.
    public var conventional: ConventionalSubject? { ConventionalSubject(subject) }

    private enum CodingKeys: String, CodingKey {
        case id, subject, author, authorEmail, time, type, scope, breaking, description
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(subject, forKey: .subject)
        try container.encode(author, forKey: .author)
        try container.encode(authorEmail, forKey: .authorEmail)
        try container.encode(time, forKey: .time)
        let conventional = self.conventional
        try container.encodeIfPresent(conventional?.type, forKey: .type)
        try container.encodeIfPresent(conventional?.scope, forKey: .scope)
        try container.encode(conventional?.breaking ?? false, forKey: .breaking)
        try container.encode(conventional?.description ?? subject, forKey: .description)
    }
}

/// `type(scope)!: description`, with the types of the Conventional Commits convention.
public struct ConventionalSubject: Equatable, Sendable {
    public let type: String
    public let scope: String?
    public let breaking: Bool
    public let description: String

    /// Known types, in the order their groups appear, with the group titles.
    static let groups: [(type: String, title: String)] = [
        ("feat", "Features"), ("fix", "Bug Fixes"), ("perf", "Performance"), ("refactor", "Refactoring"),
        ("revert", "Reverts"), ("docs", "Documentation"), ("test", "Tests"), ("build", "Build"),
        ("ci", "Continuous Integration"), ("style", "Style"), ("chore", "Chores"),
    ]
    private static let types = Set(groups.map(\.type))

    public init?(_ subject: String) {
        guard let prefix = ConventionalSubject.prefix(subject.utf8.prefix(512)),
              ConventionalSubject.types.contains(prefix.type) else { return nil }
        type = prefix.type
        scope = prefix.scope
        breaking = prefix.breaking
        description = String(subject.utf8.dropFirst(prefix.length).drop { $0 == UInt8(ascii: " ") })!
    }

    /// Whether a subject marks a breaking change, `type!:` or `type(scope)!:`, for any type
    /// (`deps!:` too), however long.
    public static func marksBreaking(_ subject: String) -> Bool {
        prefix(subject.utf8)?.breaking == true
    }

    /// `type(scope)!:` read from the start of a subject: the type lowercased (a letter, then
    /// letters, digits, `_` or `-`), the scope, the `!`, and the length up to the colon.
    private static func prefix<Bytes: Collection<UInt8>>(_ subject: Bytes) -> (type: String, scope: String?, breaking: Bool, length: Int)? {
        let bytes = Array(subject)
        func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte | 0x20) }
        guard let first = bytes.first, isLetter(first) else { return nil }
        var cursor = 1
        while cursor < bytes.count, isLetter(bytes[cursor]) || (0x30...0x39).contains(bytes[cursor])
                || bytes[cursor] == UInt8(ascii: "_") || bytes[cursor] == UInt8(ascii: "-") {
            cursor += 1
        }
        guard cursor < bytes.count else { return nil }
        let type = String(decoding: bytes[..<cursor], as: UTF8.self).lowercased()
        var scope: String?
        if bytes[cursor] == UInt8(ascii: "(") {
            guard let close = bytes[cursor...].firstIndex(of: UInt8(ascii: ")")), close > cursor + 1 else { return nil }
            let inner = bytes[(cursor + 1)..<close]
            guard !inner.contains(UInt8(ascii: "(")) else { return nil }
            scope = String(decoding: inner, as: UTF8.self)
            cursor = close + 1
        }
        let breaking = cursor < bytes.count && bytes[cursor] == UInt8(ascii: "!")
        if breaking { cursor += 1 }
        guard cursor + 1 < bytes.count, bytes[cursor] == UInt8(ascii: ":"), bytes[cursor + 1] == UInt8(ascii: " ") else {
            return nil
        }
        return (type, scope, breaking, cursor + 1)
    }
}
