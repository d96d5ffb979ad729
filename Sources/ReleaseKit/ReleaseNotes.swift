import GitKit

/// Everything a changelog section or a tag message is rendered from.
public struct ReleaseNotes: Sendable {
    public let tag: String
    public let version: Version?
    public let date: ReleaseDate
    public let previousTag: String?
    /// The range: commits reachable from `to` and not from `from` (everything when nil).
    public let from: OID?
    public let to: OID
    /// Newest first, never a parent before its child.
    public let entries: [ChangeEntry]
    public let grouped: Bool

    public init(tag: String, version: Version?, date: ReleaseDate, previousTag: String?, from: OID?, to: OID,
                entries: [ChangeEntry], grouped: Bool) {
        self.tag = tag
        self.version = version
        self.date = date
        self.previousTag = previousTag
        self.from = from
        self.to = to
        self.entries = entries
        self.grouped = grouped
    }

    /// These notes with the entries a curated section lists (its `* ` and `- ` lines, in its
    /// order): a line still equal to a commit's subject keeps that commit, an edited line
    /// stands for itself.
    public func curated(by section: String) -> ReleaseNotes {
        var unused = entries
        let lines = section.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            let text = line.drop { $0 == " " || $0 == "\t" }
            guard text.hasPrefix("* ") || text.hasPrefix("- ") else { return nil }
            return String(text.dropFirst(2))
        }
        let curated = lines.map { line in
            if let index = unused.firstIndex(where: { $0.subject == line }) { return unused.remove(at: index) }
            return ChangeEntry(id: to, subject: line, author: "", authorEmail: "", time: 0)
        }
        return ReleaseNotes(tag: tag, version: version, date: date, previousTag: previousTag, from: from, to: to,
                            entries: curated, grouped: grouped)
    }

    /// Entries by conventional type in the conventional order, then everything else:
    /// grouping reorders, it never drops a commit.
    public var groups: [(title: String, entries: [ChangeEntry])] {
        var byType: [String: [ChangeEntry]] = [:]
        var other: [ChangeEntry] = []
        for entry in entries {
            if let type = entry.conventional?.type { byType[type, default: []].append(entry) } else { other.append(entry) }
        }
        var groups = ConventionalSubject.groups.compactMap { type, title in
            byType[type].map { (title: title, entries: $0) }
        }
        if !other.isEmpty { groups.append((title: "Other Changes", entries: other)) }
        return groups
    }
}

extension Workspace {
    /// The change list of `from..to` (defaults: the last release reachable from production, and
    /// the testing branch) labelled with `release`.
    public func releaseNotes(from fromRevision: String?, to toRevision: String?, release: NextRelease) throws -> ReleaseNotes {
        let to = try toRevision.map(resolve) ?? tip(of: .testing)
        if let fromRevision {
            return try releaseNotes(from: resolve(fromRevision), named: fromRevision, to: to, release: release)
        }
        if let previous = release.previous {
            return try releaseNotes(from: release.previousCommit, named: previous.name, to: to, release: release)
        }
        let last = try history().lastRelease(reachableFrom: tip(of: .production))
        return try releaseNotes(from: last?.commit, named: last?.tag.name, to: to, release: release)
    }

    /// Why a changelog section would list nothing: before `promote`, the work still waits on
    /// develop, and the error says how to preview it.
    public func emptyChangelogError(_ notes: ReleaseNotes, to: String?) throws -> ReleaseError {
        let since = notes.previousTag ?? "the beginning"
        if to == nil, let develop = try tipIfPresent(of: .develop) {
            let waiting = try repository.log(RevisionRange(tips: [develop], hidden: [notes.to]), skipMerges: true)
                .filter { !isBookkeeping($0.subject) }.count
            if waiting > 0 {
                return ReleaseError("nothing to list: \(settings.testing) has no commits since \(since), and \(waiting) commit(s) wait on \(settings.develop) for release promote",
                                    hint: "Preview them with release changelog --to \(settings.develop) --stdout, or promote first (release promote).")
            }
        }
        return ReleaseError("nothing to list: no commits in \(since)..\(to ?? settings.testing) besides merges and ChangeLog commits",
                            hint: "Commit work first, or give the range with --from and --to.")
    }

    /// The non-merge commits reachable from `to` and not from `from` (everything when nil),
    /// without release's own bookkeeping ("ChangeLog for <release tag>" commits).
    func releaseNotes(from: OID?, named fromName: String?, to: OID, release: NextRelease) throws -> ReleaseNotes {
        let commits = try repository.log(RevisionRange(tips: [to], hidden: from.map { [$0] } ?? []), skipMerges: true)
        return ReleaseNotes(
            tag: release.tag, version: release.version, date: release.date, previousTag: fromName, from: from, to: to,
            entries: commits.map(ChangeEntry.init).filter { !isBookkeeping($0.subject) }, grouped: settings.groupByType)
    }

    /// The subject of the commit `cut` and `hotfix finish` write a ChangeLog section with.
    func isBookkeeping(_ subject: String) -> Bool {
        subject.hasPrefix("ChangeLog for ") && settings.releaseVersion(of: String(subject.dropFirst("ChangeLog for ".count))) != nil
    }

    /// A revision the user typed, or a clear error naming it.
    func resolve(_ revision: String) throws -> OID {
        do {
            return try repository.resolveCommit(revision)
        } catch let error as GitError {
            throw ReleaseError("unknown revision '\(revision)' (\(error.message))",
                               hint: "Give a branch, a tag or a commit id that exists here.")
        }
    }
}
