import CLibGit2

extension Repository {
    /// Paths whose local state would block updating the working tree and index from the tree of
    /// `from` to the tree of `to` (modified tracked files, untracked files in the way).
    /// Nothing is written.
    public func checkoutConflicts(from: OID, to: OID) throws -> [String] {
        let collector = PathCollector()
        try checkout(to, baseline: from, strategy: GIT_CHECKOUT_SAFE.rawValue | GIT_CHECKOUT_DRY_RUN.rawValue,
                     collectingConflictsInto: collector)
        return collector.paths.sorted()
    }

    /// Updates the index and working tree from the tree of `from` to the tree of `to`, leaving
    /// files that are neither in the way nor part of the change alone. With `force`, tracked
    /// files are made to match `to` whatever they hold now (used to finish or undo an
    /// interrupted update).
    public func checkout(from: OID, to: OID, force: Bool = false) throws {
        let strategy = force ? GIT_CHECKOUT_FORCE.rawValue : GIT_CHECKOUT_SAFE.rawValue
        try checkout(to, baseline: from, strategy: strategy, collectingConflictsInto: nil)
    }

    private func checkout(_ target: OID, baseline: OID, strategy: UInt32, collectingConflictsInto collector: PathCollector?) throws {
        let targetTree = try treeHandle(of: target)
        defer { git_tree_free(targetTree) }
        let baselineTree = try treeHandle(of: baseline)
        defer { git_tree_free(baselineTree) }

        var options = git_checkout_options()
        try GitError.check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "prepare a checkout")
        options.checkout_strategy = strategy
        options.baseline = baselineTree
        if let collector {
            options.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT.rawValue
            options.notify_payload = Unmanaged.passUnretained(collector).toOpaque()
            options.notify_cb = { _, path, _, _, _, payload in
                if let path, let payload {
                    Unmanaged<PathCollector>.fromOpaque(payload).takeUnretainedValue().paths.append(String(cString: path))
                }
                return 0
            }
        }
        let result = git_checkout_tree(pointer, targetTree, &options)
        if collector != nil, git_error_code(result) == GIT_ECONFLICT { return }
        try GitError.check(result, "update the working tree to \(target.short)")
    }

    private func treeHandle(of commit: OID) throws -> OpaquePointer? {
        var tree: OpaquePointer?
        let treeID = try lookup(commit: commit) { git_commit_tree_id($0).pointee }
        try withUnsafePointer(to: treeID) {
            try GitError.check(git_tree_lookup(&tree, pointer, $0), "read tree of \(commit.short)")
        }
        return tree
    }
}

/// Receives paths from a libgit2 callback; lives only for the call that fills it.
private final class PathCollector {
    var paths: [String] = []
}
