import CLibGit2
import Foundation

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
        // With one merge base (or none), the three-way merge git_merge_commits would make with
        // it; the commit-graph finds it without inflating the histories, and a known ancestor
        // of the other side is the base.
        let knownBase: OID?? = knownAncestry.contains([ours, theirs]) ? .some(ours)
            : knownAncestry.contains([theirs, ours]) ? .some(theirs) : nil
        switch try knownBase ?? graphCommits()?.mergeBase(ours, theirs) ?? onlyMergeBase(ours, theirs) {
        case .some(let base):
            let baseTree = try base.map(treeID(of:))
            let (ourTree, theirTree) = (OID(git_commit_tree_id(oursHandle)!), OID(git_commit_tree_id(theirsHandle)!))
            if let baseTree, let tree = try disjointMerge(base: baseTree, ours: ourTree, theirs: theirTree) {
                return .merged(tree: tree)
            }
            try mergeTrees(&index, base: baseTree, ours: ourTree, theirs: theirTree, options: &options)
        case .none:
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

    /// The merge base when there is one (`.some(base)`) or none (`.some(nil)`); nil when there
    /// are several, and libgit2 merges them first as git does.
    private func onlyMergeBase(_ ours: OID, _ theirs: OID) throws -> OID?? {
        var bases = git_oidarray()
        let result = ours.withPointer { a in theirs.withPointer { b in git_merge_bases(&bases, pointer, a, b) } }
        if git_error_code(result) == GIT_ENOTFOUND { return .some(nil) }
        try GitError.check(result, "find the merge base of \(ours.short) and \(theirs.short)")
        defer { git_oidarray_dispose(&bases) }
        return bases.count == 1 ? .some(OID(bases.ids[0])) : nil
    }

    private func treeID(of commit: OID) throws -> OID {
        var handle: OpaquePointer?
        try commit.withPointer { try GitError.check(git_commit_lookup(&handle, pointer, $0), "read \(commit.short)") }
        defer { git_commit_free(handle) }
        return OID(git_commit_tree_id(handle)!)
    }

    /// The merged tree when no path changed on both sides, built tree by tree: a subtree one
    /// side left alone is the other side's, unread (git's trivial directory resolution). nil
    /// when some path changed on both sides, even the same way: content merges, renames and
    /// conflicts are left to libgit2.
    private func disjointMerge(base: OID, ours: OID, theirs: OID) throws -> OID? {
        if base == theirs { return ours }
        if base == ours { return theirs }
        let (baseEntries, ourEntries, theirEntries) = try (treeEntries(base), treeEntries(ours), treeEntries(theirs))
        var changes: [(name: [UInt8], entry: TreeEntry?)] = []
        for name in Set(baseEntries.keys).union(ourEntries.keys).union(theirEntries.keys) {
            let (old, mine, their) = (baseEntries[name], ourEntries[name], theirEntries[name])
            if old == their { continue }
            if old == mine {
                changes.append((name, their))
                continue
            }
            guard let old, let mine, let their, old.isTree, mine.isTree, their.isTree,
                  let merged = try disjointMerge(base: old.id, ours: mine.id, theirs: their.id) else { return nil }
            // A folder whose files the two sides deleted between them is gone, as in git.
            changes.append((name, merged == Self.emptyTree ? nil : TreeEntry(id: merged, mode: mine.mode)))
        }
        return try writeTree(ours, changing: changes)
    }

    private static let emptyTree = OID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!

    private struct TreeEntry: Equatable {
        let id: OID
        let mode: UInt32
        var isTree: Bool { mode == GIT_FILEMODE_TREE.rawValue }
    }

    /// A tree's entries by name (bytes: git compares names byte for byte).
    private func treeEntries(_ id: OID) throws -> [[UInt8]: TreeEntry] {
        let handle = try tree(id)
        defer { git_tree_free(handle) }
        var entries: [[UInt8]: TreeEntry] = [:]
        for index in 0..<git_tree_entrycount(handle) {
            let entry = git_tree_entry_byindex(handle, index)
            let name = Array(UnsafeRawBufferPointer(start: git_tree_entry_name(entry), count: strlen(git_tree_entry_name(entry))))
            entries[name] = TreeEntry(id: OID(git_tree_entry_id(entry)!), mode: git_tree_entry_filemode(entry).rawValue)
        }
        return entries
    }

    /// `tree` with `changes` applied (nil removes the entry), written to the object database.
    private func writeTree(_ tree: OID, changing changes: [(name: [UInt8], entry: TreeEntry?)]) throws -> OID {
        let original = try self.tree(tree)
        defer { git_tree_free(original) }
        var builder: OpaquePointer?
        try GitError.check(git_treebuilder_new(&builder, pointer, original), "build a tree")
        defer { git_treebuilder_free(builder) }
        for (name, entry) in changes {
            let path = String(decoding: name, as: UTF8.self)
            try (name + [0]).withUnsafeBufferPointer { raw in
                let cName = UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self)
                if let entry {
                    try entry.id.withPointer {
                        try GitError.check(git_treebuilder_insert(nil, builder, cName, $0, git_filemode_t(entry.mode)), "write \(path) in the merged tree")
                    }
                } else {
                    try GitError.check(git_treebuilder_remove(builder, cName), "remove \(path) from the merged tree")
                }
            }
        }
        var written = git_oid()
        try GitError.check(git_treebuilder_write(&written, builder), "write the merged tree")
        return OID(written)
    }

    private func mergeTrees(_ index: inout OpaquePointer?, base: OID?, ours: OID, theirs: OID,
                            options: inout git_merge_options) throws {
        let ancestorTree = try base.map(tree)
        defer { git_tree_free(ancestorTree) }
        let ourTree = try tree(ours)
        defer { git_tree_free(ourTree) }
        let theirTree = try tree(theirs)
        defer { git_tree_free(theirTree) }
        try GitError.check(git_merge_trees(&index, pointer, ancestorTree, ourTree, theirTree, &options), "merge the trees")
    }

    /// A tree read through libgit2; the caller frees it.
    private func tree(_ id: OID) throws -> OpaquePointer {
        var tree: OpaquePointer?
        try id.withPointer { try GitError.check(git_tree_lookup(&tree, pointer, $0), "read tree \(id.short)") }
        return tree!
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
