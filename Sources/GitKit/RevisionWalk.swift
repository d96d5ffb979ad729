import CLibGit2
import Foundation

/// The commits reachable from some tips but not from others (`git rev-list tips ^hidden`).
public struct RevisionRange: Sendable {
    public var tips: [OID]
    public var hidden: [OID]

    public init(tips: [OID], hidden: [OID] = []) {
        self.tips = tips
        self.hidden = hidden
    }
}

extension Repository {
    /// The range as `git log` lists it: newest first, never a parent before its child, each
    /// commit read once. With `skipMerges`, like `--no-merges`.
    public func log(_ range: RevisionRange, skipMerges: Bool = false) throws -> [CommitSummary] {
        let walk = try HistoryWalk(self)
        return try walk.summaries(walk.run(range).filter { !(skipMerges && walk.isMerge($0)) })
    }

    /// Ids in the range, in `git log` order (`git rev-list`).
    public func commitIDs(in range: RevisionRange, skipMerges: Bool = false) throws -> [OID] {
        let walk = try HistoryWalk(self)
        return try walk.run(range).compactMap { node in skipMerges && walk.isMerge(node) ? nil : walk.id(node) }
    }

    /// Whole commits in the range, in `git log` order.
    public func commits(in range: RevisionRange, skipMerges: Bool = false) throws -> [Commit] {
        try commitIDs(in: range, skipMerges: skipMerges).map(commit)
    }

    /// How many commits the range holds (`git rev-list --count`).
    public func count(_ range: RevisionRange, skipMerges: Bool = false) throws -> Int {
        try commitIDs(in: range, skipMerges: skipMerges).count
    }
}

extension Repository {
    /// Every commit reachable from `tip`, and whether the history was cut short (a shallow
    /// clone), in which case older commits exist that are not here.
    public func reachable(from tip: OID) throws -> (commits: Set<OID>, cut: Bool) {
        let walk = try HistoryWalk(self, allowingCut: true)
        let nodes = try walk.run(RevisionRange(tips: [tip]))
        return (Set(nodes.map(walk.id)), walk.reachedCut)
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors. In a shallow clone, libgit2
    /// 1.5 does not know where history stops, so the walk is ours: it throws
    /// `ShallowHistoryError` when the answer lies beyond the cut.
    public func isAncestor(_ ancestor: OID, of descendant: OID) throws -> Bool {
        let answer = try findIsAncestor(ancestor, of: descendant)
        if answer { knownAncestry.insert([ancestor, descendant]) }
        return answer
    }

    private func findIsAncestor(_ ancestor: OID, of descendant: OID) throws -> Bool {
        if ancestor == descendant { return true }
        if isShallow { return try count(RevisionRange(tips: [ancestor], hidden: [descendant])) == 0 }
        // With git's commit-graph, levels prune the walk and no commit is inflated.
        if let graph = graphCommits(), let answer = try graph.isAncestor(ancestor, of: descendant) { return answer }
        let result = descendant.withPointer { child in
            ancestor.withPointer { parent in git_graph_descendant_of(pointer, child, parent) }
        }
        try GitError.check(result, "compare \(ancestor.short) with \(descendant.short)")
        return result == 1
    }

    /// The best common ancestor, or nil when the histories are unrelated.
    public func mergeBase(_ one: OID, _ two: OID) throws -> OID? {
        var base = git_oid()
        let result = one.withPointer { a in two.withPointer { b in git_merge_base(&base, pointer, a, b) } }
        if git_error_code(result) == GIT_ENOTFOUND { return nil }
        try GitError.check(result, "find the merge base of \(one.short) and \(two.short)")
        return OID(base)
    }
}

extension Repository {
    /// Whether the repository is a shallow clone (`git clone --depth`), whose history stops at
    /// the commits listed in `shallow`.
    public var isShallow: Bool { git_repository_is_shallow(pointer) == 1 }

    /// The commits listed in `shallow`, whose parents a shallow clone does not have.
    public func shallowBoundary() -> Set<OID> {
        guard let text = try? String(contentsOfFile: commonDirectory + "shallow", encoding: .utf8) else { return [] }
        return Set(text.split(whereSeparator: \.isNewline).compactMap { OID(hex: String($0)) })
    }
}
