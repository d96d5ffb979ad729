import CLibGit2

/// An open repository. It owns the libgit2 handle and frees it when the last user lets go;
/// every value read from it is copied out, so nothing refers to the handle afterwards.
public final class Repository {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { git_repository_free(pointer) }

    /// Opens the repository containing `path`, searching parent folders like git does.
    public static func discover(from path: String) throws -> Repository {
        _ = libgit2
        var handle: OpaquePointer?
        try GitError.check(git_repository_open_ext(&handle, path, 0, nil), "open repository at \(path)")
        return Repository(pointer: handle!)
    }

    /// Opens exactly the repository at `path` (a working tree or a `.git`/bare folder).
    public static func open(at path: String) throws -> Repository {
        _ = libgit2
        var handle: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        try GitError.check(git_repository_open_ext(&handle, path, flags, nil), "open repository at \(path)")
        return Repository(pointer: handle!)
    }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// The working tree folder with a trailing slash, or nil for a bare repository.
    public var workingDirectory: String? {
        git_repository_workdir(pointer).map { String(cString: $0) }
    }

    /// The `.git` folder with a trailing slash.
    public var gitDirectory: String { String(cString: git_repository_path(pointer)) }

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
