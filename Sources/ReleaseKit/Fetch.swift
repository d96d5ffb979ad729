import GitKit

/// Where a local flow branch stands against its remote-tracking branch.
public struct RemoteComparison: Codable, Sendable, Equatable {
    /// e.g. `origin/master`.
    public let tracking: String
    /// Where the remote-tracking branch points.
    public let commit: OID
    /// Commits the local branch has that the remote-tracking branch lacks, and the reverse.
    public let ahead: Int
    public let behind: Int
}

extension Workspace {
    /// Before a command that will push: refuses a remote that is missing or a mirror, then
    /// fetches `release.remote` with the user's git and refuses, before anything moves, when the
    /// remote has commits of `branches` that the local branches lack. A dry run does not fetch;
    /// it checks what the last fetch saw.
    func requireRemoteHasNothingNew(_ branches: [FlowBranch], command: String) throws {
        let remote = settings.remote
        let retry = "release \(command) --push"
        // What would make the push fail whatever happens is refused before anything moves.
        _ = try remoteURL(doing: "nothing was changed", then: retry)
        try requireNoMirror(outcome: "nothing was changed", then: "or run without --push and push the mirror yourself.")
        guard options.fetch ?? settings.fetch else { return }
        if !objectsInMemory {
            try fetch(doing: "nothing was changed", then: retry,
                      hint: "Fix the cause and run \(retry) again, or add --no-fetch to release without checking the remote first.")
        }
        for branch in branches {
            let name = Reference.branch(branchName(branch))
            if try tipIfPresent(of: branch) != nil, try repository.remoteTrackingReference(for: name, remote: remote) == nil {
                throw ReleaseError("release cannot check \(branchName(branch)) against \(remote): its fetch refspecs do not fetch \(name); nothing was changed",
                                   hint: "Let it fetch the branch (git config --add remote.\(remote).fetch +\(name):refs/remotes/\(remote)/\(branchName(branch))), or add --no-fetch to release without checking.")
            }
            guard let comparison = try remoteComparison(branch), comparison.behind > 0 else { continue }
            let missing = try repository.log(RevisionRange(tips: [comparison.commit], hidden: [tip(of: branch)]))
            let shown = missing.prefix(3).map { "\($0.id.short) \($0.subject.clipped(60))" }.joined(separator: "; ")
            throw ReleaseError("\(comparison.tracking) has \(missing.count) commit(s) that \(branchName(branch)) lacks: \(shown)\(missing.count > 3 ? "; …" : ""); nothing was changed",
                               hint: "Bring them in (git switch \(branchName(branch)) && git merge \(comparison.tracking)), check them, then run \(retry) again.")
        }
    }

    /// The local branch against its remote-tracking branch on `release.remote`, from the last
    /// fetch (no network); nil without a remote or a remote-tracking branch.
    public func remoteComparison(_ branch: FlowBranch) throws -> RemoteComparison? {
        let local = Reference.branch(branchName(branch))
        guard let ours = try tipIfPresent(of: branch),
              let tracking = try repository.remoteTrackingReference(for: local, remote: settings.remote),
              let theirs = try repository.reference(named: tracking)?.target else { return nil }
        return RemoteComparison(tracking: Reference.shortName(tracking), commit: theirs,
                                ahead: try repository.count(RevisionRange(tips: [ours], hidden: [theirs])),
                                behind: try repository.count(RevisionRange(tips: [theirs], hidden: [ours])))
    }

    /// `git fetch release.remote`, for `status --fetch`.
    public func fetchRemote() throws {
        try fetch(doing: "nothing was fetched", then: "release status --fetch",
                  hint: "Fix the cause, or run release status without --fetch to compare with what the last fetch saw.")
    }

    /// `git fetch release.remote`; a failure names its cause and says what `outcome` it had.
    private func fetch(doing outcome: String, then retry: String, hint: String) throws {
        let url = try remoteURL(doing: outcome, then: retry)
        let failed: [String]?
        do {
            failed = try repository.gitFetch(from: settings.remote)
        } catch let interrupt as Subprocess.Interrupted {
            throw ReleaseError("fetching \(settings.remote) (\(url)) was interrupted (\(interrupt.name)); \(outcome)", hint: "Run \(retry) again when you are ready.")
        }
        guard let said = failed else { return }
        let cause = PushFailure.connectionCause(said) ?? said.prefix(2).joined(separator: " ").clipped(300)
        throw ReleaseError("fetching \(settings.remote) (\(url)) failed: \(cause); \(outcome)", hint: hint)
    }
}
