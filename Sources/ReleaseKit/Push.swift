import GitKit

extension Workspace {
    /// Sends the given references to `release.remote` in one atomic push through the user's
    /// `git` (ssh config, credential helpers, the pre-push hook): the released branch and only
    /// the new tag, never `--tags`. A failure names its cause, says the local work is complete
    /// and what to run to retry.
    public func push(_ refspecs: [String]) throws -> String {
        let remote = settings.remote
        let names = Self.pushNames(refspecs)
        // A name that looks like an option must come after `--` to be read as a name.
        let retry = "release push " + (names.contains { $0.hasPrefix("-") } ? "-- " : "") + names.joined(separator: " ")
        let url = try remoteURL(doing: "nothing was pushed (the local release is complete)", then: retry)
        try requireNoMirror(outcome: "nothing was pushed", then: "then run: \(retry)")
        var report: PushReport
        do {
            report = try repository.gitPush(to: remote, refspecs: refspecs, verify: options.verify)
            if report.messages.contains(where: { $0.contains("does not support --atomic") }) {
                // A server older than git 2.4: the references go one by one, the branch first.
                report = try repository.gitPush(to: remote, refspecs: refspecs, atomic: false, verify: options.verify)
            }
        } catch let interrupt as Subprocess.Interrupted {
            throw ReleaseError("the push to \(remote) (\(url)) was interrupted (\(interrupt.name)); the local release is complete",
                               hint: "release status --fetch shows what \(remote) has now; to send the rest, run: \(retry)")
        }
        // With several push URLs, git names each one it pushed to.
        guard !report.succeeded else { return report.accepted.count > 1 ? report.accepted.joined(separator: ", ") : url }
        let cause = PushFailure(report, remote: remote, url: url)
        throw ReleaseError("\(cause.message); the local release is complete", hint: cause.hint(retry: retry))
    }

    /// The remote's URL for messages (password hidden); a missing remote refuses with `outcome`.
    public func remoteURL(doing outcome: String, then retry: String) throws -> String {
        guard let url = try repository.remoteURL(settings.remote) else {
            throw ReleaseError("the remote '\(settings.remote)' does not exist, so \(outcome)",
                               hint: "Add it (git remote add \(settings.remote) URL) or set release.remote, then run: \(retry)")
        }
        return url
    }

    /// Refuses a mirror remote: git pushes no single branch or tag to one.
    func requireNoMirror(outcome: String, then next: String) throws {
        guard try repository.isMirror(remote: settings.remote) else { return }
        throw ReleaseError("the remote '\(settings.remote)' is a mirror (remote.\(settings.remote).mirror), and git pushes no single branch or tag to a mirror; \(outcome)",
                           hint: "Set release.remote to a remote that is not a mirror, \(next)")
    }

    /// The names `release push` takes for these refspecs: `master`, `release1.4.0-pro-…`.
    static func pushNames(_ refspecs: [String]) -> [String] {
        refspecs.map { Reference.shortName(String($0.split(separator: ":")[0])) }
    }

    /// The refspecs for `release push NAME…`: each a local branch or tag, pushed to the same name.
    public func refspecs(for names: [String]) throws -> [String] {
        try names.map { name in
            let candidates = [Reference.branch(name), Reference.tag(name)] + (name.hasPrefix("refs/") ? [name] : [])
            let found = try candidates.filter { try Repository.isValidReferenceName($0) && repository.reference(named: $0) != nil }
            if found.count > 1, !name.hasPrefix("refs/") {
                throw ReleaseError("'\(name)' is both a branch and a tag, so release push does not know which to send",
                                   hint: "Name it in full: refs/heads/\(name) or refs/tags/\(name).")
            }
            if let full = found.first { return Self.refspec(full) }
            throw ReleaseError("no branch or tag named '\(name)' to push", hint: "Give the names release printed, e.g. \(settings.production) and the new tag.")
        }
    }
}

