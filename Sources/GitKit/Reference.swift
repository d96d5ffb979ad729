import CLibGit2

/// A direct reference: its full name and the object it points at (not peeled).
public struct Reference: Equatable, Sendable {
    public let name: String
    public let target: OID

    public init(name: String, target: OID) {
        self.name = name
        self.target = target
    }

    public var shortName: String { Reference.shortName(name) }

    public static func branch(_ name: String) -> String { "refs/heads/" + name }
    public static func tag(_ name: String) -> String { "refs/tags/" + name }

    /// `refs/heads/x` → `x`, `refs/tags/v1` → `v1`.
    public static func shortName(_ full: String) -> String {
        for prefix in ["refs/heads/", "refs/tags/", "refs/remotes/"] where full.hasPrefix(prefix) {
            return String(full.dropFirst(prefix.count))
        }
        return full
    }
}

extension Repository {
    /// The reference with this full name, or nil when there is none.
    public func reference(named name: String) throws -> Reference? {
        var ref: OpaquePointer?
        let result = git_reference_lookup(&ref, pointer, name)
        if git_error_code(result) == GIT_ENOTFOUND { return nil }
        try GitError.check(result, "read \(name)")
        defer { git_reference_free(ref) }
        var resolved: OpaquePointer?
        try GitError.check(git_reference_resolve(&resolved, ref), "resolve \(name)")
        defer { git_reference_free(resolved) }
        return Reference(name: name, target: OID(git_reference_target(resolved)!))
    }

    public func branch(_ name: String) throws -> Reference? {
        try reference(named: Reference.branch(name))
    }

    /// Every reference whose full name matches the glob (e.g. `refs/tags/*`), sorted by name.
    public func references(matching glob: String) throws -> [Reference] {
        var iterator: OpaquePointer?
        try GitError.check(git_reference_iterator_glob_new(&iterator, pointer, glob), "list \(glob)")
        defer { git_reference_iterator_free(iterator) }
        var found: [Reference] = []
        while true {
            var ref: OpaquePointer?
            let result = git_reference_next(&ref, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try GitError.check(result, "list \(glob)")
            defer { git_reference_free(ref) }
            // Symbolic references (e.g. refs/remotes/origin/HEAD) are skipped: they alias another entry.
            guard let target = git_reference_target(ref) else { continue }
            found.append(Reference(name: String(cString: git_reference_name(ref)), target: OID(target)))
        }
        return found.sorted { $0.name < $1.name }
    }

    /// Whether git would accept this as a branch name.
    public static func isValidBranchName(_ name: String) -> Bool {
        var valid: Int32 = 0
        _ = libgit2
        return git_branch_name_is_valid(&valid, name) == 0 && valid == 1
    }

    /// Whether git would accept this as a full reference name.
    public static func isValidReferenceName(_ name: String) -> Bool {
        var valid: Int32 = 0
        _ = libgit2
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }

    /// Moves, creates or deletes a reference only if it still has the expected value:
    /// `expected == nil` means it must not exist, `target == nil` deletes it.
    public func updateReference(_ name: String, to target: OID?, expecting expected: OID?, message: String) throws {
        var ref: OpaquePointer?
        defer { if ref != nil { git_reference_free(ref) } }
        switch (expected, target) {
        case (nil, let target?):
            try target.withPointer { id in
                try GitError.check(git_reference_create(&ref, pointer, name, id, 0, message), "create \(name)")
            }
        case (let expected?, let target?):
            try target.withPointer { id in
                try expected.withPointer { old in
                    try GitError.check(
                        git_reference_create_matching(&ref, pointer, name, id, 1, old, message), "move \(name)")
                }
            }
        case (let expected?, nil):
            try GitError.check(git_reference_lookup(&ref, pointer, name), "read \(name)")
            guard let current = git_reference_target(ref), OID(current) == expected else {
                throw GitError(code: .modified, message: "\(name) moved while it was being deleted")
            }
            try GitError.check(git_reference_delete(ref), "delete \(name)")
        case (nil, nil):
            return
        }
    }

    /// Resolves a revision (`master`, a tag, `HEAD~2`, an id) to the commit it names.
    public func resolveCommit(_ revision: String) throws -> OID {
        var object: OpaquePointer?
        try GitError.check(git_revparse_single(&object, pointer, revision), "resolve '\(revision)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try GitError.check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "'\(revision)' is not a commit")
        defer { git_object_free(commit) }
        return OID(git_object_id(commit)!)
    }

    /// The commit an object (a commit or a chain of annotated tags) finally points at.
    public func peelToCommit(_ id: OID) throws -> OID {
        guard let commit = try peeledCommit(id) else {
            throw GitError(code: .invalidSpec, message: "\(id.short) does not point at a commit")
        }
        return commit
    }

    /// The same, or nil when the chain ends at a tree or a blob (a tag may point at either);
    /// throws only when an object cannot be read.
    public func peeledCommit(_ id: OID) throws -> OID? {
        var current = id
        while true {
            var object: OpaquePointer?
            try current.withPointer { oid in
                try GitError.check(git_object_lookup(&object, pointer, oid, GIT_OBJECT_ANY), "read \(current.short)")
            }
            defer { git_object_free(object) }
            switch git_object_type(object) {
            case GIT_OBJECT_COMMIT: return current
            case GIT_OBJECT_TAG: current = OID(git_tag_target_id(object)!)
            default: return nil
            }
        }
    }
}
