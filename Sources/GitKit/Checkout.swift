import CLibGit2
import Foundation

extension Repository {
    /// Paths whose local state would block updating the working tree and index from the tree of
    /// `from` to the tree of `to` (modified tracked files, untracked files in the way).
    /// Nothing is written.
    public func checkoutConflicts(from: OID, to: OID) throws -> [String] {
        let inTheWay = try untrackedInTheWay(from: from, to: to)
        if needsGitForWorkingTree {
            // git's own dry run also sees what status does not show: files marked
            // skip-worktree or assume-unchanged that differ. It needs the new objects on disk.
            if inTheWay.isEmpty, !keepsNewObjectsInMemory {
                let git = GitProgram(repository: self)
                try refreshIndexForReadTree(git)
                try git.run(["read-tree", "-n", "-m", "-u", from.hex, to.hex])
                indexRefreshed = Subprocess.launches
            }
            return inTheWay
        }
        let collector = PathCollector()
        try checkout(to, baseline: from, strategy: GIT_CHECKOUT_SAFE.rawValue | GIT_CHECKOUT_DRY_RUN.rawValue,
                     collectingConflictsInto: collector)
        return Array(Set(collector.paths + inTheWay)).sorted()
    }

    /// Updates the index and working tree from the tree of `from` to the tree of `to`, leaving
    /// files that are neither in the way nor part of the change alone. With `force`, the files
    /// that differ between the two trees are made to match `to` whatever they hold now (to
    /// finish or undo an interrupted update); no other file is touched.
    public func checkout(from: OID, to: OID, force: Bool = false) throws {
        if needsGitForWorkingTree {
            try gitCheckout(from: from, to: to, force: force)
            return
        }
        guard force else {
            try checkout(to, baseline: from, strategy: GIT_CHECKOUT_SAFE.rawValue, collectingConflictsInto: nil)
            return
        }
        let paths = try changedPaths(from: from, to: to)
        if paths.isEmpty { return }
        try checkout(to, baseline: from, strategy: GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue,
                     collectingConflictsInto: nil, paths: paths)
    }

    /// Paths whose content or mode differs between the trees of two commits.
    public func changedPaths(from: OID, to: OID) throws -> [String] {
        let old = try treeHandle(of: from)
        defer { git_tree_free(old) }
        let new = try treeHandle(of: to)
        defer { git_tree_free(new) }
        var diff: OpaquePointer?
        try GitError.check(git_diff_tree_to_tree(&diff, pointer, old, new, nil), "compare \(from.short) with \(to.short)")
        defer { git_diff_free(diff) }
        var paths: [String] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            for path in [delta.old_file.path, delta.new_file.path].compactMap({ $0 }) {
                let name = String(cString: path)
                if paths.last != name { paths.append(name) }
            }
        }
        return paths
    }

    private func checkout(
        _ target: OID, baseline: OID, strategy: UInt32, collectingConflictsInto collector: PathCollector?, paths: [String] = []
    ) throws {
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
        let cPaths = paths.map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var pathPointers = cPaths.map { UnsafeMutablePointer<CChar>($0) }
        let result = pathPointers.withUnsafeMutableBufferPointer { buffer -> Int32 in
            if !paths.isEmpty { options.paths = git_strarray(strings: buffer.baseAddress, count: buffer.count) }
            return git_checkout_tree(pointer, targetTree, &options)
        }
        if collector != nil, git_error_code(result) == GIT_ECONFLICT { return }
        try GitError.check(result, "update the working tree to \(target.short)")
    }
}

extension Repository {
    /// Files the change adds that already exist on disk untracked: the move would overwrite them.
    /// (Tracked files with changes are what the status check finds.)
    private func untrackedInTheWay(from: OID, to: OID) throws -> [String] {
        guard let root = workingDirectory else { return [] }
        let paths = try changedPaths(from: from, to: to)
        let before = try blobs(at: paths, in: from)
        let after = try blobs(at: paths, in: to)
        let tracked = Set(before.keys)
        return paths.compactMap { path in
            guard before[path] == nil, after[path] != nil else { return nil }
            if let blocked = Repository.blockedFolder(of: path, in: root, except: tracked) { return blocked }
            var status = stat()
            return lstat(root + path, &status) == 0 ? path : nil
        }
    }

