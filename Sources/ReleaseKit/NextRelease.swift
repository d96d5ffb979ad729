import GitKit

/// The release that would be made next: its version, tag name and the release before it.
public struct NextRelease: Equatable, Sendable, Codable {
    public let tag: String
    public let version: Version
    public let date: ReleaseDate
    /// The last release reachable from the production branch, if there was one.
    public let previous: ReleaseTag?
    public let previousCommit: OID?
    /// With `--bump auto`: the bump the commits call for, and why.
    public var inferred: InferredBump? = nil
    /// When no tag reads as a release but one looks like it (see `unreadReleaseTagsWarning`).
    public var warning: String? = nil
}

/// The bump conventional commits call for: a `!` or a `BREAKING CHANGE:` footer is major,
/// `feat` minor, anything else patch.
public struct InferredBump: Equatable, Sendable, Codable, CustomStringConvertible {
    public let bump: Bump
    /// The commit that decided it, or why there is none.
    public let reason: String

    public init(_ commits: [Commit]) {
        if let breaking = commits.first(where: InferredBump.isBreaking) {
            self.init(bump: .major, reason: breaking.subject)
        } else if let feature = commits.first(where: { ConventionalSubject($0.subject)?.type == "feat" }) {
            self.init(bump: .minor, reason: feature.subject)
        } else {
            self.init(bump: .patch, reason: commits.isEmpty ? "no commits to release"
                      : "no feat and no breaking change in \(commits.count) commit\(commits.count == 1 ? "" : "s")")
        }
    }

    init(bump: Bump, reason: String) {
        self.bump = bump
        self.reason = reason
    }

    /// `type!:` or `type(scope)!:` in the subject, for any type, or a `BREAKING CHANGE:` (or
    /// `BREAKING-CHANGE:`) line in the body, whatever its line endings.
    static func isBreaking(_ commit: Commit) -> Bool {
        if ConventionalSubject.marksBreaking(commit.subject) { return true }
        return commit.message.split(whereSeparator: \.isNewline).dropFirst().contains {
            $0.hasPrefix("BREAKING CHANGE:") || $0.hasPrefix("BREAKING-CHANGE:")
        }
    }

    /// "minor: feat(api): add x".
    public var description: String { "\(bump.rawValue): \(reason)" }
}

/// How the next version is chosen.
public enum VersionChoice: Equatable, Sendable {
    case bump(Bump)
    case exactly(Version)
    /// The bump the released commits call for (conventional commits).
    case inferred
}

extension Workspace {
    /// Computes the next release tag and refuses one that cannot be made: a version that does not
    /// go forward, or one already tagged.
    /// `releasing` is what the release would hold (default: testing and production), read for
    /// an inferred bump.
    public func nextRelease(_ choice: VersionChoice? = nil, date: ReleaseDate? = nil, releasing: [OID]? = nil) throws -> NextRelease {
        let history = try history()
        let last = try history.lastRelease(reachableFrom: try tip(of: .production))
        let version: Version
        var inferred: InferredBump?
        switch choice ?? settings.bump {
        case .bump(let bump): version = last.map { $0.tag.version.bumped(bump) } ?? settings.initialVersion
        case .exactly(let wanted): version = wanted
        case .inferred:
            let tips = try releasing ?? [tipIfPresent(of: .testing), tip(of: .production)].compactMap { $0 }
            // The first release is release.initialVersion: nothing to infer.
            if let last {
                let bump = try inferBump(releasing: tips, since: last.commit)
                inferred = bump
                version = last.tag.version.bumped(bump.bump)
            } else {
                version = settings.initialVersion
            }
        }
        guard Version(version.description) != nil else {
            throw ReleaseError("version \(version) has a part longer than 9 digits, which release cannot read back from a tag",
                               hint: "Choose a smaller version with --version.")
        }
        if let last, version <= last.tag.version {
            throw ReleaseError("version \(version) does not go forward: the last release is \(last.tag.name)",
                               hint: "Choose a version above \(last.tag.version), or use --bump.")
        }
        let day = date ?? clock.today
        let tag = settings.tagFormat.name(for: version, on: day)
        if try repository.reference(named: Reference.tag(tag)) != nil {
            throw ReleaseError("tag \(tag) already exists", hint: "Choose another version with --version or --bump.")
        }
        if let existing = history.tag(for: version) {
            throw ReleaseError("version \(version) is already tagged as \(existing.name), which is not on \(settings.production)",
                               hint: "Choose another version with --version or --bump, or delete the stray tag.")
        }
        return NextRelease(tag: tag, version: version, date: day, previous: last?.tag, previousCommit: last?.commit, inferred: inferred,
                           warning: last == nil ? try unreadReleaseTagsWarning(history) : nil)
    }

    /// The bump the non-merge commits reachable from `tips` and not from `since` call for,
    /// release's own ChangeLog commits left out.
    func inferBump(releasing tips: [OID], since: OID) throws -> InferredBump {
        let commits = try repository.commits(in: RevisionRange(tips: tips, hidden: [since]), skipMerges: true)
        return InferredBump(commits.filter { !isBookkeeping($0.subject) })
    }

    /// When no tag reads as a release but some look like one (`v1.3.7` under another format),
    /// the warning that the next release would start over at release.initialVersion.
    func unreadReleaseTagsWarning(_ history: ReleaseHistory) throws -> String? {
        guard history.tags.isEmpty else { return nil }
        let production = try tip(of: .production)
        guard let lookalike = try history.lookalikes.first(where: { tag in
            guard let reference = try repository.reference(named: Reference.tag(tag.name)),
                  let commit = try? repository.peelToCommit(reference.target) else { return false }
            return try repository.isAncestor(commit, of: production)
        }) else { return nil }
        let suggestion = lookalike.name.replacingCharacters(in: lookalike.range, with: "{major}.{minor}.{patch}")
        return "\(lookalike.name) looks like a release, but no release format reads it, so release starts at \(settings.initialVersion): set release.previousTagFormats (e.g. \(suggestion)) to continue from it"
    }
}
