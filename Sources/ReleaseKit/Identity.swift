import GitKit

extension Workspace {
    /// Who a release commit or tag is recorded as: `GIT_AUTHOR_*` / `GIT_COMMITTER_*` from the
    /// environment like git, else `user.name` and `user.email`, dated by the workspace clock.
    public func signature(committer: Bool = false) throws -> Signature {
        let prefix = committer ? "GIT_COMMITTER_" : "GIT_AUTHOR_"
        let config = try repository.config()
        let configuredName = try config.string("user.name")
        let configuredEmail = try config.string("user.email")
        let name = environment[prefix + "NAME"] ?? configuredName
        let email = environment[prefix + "EMAIL"] ?? configuredEmail ?? environment["EMAIL"]
        guard let name, !name.isEmpty, let email, !email.isEmpty else {
            throw ReleaseError("no identity to record release commits and tags with",
                               hint: "Set it with git config --global user.name \"Your Name\" and git config --global user.email you@example.com.")
        }
        return Signature(name: name, email: email, time: Int64(clock.now().timeIntervalSince1970),
                         offsetMinutes: clock.offsetMinutes)
    }
}
