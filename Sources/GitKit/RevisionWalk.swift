import CLibGit2

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
    /// Ids in the range, newest first and never a parent before its child
    /// (`git rev-list --date-order`).
    public func commitIDs(in range: RevisionRange, skipMerges: Bool = false) throws -> [OID] {
        var ids: [OID] = []
        try walk(range, needsCommit: skipMerges) { id, handle in
            if skipMerges, let handle, git_commit_parentcount(handle) > 1 { return }
            ids.append(id)
        }
        return ids
    }

    /// Commits in the range, newest first and never a parent before its child.
    public func commits(in range: RevisionRange, skipMerges: Bool = false) throws -> [Commit] {
        var commits: [Commit] = []
        try walk(range, needsCommit: true) { id, handle in
            guard let handle else { return }
            if skipMerges, git_commit_parentcount(handle) > 1 { return }
            commits.append(Commit(handle, id: id))
        }
        return commits
    }

    /// How many commits the range holds (`git rev-list --count`).
    public func count(_ range: RevisionRange, skipMerges: Bool = false) throws -> Int {
        try commitIDs(in: range, skipMerges: skipMerges).count
    }

    private func walk(
        _ range: RevisionRange,
        needsCommit: Bool,
        visit: (OID, OpaquePointer?) throws -> Void
    ) throws {
        var walker: OpaquePointer?
        try GitError.check(git_revwalk_new(&walker, pointer), "start a revision walk")
        defer { git_revwalk_free(walker) }
        // One call with both flags: a second git_revwalk_sorting call would replace the first.
        try GitError.check(
            git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort a revision walk")
        for tip in range.tips {
            try tip.withPointer { try GitError.check(git_revwalk_push(walker, $0), "walk from \(tip.short)") }
        }
        for hidden in range.hidden {
            try hidden.withPointer { try GitError.check(git_revwalk_hide(walker, $0), "hide \(hidden.short)") }
        }
        var raw = git_oid()
        while true {
            let result = git_revwalk_next(&raw, walker)
            if result == GIT_ITEROVER.rawValue { break }
            try GitError.check(result, "walk history")
            let id = OID(raw)
            if needsCommit {
                var handle: OpaquePointer?
                try GitError.check(git_commit_lookup(&handle, pointer, &raw), "read commit \(id.short)")
                defer { git_commit_free(handle) }
                try visit(id, handle)
            } else {
                try visit(id, nil)
            }
        }
    }
}

extension Repository {
    /// Whether `ancestor` is `descendant` or one of its ancestors.
    public func isAncestor(_ ancestor: OID, of descendant: OID) throws -> Bool {
        if ancestor == descendant { return true }
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
