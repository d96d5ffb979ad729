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
        if needsGitForWorkingTree { return try gitStatus(includeUntracked: includeUntracked, refreshIndex: refreshIndex) }
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

    /// `git status` itself, where filters or sparse checkout make libgit2's answer wrong
    /// (an LFS file would look modified, a file outside the sparse set deleted).
    private func gitStatus(includeUntracked: Bool, refreshIndex: Bool) throws -> WorkingTreeStatus {
        let output = try GitProgram(repository: self).run(
            (refreshIndex ? [] : ["--no-optional-locks"]) + ["status", "--porcelain=v1", "-z", "--ignore-submodules", "--untracked-files=" + (includeUntracked ? "all" : "no")])
        var status = WorkingTreeStatus(changed: [], untracked: [])
        var fields = output.split(separator: 0, omittingEmptySubsequences: true).makeIterator()
        while let field = fields.next(), field.count > 3 {
            let code = String(decoding: field.prefix(2), as: UTF8.self)
            let path = String(decoding: field.dropFirst(3), as: UTF8.self)
            if code == "??" { status.untracked.append(path) } else { status.changed.append(path) }
            if code.first == "R" || code.first == "C" { _ = fields.next() }
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
    public var index: TreeBlob?
    public var file: OID?
    public var fileIsExecutable = false
    /// Something the path cannot be written through is in its place: a folder where the file
    /// would be, or a file or link where one of its folders would be.
    public var isBlocked = false

    public init() {}
}

/// A file as a tree or the index records it: its blob and its mode.
public struct TreeBlob: Equatable, Sendable {
    public let id: OID
    public let mode: UInt32

    public var isExecutable: Bool { mode == 0o100755 }
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
        let throughGit = needsGitForWorkingTree
        let listed = Set(paths)
        for path in paths {
            var contents = PathContents()
            contents.isBlocked = Repository.blockedFolder(of: path, in: root, except: listed) != nil
            if let entry = git_index_get_bypath(index, path, 0) {
                contents.index = TreeBlob(id: OID(entry.pointee.id), mode: entry.pointee.mode)
            }
            var status = stat()
            if !contents.isBlocked, lstat(root + path, &status) == 0 {
                contents.isBlocked = (status.st_mode & S_IFMT) == S_IFDIR
                contents.fileIsExecutable = status.st_mode & S_IXUSR != 0
                if (status.st_mode & S_IFMT) == S_IFLNK {
                    contents.file = try linkBlob(root + path)
                } else if !throughGit, !contents.isBlocked {
                    var id = git_oid()
                    try GitError.check(git_repository_hashfile(&id, pointer, path, GIT_OBJECT_BLOB, nil), "read \(path)")
                    contents.file = OID(id)
                }
            }
            result[path] = contents
        }
        if throughGit { try hashThroughGit(into: &result, root: root) }
        return result
    }

    /// The first folder of `path` that is not a real folder on disk (a file, or a link that
    /// writing through would follow), unless it is itself one of `except`.
    static func blockedFolder(of path: String, in root: String, except: Set<String> = []) -> String? {
        var prefix = ""
        for part in path.split(separator: "/").dropLast() {
            prefix += prefix.isEmpty ? String(part) : "/" + part
            var status = stat()
            guard lstat(root + prefix, &status) == 0 else { return nil }
            if (status.st_mode & S_IFMT) != S_IFDIR { return except.contains(prefix) ? nil : prefix }
        }
        return nil
    }

    /// A symbolic link as git stores it: a blob holding the link's target.
    private func linkBlob(_ path: String) throws -> OID {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw GitError(code: .notFound, message: "read the link \(path): \(String(cString: strerror(errno)))") }
        var id = git_oid()
        try GitError.check(git_odb_hash(&id, buffer, count, GIT_OBJECT_BLOB), "hash the link \(path)")
        return OID(id)
    }

    /// File hashes with the clean filters git would run (`git hash-object --stdin-paths`).
    /// A path outside a sparse checkout has no file by design: it counts as holding its index
    /// entry.
    private func hashThroughGit(into result: inout [String: PathContents], root: String) throws {
        let sparse = try skipWorktreePaths(Array(result.keys))
        var onDisk: [String] = []
        for path in result.keys.sorted() {
            if sparse.contains(path) {
                let index = result[path]?.index
                result[path]?.file = index?.id
                result[path]?.fileIsExecutable = index?.isExecutable ?? false
                continue
            }
            var status = stat()
            if lstat(root + path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG { onDisk.append(path) }
        }
        guard !onDisk.isEmpty else { return }
        let output = try GitProgram(repository: self).run(["hash-object", "--stdin-paths"], input: Data(onDisk.map { $0 + "\n" }.joined().utf8))
        let ids = String(decoding: output, as: UTF8.self).split(whereSeparator: \.isNewline)
        for (path, id) in zip(onDisk, ids) { result[path]?.file = OID(hex: String(id)) }
    }

    /// The paths whose index entries carry git's skip-worktree bit (outside a sparse checkout).
    func skipWorktreePaths(_ paths: [String]) throws -> Set<String> {
        var index: OpaquePointer?
        try GitError.check(git_repository_index(&index, pointer), "read the index")
        defer { git_index_free(index) }
        try GitError.check(git_index_read(index, 0), "read the index")
        return Set(paths.filter { path in
            guard let entry = git_index_get_bypath(index, path, 0) else { return false }
            return entry.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0
        })
    }

    /// The blob id at each path in a commit's tree (paths that are absent are left out).
    public func blobs(at paths: [String], in commit: OID) throws -> [String: OID] {
        try blobEntries(at: paths, in: commit).mapValues(\.id)
    }

    /// The blob id and file mode at each path in a commit's tree.
    public func blobEntries(at paths: [String], in commit: OID) throws -> [String: TreeBlob] {
        let tree = try treeHandle(of: commit)
        defer { git_tree_free(tree) }
        var result: [String: TreeBlob] = [:]
        for path in paths {
            var entry: OpaquePointer?
            guard git_tree_entry_bypath(&entry, tree, path) == 0 else { continue }
            defer { git_tree_entry_free(entry) }
            result[path] = TreeBlob(id: OID(git_tree_entry_id(entry)), mode: git_tree_entry_filemode(entry).rawValue)
        }
        return result
    }
}