    /// read-tree trusts the index's stat data, so git checkout refreshes it first; so does
    /// release, unless it refreshed it itself (for the dry run) and no program but that dry
    /// run has run since (a hook, an editor, a push): release changes no file in between.
    /// (`git status` refreshes too, but may not save it: `GIT_OPTIONAL_LOCKS=0`, a busy lock.)
    private func refreshIndexForReadTree(_ git: GitProgram) throws {
        guard indexRefreshed != Subprocess.launches else { return }
        try git.run(["update-index", "-q", "--refresh"])
        indexRefreshed = Subprocess.launches
    }

    /// The working-tree step through git, for filters libgit2 cannot run and sparse checkout.
    /// A first run is git's own two-tree merge (`git read-tree -m -u`), which refuses to
    /// overwrite anything changed. A recovery (`force`) has already checked every path holds
    /// what one side or the other has there, and brings only those paths to `to`: files
    /// through `git checkout` (smudge filters run), entries outside a sparse checkout in the
    /// index alone, as git keeps them.
    private func gitCheckout(from: OID, to: OID, force: Bool) throws {
        let git = GitProgram(repository: self)
        guard force else {
            try refreshIndexForReadTree(git)
            indexRefreshed = nil
            try git.run(["read-tree", "-m", "-u", from.hex, to.hex])
            return
        }
        let paths = try changedPaths(from: from, to: to)
        guard !paths.isEmpty, let root = workingDirectory else { return }
        let target = try blobEntries(at: paths, in: to)
        let sparse = try skipWorktreePaths(paths)
        let written = paths.filter { target[$0] != nil && !sparse.contains($0) }
        let removed = paths.filter { target[$0] == nil }
        for path in removed where !sparse.contains(path) { unlink(root + path) }
        if !removed.isEmpty { try git.run(["update-index", "--force-remove", "--"] + removed) }
        if !written.isEmpty { try git.run(["checkout", to.hex, "--"] + written) }
        let indexOnly = paths.filter { target[$0] != nil && sparse.contains($0) }
        if !indexOnly.isEmpty {
            let lines = indexOnly.map { "\(String(target[$0]!.mode, radix: 8)) \(target[$0]!.id.hex)\t\($0)\n" }.joined()
            try git.run(["update-index", "--index-info"], input: Data(lines.utf8))
            try git.run(["update-index", "--skip-worktree", "--"] + indexOnly)
        }
    }
}

extension Repository {
    /// The paths that differ between two commits and that hold, in the index or on disk,
    /// neither what the one nor what the other has there: changed by hand since an update
    /// between them was interrupted (an edit, a staged change, a flipped executable bit, a
    /// folder or a link in the way). A file holding only the first part of one side is a write
    /// the interruption cut short, not a change. Only those paths' files are ever forced.
    public func pathsHoldingNeither(_ one: OID, nor other: OID) throws -> [String] {
        let paths = try changedPaths(from: one, to: other)
        let sides = [try blobEntries(at: paths, in: one), try blobEntries(at: paths, in: other)]
        let found = try contents(at: paths)
        let modesCount = (try? config().bool("core.fileMode")) ?? true
        return try paths.filter { path in
            let planned = sides.map { $0[path] }
            let state = found[path] ?? PathContents()
            guard !state.isBlocked, planned.contains(state.index) else { return true }
            guard let side = planned.first(where: { $0?.id == state.file }) else {
                return !(try isCutShort(path, of: [one, other]))
            }
            guard let side, modesCount, [0o100644, 0o100755].contains(side.mode) else { return false }
            return side.isExecutable != state.fileIsExecutable
        }
    }

    private func isCutShort(_ path: String, of commits: [OID]) throws -> Bool {
        guard let root = workingDirectory, let written = FileManager.default.contents(atPath: root + path) else { return false }
        return try commits.contains { commit in
            guard let whole = try fileContents(at: path, in: commit) else { return false }
            return written.count < whole.count && whole.starts(with: written)
        }
    }
}

/// Receives paths from a libgit2 callback; lives only for the call that fills it.
private final class PathCollector {
    var paths: [String] = []
}
