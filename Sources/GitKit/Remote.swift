import CLibGit2
import Foundation

/// What a push did with each reference it sent.
public struct PushOutcome: Equatable, Sendable {
    /// References the remote refused, with its reason.
    public var rejected: [String: String] = [:]
}

extension Repository {
    /// The URL of a remote with any password hidden, or nil when there is no such remote.
    public func remoteURL(_ name: String) throws -> String? {
        var remote: OpaquePointer?
        let result = git_remote_lookup(&remote, pointer, name)
        if git_error_code(result) == GIT_ENOTFOUND || git_error_code(result) == GIT_EINVALIDSPEC { return nil }
        try GitError.check(result, "read remote \(name)")
        defer { git_remote_free(remote) }
        let url = git_remote_pushurl(remote) ?? git_remote_url(remote)
        return url.map { Repository.redact(String(cString: $0)) }
    }

    /// Pushes `refspecs` to the remote in one go. Credentials come from the ssh agent, then the
    /// user's ssh keys; nothing is prompted for and nothing secret is kept.
    public func push(to remoteName: String, refspecs: [String]) throws -> PushOutcome {
        var remote: OpaquePointer?
        try GitError.check(git_remote_lookup(&remote, pointer, remoteName), "find remote \(remoteName)")
        defer { git_remote_free(remote) }

        let state = PushState()
        var options = git_push_options()
        try GitError.check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "prepare a push")
        options.callbacks.payload = Unmanaged.passUnretained(state).toOpaque()
        options.callbacks.credentials = { out, _, username, allowed, payload in
            guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
            let state = Unmanaged<PushState>.fromOpaque(payload).takeUnretainedValue()
            return state.credential(out, username: username.map { String(cString: $0) }, allowed: allowed)
        }
        options.callbacks.push_update_reference = { name, status, payload in
            if let name, let status, let payload {
                Unmanaged<PushState>.fromOpaque(payload).takeUnretainedValue()
                    .outcome.rejected[String(cString: name)] = String(cString: status)
            }
            return 0
        }
        let cStrings = refspecs.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafeMutablePointer<CChar>($0) }
        let result = pointers.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_remote_push(remote, &array, &options)
        }
        let url = git_remote_pushurl(remote) ?? git_remote_url(remote)
        let shown = url.map { Repository.redact(String(cString: $0)) } ?? remoteName
        try GitError.check(result, "push to \(remoteName) (\(shown))")
        return state.outcome
    }

    /// A URL with the password part of `user:password@` replaced, for messages and logs.
    public static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// Lives for one push: collects per-reference results and hands out ssh credentials, each
/// kind at most once so a refused key cannot loop.
private final class PushState {
    var outcome = PushOutcome()
    private var triedAgent = false
    private var keyFiles: [(public: String, private: String)] = {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return ["id_ed25519", "id_ecdsa", "id_rsa"].compactMap { name in
            let key = "\(home)/.ssh/\(name)"
            guard FileManager.default.isReadableFile(atPath: key) else { return nil }
            return (key + ".pub", key)
        }
    }()

    func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, username: String?, allowed: UInt32) -> Int32 {
        let user = username ?? "git"
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, user)
        }
        guard allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return GIT_PASSTHROUGH.rawValue }
        if !triedAgent {
            triedAgent = true
            if git_credential_ssh_key_from_agent(out, user) == 0 { return 0 }
        }
        while let key = keyFiles.first {
            keyFiles.removeFirst()
            let publicKey = FileManager.default.fileExists(atPath: key.public) ? key.public : nil
            if git_credential_ssh_key_new(out, user, publicKey, key.private, nil) == 0 { return 0 }
        }
        return GIT_EAUTH.rawValue
    }
}
