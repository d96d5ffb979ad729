import GitKit

/// A tag the configured format recognises.
public struct ReleaseTag: Equatable, Sendable, Codable {
    public let name: String
    public let version: Version
    /// What the tag reference points at: an annotated tag object or a commit.
    public let target: OID
}

/// The release tags of a repository, in version order.
public struct ReleaseHistory {
    public let repository: Repository
    /// Every tag a release format recognises, highest version first (ties: by name, for stable output).
    public let tags: [ReleaseTag]
    /// Tags the `others` formats read (test tags), as they were listed.
    public let others: [(name: String, target: OID)]
    /// Tag names no format reads.
    private let unread: [String]

    /// `formats` read releases (the first match wins); `others` (test tags) are neither
    /// releases nor look-alikes.
    public init(repository: Repository, formats: [TagFormat], others: [TagFormat] = []) throws {
        self.repository = repository
        var tags: [ReleaseTag] = []
        var unread: [String] = []
        var othersRead: [(name: String, target: OID)] = []
        for reference in try repository.references(matching: "refs/tags/*") {
            let name = reference.shortName
            if let version = formats.lazy.compactMap({ $0.version(of: name) }).first {
                tags.append(ReleaseTag(name: name, version: version, target: reference.target))
            } else if others.contains(where: { $0.parse(name) != nil }) {
                othersRead.append((name, reference.target))
            } else {
                unread.append(name)
            }
        }
        self.tags = tags.sorted { ($0.version, $1.name) > ($1.version, $0.name) }
        self.others = othersRead
        self.unread = unread
    }

    /// Tags no format reads that have an X.Y.Z in their name, highest first, with where it is.
    public var lookalikes: [(name: String, range: Range<String.Index>)] {
        unread.compactMap { name -> (String, Range<String.Index>, Version)? in
            guard let range = name.range(of: #"[0-9]+\.[0-9]+\.[0-9]+"#, options: .regularExpression),
                  let version = Version(String(name[range])) else { return nil }
            return (name, range, version)
        }.sorted { ($0.2, $1.0) > ($1.2, $0.0) }.map { ($0.0, $0.1) }
    }

    /// The highest release tag whose commit is reachable from `tip`: releases tagged on branches
    /// that never reached production do not count.
    public func lastRelease(reachableFrom tip: OID) throws -> (tag: ReleaseTag, commit: OID)? {
        if repository.isShallow { return try lastReleaseInShallowClone(reachableFrom: tip) }
        // A tag of a tree or a blob is no branch's release: git tag --merged leaves it out too.
        for tag in tags {
            guard let commit = try repository.peeledCommit(tag.target) else { continue }
            if try repository.isAncestor(commit, of: tip) { return (tag, commit) }
        }
        return nil
    }

    /// A shallow clone can only answer from the history it has: the highest release reachable
    /// there counts only if no higher release tag points where the history is missing, and
    /// "no release yet" cannot be told from "releases beyond the cut".
    private func lastReleaseInShallowClone(reachableFrom tip: OID) throws -> (tag: ReleaseTag, commit: OID)? {
        let history = try repository.reachable(from: tip)
        for tag in tags {
            let peeled = Result { try repository.peeledCommit(tag.target) }
            if case .success(nil) = peeled { continue }  // a tree or a blob
            guard case .success(let commit?) = peeled, try repository.contains(commit) else {
                throw ReleaseError.shallow("the commit of \(tag.name) is not in it, so release cannot tell the last release")
            }
            if history.commits.contains(commit) { return (tag, commit) }
            // Not reachable in the history at hand, but perhaps beyond the cut.
            if history.cut {
                throw ReleaseError.shallow("\(tag.name) is not in the history it has of the production branch but may be beyond its cut, so release cannot tell the last release")
            }
        }
        if history.cut {
            throw ReleaseError.shallow("no release tag is in the history it has, so the last release is unknown")
        }
        return nil
    }

    /// The tag already using this version, if any (with any date).
    public func tag(for version: Version) -> ReleaseTag? {
        tags.first { $0.version == version }
    }
}
