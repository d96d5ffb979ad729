import CLibGit2

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
