import Foundation

/// A repository built with the `git` command line, the oracle every test checks against.
/// Each git call gets its own timestamp one minute after the previous one, so histories are
/// deterministic and `git log`'s date order is unambiguous.
public final class GitRepository: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }
    private var tick: Int64 = 0
    public var environment: [String: String]
    private static let git = Command.which("git") ?? "/usr/bin/git"

    /// `git init` in a new folder, on `branch`.
    public init(at url: URL, branch: String = "master", bare: Bool = false) throws {
        self.url = url
        environment = TestEnvironment.variables()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", branch] + (bare ? ["--bare"] : []))
    }

    /// Wraps a repository that exists already (e.g. made by `git clone`).
    public init(existing url: URL) {
        self.url = url
        environment = TestEnvironment.variables()
    }

    /// When set, every git call records this time (commits in the same second).
    public var frozenTime: Int64?

    /// The seconds since 1970 the next git call will record.
    public var nextTime: Int64 { frozenTime ?? 1_700_000_000 + tick * 60 }

    @discardableResult
    public func git(_ arguments: [String], input: Data? = nil, environment extra: [String: String] = [:]) throws -> String {
        var environment = self.environment
        let date = "\(nextTime) +0000"
        tick += 1
        environment["GIT_AUTHOR_DATE"] = date
        environment["GIT_COMMITTER_DATE"] = date
        environment.merge(extra) { $1 }
        let result = try Command.run(Self.git, arguments, in: url, environment: environment, input: input)
        guard result.succeeded else { throw CommandFailed(command: "git " + arguments.joined(separator: " "), result: result) }
        return result.stdout
    }

    @discardableResult
    public func git(_ arguments: String...) throws -> String { try git(arguments) }

    /// The full id a revision names.
    public func id(_ revision: String) throws -> String {
        try git("rev-parse", "--verify", "-q", revision).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a file and commits it (and everything else staged) with `message`; returns the id.
    @discardableResult
    public func commit(_ message: String, file: String? = nil, content: String? = nil) throws -> String {
        let name = file ?? "file-\(tick).txt"
        try write(name, content ?? "\(message)\n\(tick)\n")
        try git("add", "--", name)
        try git(["commit", "-q", "--allow-empty-message", "-F", "-"], input: Data(message.utf8))
        return try id("HEAD")
    }

    public func write(_ file: String, _ content: String) throws {
        let target = url.appendingPathComponent(file)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: target)
    }

    public func read(_ file: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
    }

    public func count(_ range: String) throws -> Int {
        Int(try git("rev-list", "--count", range).trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    /// Every ref with its target, for "nothing changed" checks.
    public func refs() throws -> String {
        try git("for-each-ref", "--format=%(refname) %(objectname)")
    }

    /// A snapshot of what a refused command must not change: refs, HEAD, index, working tree.
    public func snapshot() throws -> String {
        let head = try git("symbolic-ref", "-q", "HEAD").isEmpty ? try id("HEAD") : try git("symbolic-ref", "HEAD")
        let status = try git("status", "--porcelain=v1", "--untracked-files=all")
        let index = try git("ls-files", "-s")
        return [try refs(), head, status, index].joined(separator: "\n--\n")
    }
}