/// Why git could not talk to a remote or the remote refused, read from what git and the server
/// said: the first cause that explains the failure, in the user's terms.
struct PushFailure {
    let message: String
    let kind: Kind

    enum Kind { case behind, serverRefused, network, other }

    init(_ report: PushReport, remote: String, url: String) {
        let rejected = report.rejected.filter { !$0.summary.contains("atomic push failed") }
        let server = report.messages.filter { $0.hasPrefix("remote:") }
            .map { $0.dropFirst(7).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // A remote with several push URLs: some may have taken everything already.
        let partly = report.accepted.isEmpty ? "" : " (\(report.accepted.joined(separator: ", ")) took the push already)"
        if let stale = rejected.first(where: { $0.summary.contains("non-fast-forward") || $0.summary.contains("fetch first") || $0.summary.contains("stale info") }) {
            let place = report.accepted.isEmpty ? "on \(remote)" : "on \(stale.url)"
            message = "someone pushed to \(Reference.shortName(stale.reference)) \(place) meanwhile, so \(partly.isEmpty ? "nothing was pushed" : "it refused the push" + partly)"
            kind = .behind
        } else if let refused = rejected.first {
            let said = server.isEmpty ? "" : ": " + server.prefix(3).joined(separator: " ").clipped(300)
            message = "\(remote) (\(refused.url)) refused \(Reference.shortName(refused.reference)) \(refused.summary)\(said)\(partly)"
            kind = .serverRefused
        } else if let cause = Self.connectionCause(report.messages) {
            message = "push to \(remote) (\(url)) failed: \(cause)"
            kind = .network
        } else {
            let said = report.messages.filter { !$0.hasPrefix("error: failed to push") && !$0.hasPrefix("hint:") }
            message = "git push to \(remote) (\(url)) failed: \((said.isEmpty ? ["exit status \(report.status)"] : said).prefix(3).joined(separator: " ").clipped(300))"
            kind = .other
        }
    }

    func hint(retry: String) -> String {
        switch kind {
        case .behind: "Bring their commits in (git pull, then check them), then run: \(retry)"
        case .serverRefused: "Fix what the server reports, then run: \(retry)"
        case .network, .other: "Fix the cause (git push by hand shows the same), then run: \(retry)"
        }
    }

    /// What git or ssh said about reaching and logging in to the server, in plain words.
    static func connectionCause(_ messages: [String]) -> String? {
        let text = messages.joined(separator: "\n")
        let causes: [(patterns: [String], cause: String)] = [
            (["REMOTE HOST IDENTIFICATION HAS CHANGED"],
             "the server's ssh host key CHANGED since it was recorded in known_hosts (ssh refused it): check with the server's administrators before you replace the recorded key"),
            (["Host key verification failed", "No ED25519 host key is known", "host key is known"],
             "the server's ssh host key is unknown (ssh refused it): check it and add it to ~/.ssh/known_hosts (ssh to it once by hand)"),
            (["returned error: 403"],
             "the server refused access (HTTP 403): these credentials may not push to this repository"),
            (["Permission denied (", "Authentication failed", "could not read Username", "could not read Password",
              "returned error: 401", "terminal prompts disabled", "Too many authentication failures"],
             "authentication failed (\(messages.first { $0.contains("ermission denied") || $0.contains("uthentication") || $0.contains("could not read") || $0.contains("returned error") }?.clipped(160) ?? "refused")); check your ssh key or agent, or the credential helper"),
            (["Could not resolve host", "Could not resolve hostname", "Connection refused", "Connection timed out",
              "Failed to connect", "No route to host", "Network is unreachable", "Could not connect", "Operation timed out"],
             "the server could not be reached (\(messages.first { $0.contains("resolve") || $0.contains("onnect") || $0.contains("route") || $0.contains("unreachable") || $0.contains("timed out") }?.clipped(160) ?? "unreachable"))"),
        ]
        return causes.first { entry in entry.patterns.contains { text.contains($0) } }?.cause
    }
}
