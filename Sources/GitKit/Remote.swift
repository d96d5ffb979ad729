import CLibGit2
import Foundation

extension Repository {
    /// The URL of a remote with any password hidden, or nil when there is no such remote.
    public func remoteURL(_ name: String) throws -> String? {
        try withRemote(name) { remote in
            (git_remote_pushurl(remote) ?? git_remote_url(remote)).map { Repository.redact(String(cString: $0)) }
        } ?? nil
    }

    /// The remote-tracking reference `remote`'s fetch refspecs map `branch` (a full name) to,
    /// e.g. `refs/remotes/origin/master`; nil when there is no such remote or it does not fetch
    /// that branch.
    public func remoteTrackingReference(for branch: String, remote remoteName: String) throws -> String? {
        try withRemote(remoteName) { remote -> String? in
            for index in 0..<git_remote_refspec_count(remote) {
                guard let spec = git_remote_get_refspec(remote, index), git_refspec_direction(spec) == GIT_DIRECTION_FETCH,
                      git_refspec_src_matches(spec, branch) == 1 else { continue }
                var buffer = git_buf()
                defer { git_buf_dispose(&buffer) }
                guard git_refspec_transform(&buffer, spec, branch) == 0, let name = buffer.ptr else { continue }
                return String(cString: name)
            }
            return nil
        } ?? nil
    }

    /// `body` with the configured remote `name`; nil when there is no such remote (a name git
    /// would not accept, such as `--upload-pack=…`, included).
    private func withRemote<T>(_ name: String, _ body: (OpaquePointer?) throws -> T) throws -> T? {
        var remote: OpaquePointer?
        let result = git_remote_lookup(&remote, pointer, name)
        if git_error_code(result) == GIT_ENOTFOUND || git_error_code(result) == GIT_EINVALIDSPEC { return nil }
        try GitError.check(result, "read remote \(name)")
        defer { git_remote_free(remote) }
        return try body(remote)
    }

    /// A URL with its secrets hidden, for messages and logs: the password of `user:password@`,
    /// and for http(s) a user name standing alone (`https://<token>@host`, how CI often passes a token).
    public static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        if let colon = userInfo.firstIndex(of: ":") { return String(url[..<colon]) + ":***" + String(url[at...]) }
        let web = ["http", "https"].contains(url[..<scheme.lowerBound].lowercased())
        return web ? String(url[..<scheme.upperBound]) + "***" + String(url[at...]) : url
    }

    /// Text (what git or a hook said) with every URL in it redacted, also where it is quoted
    /// or follows other characters (`'https://<token>@host'`, `url=…`).
    public static func redactingURLs(_ text: String) -> String {
        var result = ""
        var rest = text[...]
        while let separator = rest.range(of: "://") {
            // A URL starts where its scheme's letters, digits, '+', '-' and '.' do, and ends at
            // white space.
            var start = separator.lowerBound
            while start > rest.startIndex, case let before = rest[rest.index(before: start)],
                  before.isASCII, before.isLetter || before.isNumber || "+-.".contains(before) {
                start = rest.index(before: start)
            }
            let end = rest[separator.upperBound...].firstIndex(where: \.isWhitespace) ?? rest.endIndex
            result += rest[..<start] + redact(String(rest[start..<end]))
            rest = rest[end...]
        }
        return result + rest
    }

    /// The remote a partial clone (`git clone --filter`) leaves objects on, for git to fetch
    /// when needed (`remote.<name>.promisor`, or the older `extensions.partialClone`); nil for
    /// a full clone.
    public func partialCloneRemote() throws -> String? {
        let config = try config()
        if let remote = try config.string("extensions.partialClone") { return remote }
        return try config.entries(matching: "^remote\\..+\\.promisor$")
            .first { try config.bool($0.name) == true }
            .map { String($0.name.dropFirst("remote.".count).dropLast(".promisor".count)) }
    }

    /// Whether `remote.<name>.mirror` is set: git then refuses to push named references.
    public func isMirror(remote name: String) throws -> Bool {
        try config().bool("remote.\(name).mirror") == true
    }
}
