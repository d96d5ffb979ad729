/// A release version, ordered by (major, minor, patch) and nothing else.
public struct Version: Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `X.Y.Z` with plain decimal parts (no leading zeros, no sign, no suffix).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let major = Version.number(parts[0]),
              let minor = Version.number(parts[1]),
              let patch = Version.number(parts[2])
        else { return nil }
        self.init(major, minor, patch)
    }

    /// A decimal part as a tag spells it: digits only, no leading zero unless it is `0`.
    static func number<S: StringProtocol>(_ text: S) -> Int? {
        number(text.utf8)
    }

    /// The same, from bytes.
    static func number<C: Collection<UInt8>>(_ digits: C) -> Int? {
        guard let first = digits.first, digits.count <= 9, first != 0x30 || digits.count == 1 else { return nil }
        var value = 0
        for digit in digits {
            guard (0x30...0x39).contains(digit) else { return nil }
            value = value * 10 + Int(digit - 0x30)
        }
        return value
    }

    public func bumped(_ bump: Bump) -> Version {
        switch bump {
        case .major: Version(major + 1, 0, 0)
        case .minor: Version(major, minor + 1, 0)
        case .patch: Version(major, minor, patch + 1)
        }
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: Version, rhs: Version) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = Version(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not X.Y.Z: \(text)"))
        }
        self = version
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Which part of the version a release increases (semantic versioning).
public enum Bump: String, CaseIterable, Sendable, Codable {
    /// A fix.
    case patch
    /// A compatible feature.
    case minor
    /// An incompatible API change.
    case major
}
