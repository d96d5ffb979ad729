import CLibGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A git object id (SHA-1), as a value.
public struct OID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    init(_ pointer: UnsafePointer<git_oid>) { self.raw = pointer.pointee }

    /// Parses a full 40-digit hex id.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy(\.isHexDigit) else { return nil }
        var raw = git_oid()
        guard git_oid_fromstr(&raw, hex) == 0 else { return nil }
        self.raw = raw
    }

    public var hex: String {
        var raw = self.raw
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, &raw)
        return String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The abbreviation used in human output (7 digits, like `git log --oneline` on small repositories).
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public var isZero: Bool { withPointer { git_oid_is_zero($0) == 1 } }

    public static func == (lhs: OID, rhs: OID) -> Bool { compare(lhs, rhs) == 0 }
    public static func < (lhs: OID, rhs: OID) -> Bool { compare(lhs, rhs) < 0 }

    private static func compare(_ lhs: OID, _ rhs: OID) -> Int32 {
        lhs.withPointer { left in rhs.withPointer { right in git_oid_cmp(left, right) } }
    }
    /// Ids are already uniformly random: eight of their bytes make a good hash.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw.id) { hasher.combine($0.loadUnaligned(as: UInt64.self)) }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let oid = OID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an object id: \(text)"))
        }
        self = oid
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    /// Lets C calls take the id by pointer without a copy dance at every call site.
    func withPointer<T>(_ body: (UnsafePointer<git_oid>) throws -> T) rethrows -> T {
        var raw = self.raw
        return try body(&raw)
    }
}

extension OID {
    /// Where `key` sits in one of git's id tables (a pack index's, a commit-graph's): `fanout`,
    /// 256 counts of the ids whose first byte is at most each value, then at `ids` the ids,
    /// sorted. The first eight bytes are compared as one number.
    static func position(of key: UnsafeRawBufferPointer, fanout: UnsafeRawPointer, ids table: UnsafeRawPointer) -> Int? {
        let first = Int(key[0])
        var lower = first == 0 ? 0 : Int(fanout.word(at: (first - 1) * 4))
        var upper = Int(fanout.word(at: first * 4))
        let prefix = key.loadUnaligned(as: UInt64.self).bigEndian
        while lower < upper {
            let middle = (lower + upper) / 2
            let entry = table + middle * 20
            let other = entry.loadUnaligned(as: UInt64.self).bigEndian
            let order = other != prefix ? (other < prefix ? -1 : 1) : memcmp(entry + 8, key.baseAddress! + 8, 12)
            if order == 0 { return middle }
            if order < 0 { lower = middle + 1 } else { upper = middle }
        }
        return nil
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x61...0x66).contains(self) || (0x41...0x46).contains(self)
    }
}
