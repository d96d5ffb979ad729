import CLibGit2
import Foundation

/// An open repository. It owns the libgit2 handle and frees it when the last user lets go;
/// every value read from it is copied out, so nothing refers to the handle afterwards.
public final class Repository {
    let pointer: OpaquePointer
    /// Set by `keepNewObjectsInMemory`: objects written since exist for libgit2 only.
    var keepsNewObjectsInMemory = false
    /// `Subprocess.launches` just after `git update-index --refresh` (or the read-only dry run
    /// after it) for this repository; nil once the working tree has been updated.
    var indexRefreshed: Int?
    /// Pairs [ancestor, descendant] `isAncestor` confirmed: a merge of such a pair has the
    /// ancestor as its base, and need not walk the history again to learn it.
    var knownAncestry: Set<[OID]> = []
    /// The commits history walks have read: a walk starts from what the walks before it read.
    var lastWalk: CommitGraph?
    /// git's commit-graph, opened on first use (nil: none release would use).
    lazy var commitGraph: CommitGraphFile? = CommitGraphFile.open(self)
    /// The pack files, mapped on first use for walks to read commits from (nil: none, or
    /// `GIT_OBJECT_DIRECTORY` points elsewhere and libgit2 reads everything).
    lazy var packFiles: PackFiles? = ownObjectsDirectory.flatMap(PackFiles.open(objects:))

    /// The repository's own objects folder, which release's readers of git's files (packs,
    /// commit-graph) use; nil when `GIT_OBJECT_DIRECTORY` points elsewhere, and they step aside.
    var ownObjectsDirectory: String? {
        ProcessInfo.processInfo.environment["GIT_OBJECT_DIRECTORY"] == nil ? commonDirectory + "objects" : nil
    }
    /// Reads the commits walks and the graph's questions need, keeping their bytes for as long
    /// as the repository.
    lazy var commitReader = Result { try CommitReader(self) }

    /// The graph's commits and those newer than it, kept for every question; nil when there is
    /// no graph or it proved too stale.
    func graphCommits() -> GraphCommits? {
        guard let shared = sharedGraphCommits, !shared.exhausted else { return nil }
        return shared
    }

    private lazy var sharedGraphCommits: GraphCommits? = commitGraph.map {
        GraphCommits(file: $0, read: { [unowned self] in try parents(of: $0) })
    }

    /// A commit's parents, read outside libgit2's object cache (thousands of commits read for
    /// the graph made libgit2's own walks slower afterwards).
    private func parents(of id: OID) throws -> [OID] {
        RawCommit.Header(try commitReader.get().read(id)).parents
    }

    private init(pointer: OpaquePointer) throws {
        self.pointer = pointer
        try addWorktreeConfig()
    }

    /// With `extensions.worktreeConfig`, git also reads the git directory's `config.worktree`,
    /// over the repository's own configuration (`git clone --sparse` writes the sparse checkout
    /// switch there). libgit2 1.5 does not, so it is added to the repository's configuration
    /// here, for GitKit's reads and libgit2's alike.
    private func addWorktreeConfig() throws {
        var live: OpaquePointer?
        try GitError.check(git_repository_config(&live, pointer), "read the repository configuration")
        defer { git_config_free(live) }
        var enabled: Int32 = 0
        guard git_config_get_bool(&enabled, live, "extensions.worktreeConfig") == 0, enabled != 0 else { return }
        let path = gitDirectory + "config.worktree"
        guard FileManager.default.fileExists(atPath: path) else { return }
        try GitError.check(git_config_add_file_ondisk(live, path, GIT_CONFIG_LEVEL_APP, pointer, 0), "read \(path)")
    }

    deinit { git_repository_free(pointer) }

    /// Opens the repository containing `path`, searching parent folders like git does.
    public static func discover(from path: String) throws -> Repository {
        _ = libgit2
        var handle: OpaquePointer?
        try GitError.check(git_repository_open_ext(&handle, path, 0, nil), "open repository at \(path)")
        return try Repository(pointer: handle!)
    }

    /// Opens the repository the way git does when started in `path` with `environment`:
    /// `GIT_DIR` (no search), `GIT_WORK_TREE`, `GIT_CEILING_DIRECTORIES`, `GIT_INDEX_FILE`,
    /// `GIT_OBJECT_DIRECTORY` and `GIT_ALTERNATE_OBJECT_DIRECTORIES`. Relative paths in them are
    /// taken from `path`, as git takes them from its `-C` folder. libgit2 1.5 cannot take a
    /// common directory from outside, so a `GIT_COMMON_DIR` other than the one the git
    /// directory records is refused.
    public static func discover(from path: String, environment: [String: String]) throws -> Repository {
        _ = libgit2
        func absolute(_ value: String) -> String {
            value.hasPrefix("/") ? value : (path as NSString).appendingPathComponent(value)
        }
        let gitDirectory = environment["GIT_DIR"].flatMap { $0.isEmpty ? nil : absolute($0) }
        let workTree = environment["GIT_WORK_TREE"].flatMap { $0.isEmpty ? nil : absolute($0) }
        let start = gitDirectory ?? path
        var flags = gitDirectory == nil ? 0 : GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_NO_DOTGIT.rawValue
        // With FROM_ENV libgit2 reads the variables itself, but it refuses GIT_WORK_TREE and
        // GIT_COMMON_DIR, and it would search from `start` even when GIT_DIR is set.
        if gitDirectory == nil, workTree == nil, environment["GIT_COMMON_DIR"] == nil {
            flags = GIT_REPOSITORY_OPEN_FROM_ENV.rawValue
        }
        var handle: OpaquePointer?
        try GitError.check(git_repository_open_ext(&handle, start, flags, nil), "open repository at \(start)")
        let repository = try Repository(pointer: handle!)
        if let workTree {
            try GitError.check(git_repository_set_workdir(handle, workTree, 0), "use \(workTree) as the working tree")
        } else if gitDirectory != nil, !repository.isBare, try repository.config().string("core.worktree") == nil,
                  repository.workingDirectory.map({ realPath($0) }) != realPath(path) {
            // git: with GIT_DIR and no GIT_WORK_TREE or core.worktree, the current folder is the working tree.
            try GitError.check(git_repository_set_workdir(handle, path, 0), "use \(path) as the working tree")
        }
        if let common = environment["GIT_COMMON_DIR"], realPath(absolute(common)) != realPath(repository.commonDirectory) {
            throw GitError(code: .other(-1), message: "GIT_COMMON_DIR=\(common) differs from the common directory \(repository.commonDirectory) that the git directory records; libgit2 cannot use another")
        }
        return repository
    }

