import CLibGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A person and a moment, as git records them.
public struct Signature: Equatable, Sendable, Codable {
    public var name: String
    public var email: String
    /// Seconds since 1970.
    public var time: Int64
    /// The writer's offset from UTC in minutes.
    public var offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    init(_ raw: UnsafePointer<git_signature>) {
        let value = raw.pointee
        name = String(cString: value.name)
        email = String(cString: value.email)
        time = value.when.time
        offsetMinutes = value.when.offset
    }

    /// Runs `body` with a libgit2 copy of this signature that lives only for the call.
    func withPointer<T>(_ body: (UnsafePointer<git_signature>) throws -> T) throws -> T {
        var raw: UnsafeMutablePointer<git_signature>?
        try GitError.check(git_signature_new(&raw, name, email, time, offsetMinutes), "signature for \(name) <\(email)>")
        defer { git_signature_free(raw) }
        return try body(raw!)
    }
}

/// A commit read out of the object database.
public struct Commit: Equatable, Sendable {
    public let id: OID
    public let tree: OID
    public let parents: [OID]
    public let author: Signature
    public let committer: Signature
    /// The full message, re-encoded to UTF-8 when the commit declares another encoding.
    public let message: String

    public var isMerge: Bool { parents.count > 1 }

    /// The subject exactly as `git log --pretty=%s` prints it.
    public var subject: String { CommitMessage.subject(of: message) }
}

extension Repository {
    public func commit(_ id: OID) throws -> Commit {
        var handle: OpaquePointer?
        try id.withPointer { oid in
            try GitError.check(git_commit_lookup(&handle, pointer, oid), "read commit \(id.short)")
        }
        defer { git_commit_free(handle) }
        return Commit(handle!, id: id)
    }
}

extension Commit {
    init(_ handle: OpaquePointer, id: OID) {
        self.id = id
        tree = OID(git_commit_tree_id(handle))
        parents = (0..<git_commit_parentcount(handle)).map { OID(git_commit_parent_id(handle, $0)) }
        author = Signature(git_commit_author(handle))
        committer = Signature(git_commit_committer(handle))
        let raw = git_commit_message_raw(handle).map { UnsafeRawPointer($0) }
        let length = raw.map { strlen($0.assumingMemoryBound(to: CChar.self)) } ?? 0
        let bytes = UnsafeRawBufferPointer(start: raw, count: length)
        message = CommitMessage.decode(bytes, encoding: git_commit_message_encoding(handle).map { String(cString: $0) })
    }
}
