import CLibGit2

/// The result of merging two commits in memory.
public enum MergeResult: Equatable, Sendable {
    /// The merged tree, already written to the object database.
    case merged(tree: OID)
    /// The paths that conflict; nothing was written.
    case conflicts([String])
}

extension Repository {
    /// Merges `theirs` into `ours` in memory (`git_merge_commits`), touching no reference,
    /// index or working tree.
    public func merge(ours: OID, theirs: OID) throws -> MergeResult {
        var oursHandle: OpaquePointer?
        var theirsHandle: OpaquePointer?
        try ours.withPointer { try GitError.check(git_commit_lookup(&oursHandle, pointer, $0), "read \(ours.short)") }
        defer { git_commit_free(oursHandle) }
        try theirs.withPointer { try GitError.check(git_commit_lookup(&theirsHandle, pointer, $0), "read \(theirs.short)") }
        defer { git_commit_free(theirsHandle) }

        var options = git_merge_options()
        try GitError.check(git_merge_options_init(&options, UInt32(GIT_MERGE_OPTIONS_VERSION)), "prepare a merge")
        var index: OpaquePointer?
        if let graph = graphCommits(), let base = try graph.mergeBase(ours, theirs) {
            // One merge base (or none), found from the commit-graph without inflating the
            // histories: the three-way merge git_merge_commits would make with it.
            try mergeTrees(&index, base: base, ours: oursHandle!, theirs: theirsHandle!, options: &options)
        } else {
            try GitError.check(
                git_merge_commits(&index, pointer, oursHandle, theirsHandle, &options),
                "merge \(theirs.short) into \(ours.short)")
        }
        defer { git_index_free(index) }

        if git_index_has_conflicts(index) == 1 {
            return .conflicts(try conflictPaths(index!))
        }
        var tree = git_oid()
        try GitError.check(git_index_write_tree_to(&tree, index, pointer), "write the merged tree")
        return .merged(tree: OID(tree))
    }

    private func mergeTrees(_ index: inout OpaquePointer?, base: OID?, ours: OpaquePointer, theirs: OpaquePointer,
                            options: inout git_merge_options) throws {
        func tree(of commit: OpaquePointer) throws -> OpaquePointer {
            var tree: OpaquePointer?
            try GitError.check(git_commit_tree(&tree, commit), "read a tree")
            return tree!
        }
        var baseCommit: OpaquePointer?
        if let base {
            try base.withPointer { try GitError.check(git_commit_lookup(&baseCommit, pointer, $0), "read \(base.short)") }
        }
        defer { git_commit_free(baseCommit) }
        let ancestorTree = try baseCommit.map(tree(of:))
        defer { git_tree_free(ancestorTree) }
        let ourTree = try tree(of: ours)
        defer { git_tree_free(ourTree) }
        let theirTree = try tree(of: theirs)
        defer { git_tree_free(theirTree) }
        try GitError.check(git_merge_trees(&index, pointer, ancestorTree, ourTree, theirTree, &options), "merge the trees")
    }

    private func conflictPaths(_ index: OpaquePointer) throws -> [String] {
        var iterator: OpaquePointer?
        try GitError.check(git_index_conflict_iterator_new(&iterator, index), "list conflicts")
        defer { git_index_conflict_iterator_free(iterator) }
        var paths: [String] = []
        while true {
            var ancestor: UnsafePointer<git_index_entry>?
            var ours: UnsafePointer<git_index_entry>?
            var theirs: UnsafePointer<git_index_entry>?
            let result = git_index_conflict_next(&ancestor, &ours, &theirs, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try GitError.check(result, "list conflicts")
            if let entry = ours ?? theirs ?? ancestor {
                paths.append(String(cString: entry.pointee.path))
            }
        }
        return paths.sorted()
    }
}