    /// Whether git's `safe.directory` (from the user's and the system's configuration only, as
    /// git reads it) lets this process use a repository another user owns at `path`. libgit2
    /// 1.5 knows exact paths but not `*`; when it says yes, ownership checks are turned off for
    /// this process.
    public static func trustsForeignOwner(of path: String) throws -> Bool {
        _ = libgit2
        var allowed: [String] = []
        for value in try Config.userAndSystem().strings("safe.directory") {
            if value.isEmpty { allowed = [] } else { allowed.append(value) }
        }
        let wanted = realPath(path)
        guard allowed.contains(where: { $0 == "*" || realPath($0) == wanted }) else { return false }
        _ = clibgit2_set_owner_validation(0)
        return true
    }

    /// The nearest folder at or above `path` holding a `.git` that another user owns, which git
    /// refuses to use unless `safe.directory` names it (libgit2 1.5 reports it as not found).
    public static func foreignRepository(above path: String) -> String? {
        var folder = path
        while true {
            var status = stat()
            if stat(folder + "/.git", &status) == 0 {
                return status.st_uid != geteuid() ? folder : nil
            }
            if folder == "/" || folder.isEmpty { return nil }
            folder = (folder as NSString).deletingLastPathComponent
        }
    }

    /// git's refusal of another user's repository, with its way out.
    public static func dubiousOwnership(_ folder: String) -> ActionableError {
        ActionableError("dubious ownership: \(folder) belongs to another user, so git and release will not use it",
                        hint: "If you trust it: git config --global --add safe.directory \(folder)")
    }

    /// Opens exactly the repository at `path` (a working tree or a `.git`/bare folder).
    public static func open(at path: String) throws -> Repository {
        _ = libgit2
        var handle: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        try GitError.check(git_repository_open_ext(&handle, path, flags, nil), "open repository at \(path)")
        return try Repository(pointer: handle!)
    }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// The working tree folder with a trailing slash, or nil for a bare repository.
    public var workingDirectory: String? {
        git_repository_workdir(pointer).map { String(cString: $0) }
    }

    /// The `.git` folder with a trailing slash (a linked worktree's own folder for a worktree).
    public var gitDirectory: String { String(cString: git_repository_path(pointer)) }

    /// The folder every worktree of the repository shares (references, objects, config), with
    /// a trailing slash: the main `.git` folder.
    public var commonDirectory: String { String(cString: git_repository_commondir(pointer)) }

    /// Whether this is a linked worktree (`git worktree add`).
    public var isLinkedWorktree: Bool { git_repository_is_worktree(pointer) == 1 }

    /// What HEAD points at.
    public func head() throws -> Head {
        var ref: OpaquePointer?
        let result = git_repository_head(&ref, pointer)
        if git_error_code(result) == GIT_EUNBORNBRANCH || git_error_code(result) == GIT_ENOTFOUND {
            return .unborn(branch: try unbornBranchName())
        }
        try GitError.check(result, "read HEAD")
        defer { git_reference_free(ref) }
        let target = OID(git_reference_target(ref)!)
        if git_repository_head_detached(pointer) == 1 {
            return .detached(target)
        }
        return .branch(String(cString: git_reference_shorthand(ref)), target)
    }

    private func unbornBranchName() throws -> String {
        var ref: OpaquePointer?
        try GitError.check(git_reference_lookup(&ref, pointer, "HEAD"), "read HEAD")
        defer { git_reference_free(ref) }
        guard let target = git_reference_symbolic_target(ref) else { return "HEAD" }
        return Reference.shortName(String(cString: target))
    }

    /// Points HEAD at a branch (by full reference name) without touching the working tree.
    public func setHead(_ referenceName: String) throws {
        try GitError.check(git_repository_set_head(pointer, referenceName), "set HEAD to \(referenceName)")
    }
}

public enum Head: Equatable, Sendable {
    case branch(String, OID)
    case detached(OID)
    case unborn(branch: String)

    public var branchName: String? {
        if case .branch(let name, _) = self { return name }
        return nil
    }

    public var commit: OID? {
        switch self {
        case .branch(_, let id), .detached(let id): return id
        case .unborn: return nil
        }
    }
}

/// A path with every symbolic link resolved (the path itself when it cannot be resolved).
func realPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
