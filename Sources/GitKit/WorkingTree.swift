import CLibGit2
import Foundation

/// What differs between HEAD, the index and the working tree.
public struct WorkingTreeStatus: Equatable, Sendable {
    /// Tracked paths with staged or unstaged changes (including deletions and conflicts).
    public var changed: [String]
    /// Paths git does not track and does not ignore.
    public var untracked: [String]

    public var isClean: Bool { changed.isEmpty }

    public init(changed: [String], untracked: [String]) {
        self.changed = changed
        self.untracked = untracked
    }
}

extension Repository {
    /// The working tree state, like `git status --porcelain` without ignored files. With
    /// `refreshIndex`, files found unchanged get fresh stat data in the index, as `git status`
    /// does, so the next scan need not read them again.
    public func workingTreeStatus(includeUntracked: Bool = true, refreshIndex: Bool = false) throws -> WorkingTreeStatus {
        var options = git_status_options()
        try GitError.check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "read status")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        if refreshIndex { options.flags |= GIT_STATUS_OPT_UPDATE_INDEX.rawValue }
        if includeUntracked {
            options.flags |= GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        }
        var list: OpaquePointer?
        try GitError.check(git_status_list_new(&list, pointer, &options), "read the working tree status")
        defer { git_status_list_free(list) }
        var status = WorkingTreeStatus(changed: [], untracked: [])
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let path = delta?.pointee.new_file.path ?? delta?.pointee.old_file.path else { continue }
            let flags = entry.status.rawValue
            if flags == GIT_STATUS_WT_NEW.rawValue {
                status.untracked.append(String(cString: path))
            } else if flags & GIT_STATUS_IGNORED.rawValue == 0 {
                status.changed.append(String(cString: path))
            }
        }
        return status
    }

    /// The state a previous git command left behind (merge, rebase, cherry-pick …), or nil.
    public var pendingGitOperation: String? {
        switch git_repository_state(pointer) {
        case Int32(GIT_REPOSITORY_STATE_NONE.rawValue): return nil
        case Int32(GIT_REPOSITORY_STATE_MERGE.rawValue): return "merge"
        case Int32(GIT_REPOSITORY_STATE_REVERT.rawValue), Int32(GIT_REPOSITORY_STATE_REVERT_SEQUENCE.rawValue):
            return "revert"
        case Int32(GIT_REPOSITORY_STATE_CHERRYPICK.rawValue), Int32(GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE.rawValue):
            return "cherry-pick"
        case Int32(GIT_REPOSITORY_STATE_BISECT.rawValue): return "bisect"
        default: return "rebase"
        }
    }
}

/// What the index and the working tree hold at one path, as blob ids: the index's stage-0
/// entry, and the file hashed the way `git add` would store it (clean filters applied).
/// nil where there is nothing.
public struct PathContents: Equatable, Sendable {
    public var index: OID?
    public var file: OID?

    public init(index: OID? = nil, file: OID? = nil) {
        self.index = index
        self.file = file
    }
}

extension Repository {
    /// The index entry and working-tree file at each path.
    public func contents(at paths: [String]) throws -> [String: PathContents] {
        guard let root = workingDirectory else { return [:] }
        var index: OpaquePointer?
        try GitError.check(git_repository_index(&index, pointer), "read the index")
        defer { git_index_free(index) }
        try GitError.check(git_index_read(index, 0), "read the index")
        var result: [String: PathContents] = [:]
        for path in paths {
            var contents = PathContents()
            if let entry = git_index_get_bypath(index, path, 0) { contents.index = OID(entry.pointee.id) }
            var status = stat()
            if lstat(root + path, &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR {
                var id = git_oid()
                try GitError.check(git_repository_hashfile(&id, pointer, path, GIT_OBJECT_BLOB, nil), "read \(path)")
                contents.file = OID(id)
            }
            result[path] = contents
        }
        return result
    }

    /// The blob id at each path in a commit's tree (paths that are absent are left out).
    public func blobs(at paths: [String], in commit: OID) throws -> [String: OID] {
        let tree = try treeHandle(of: commit)
        defer { git_tree_free(tree) }
        var result: [String: OID] = [:]
        for path in paths {
            var entry: OpaquePointer?
            guard git_tree_entry_bypath(&entry, tree, path) == 0 else { continue }
            defer { git_tree_entry_free(entry) }
            result[path] = OID(git_tree_entry_id(entry))
        }
        return result
    }
}
