import GitKit

/// The release that would be made next: its version, tag name and the release before it.
public struct NextRelease: Equatable, Sendable, Codable {
    public let tag: String
    public let version: Version
    public let date: ReleaseDate
    /// The last release reachable from the production branch, if there was one.
    public let previous: ReleaseTag?
    public let previousCommit: OID?
}

/// How the next version is chosen.
public enum VersionChoice: Equatable, Sendable {
    case bump(Bump)
    case exactly(Version)
}

extension Workspace {
    /// Computes the next release tag and refuses one that cannot be made: a version that does not
    /// go forward, or one already tagged.
    public func nextRelease(_ choice: VersionChoice = .bump(.patch), date: ReleaseDate? = nil) throws -> NextRelease {
        let history = try history()
        let last = try history.lastRelease(reachableFrom: try tip(of: .production))
        let version: Version
        switch choice {
        case .bump(let bump): version = last.map { $0.tag.version.bumped(bump) } ?? settings.initialVersion
        case .exactly(let wanted): version = wanted
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
        return NextRelease(tag: tag, version: version, date: day, previous: last?.tag, previousCommit: last?.commit)
    }
}
