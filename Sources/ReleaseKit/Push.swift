import GitKit

extension Workspace {
    /// Sends the given references to `release.remote` in one push: the released branch and
    /// only the new tag, never `--tags`. A failure says the local work is complete and what
    /// to run to retry.
    public func push(_ refspecs: [String]) throws -> String {
        let remote = settings.remote
        let retry = "release push " + Self.pushNames(refspecs).joined(separator: " ")
        guard let url = try repository.remoteURL(remote) else {
            throw ReleaseError("the remote '\(remote)' does not exist, so nothing was pushed (the local release is complete)",
                               hint: "Add it (git remote add \(remote) URL) or set release.remote, then run: \(retry)")
        }
        let outcome: PushOutcome
        do {
            outcome = try repository.push(to: remote, refspecs: refspecs)
        } catch let error as GitError {
            throw ReleaseError("push to \(remote) (\(url)) failed: \(error.message); the local release is complete",
                               hint: "Fix the cause (network, credentials: ssh-agent or ~/.ssh keys), then run: \(retry)")
        }
        if !outcome.rejected.isEmpty {
            let reasons = outcome.rejected.sorted { $0.key < $1.key }.map { "\(Reference.shortName($0.key)): \($0.value)" }
            throw ReleaseError("\(remote) (\(url)) rejected \(reasons.joined(separator: "; ")); the local release is complete",
                               hint: "Bring the remote and local branches together (someone pushed meanwhile?), then run: \(retry)")
        }
        return url
    }

    /// The names `release push` takes for these refspecs: `master`, `release1.4.0-pro-…`.
    static func pushNames(_ refspecs: [String]) -> [String] {
        refspecs.map { Reference.shortName(String($0.split(separator: ":")[0])) }
    }

    /// The refspecs for `release push NAME…`: each a local branch or tag, pushed to the same name.
    public func refspecs(for names: [String]) throws -> [String] {
        try names.map { name in
            let candidates = [Reference.branch(name), Reference.tag(name)] + (name.hasPrefix("refs/") ? [name] : [])
            for full in candidates where Repository.isValidReferenceName(full) {
                if try repository.reference(named: full) != nil { return Self.refspec(full) }
            }
            throw ReleaseError("no branch or tag named '\(name)' to push", hint: "Give the names release printed, e.g. \(settings.production) and the new tag.")
        }
    }
}
