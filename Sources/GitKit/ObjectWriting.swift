import CLibGit2
import Foundation

extension Repository {
    /// The bytes of the file at `path` in a commit's tree, or nil when there is no such file.
    public func fileContents(at path: String, in commit: OID) throws -> [UInt8]? {
        try withEntry(at: path, in: commit) { entry in
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
            var blob: OpaquePointer?
            try GitError.check(git_blob_lookup(&blob, pointer, git_tree_entry_id(entry)), "read \(path)")
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: content, count: size))
        } ?? nil
    }

    /// What the tree of `commit` holds at `path`, or nil when nothing is there.
    public func entryKind(at path: String, in commit: OID) throws -> TreeEntryKind? {
        try withEntry(at: path, in: commit) { entry in
            switch git_tree_entry_filemode(entry) {
            case GIT_FILEMODE_BLOB: .file
            case GIT_FILEMODE_BLOB_EXECUTABLE: .executable
            case GIT_FILEMODE_LINK: .symlink
            case GIT_FILEMODE_TREE: .directory
            default: .submodule
            }
        }
    }

    /// `read` applied to the tree entry at `path` in a commit, or nil when there is none.
    private func withEntry<T>(at path: String, in commit: OID, _ read: (OpaquePointer) throws -> T) throws -> T? {
        let treeHandle = try treeHandle(of: commit)
        defer { git_tree_free(treeHandle) }
        var entry: OpaquePointer?
        let found = git_tree_entry_bypath(&entry, treeHandle, path)
        if git_error_code(found) == GIT_ENOTFOUND { return nil }
        try GitError.check(found, "find \(path)")
        defer { git_tree_entry_free(entry) }
        return try read(entry!)
    }

    public func writeBlob(_ bytes: [UInt8]) throws -> OID {
        var id = git_oid()
        try bytes.withUnsafeBytes { buffer in
            try GitError.check(git_blob_create_from_buffer(&id, pointer, buffer.baseAddress, buffer.count), "write a blob")
        }
        return OID(id)
    }

    /// A new tree: the tree of `commit` with the file at `path` replaced by (or added as) `blob`,
    /// keeping the file's mode when it already exists.
    public func tree(of commit: OID, replacing path: String, with blob: OID) throws -> OID {
        try tree(of: commit, replacing: [(path, blob)])
    }

    /// A new tree: the tree of `commit` with each file replaced by (or added as) its blob,
    /// keeping each file's mode when it already exists.
    public func tree(of commit: OID, replacing files: [(path: String, blob: OID)]) throws -> OID {
        let baseTree = try treeHandle(of: commit)
        defer { git_tree_free(baseTree) }
        let paths = files.map { strdup($0.path) }
        defer { paths.forEach { free($0) } }
        var updates = files.enumerated().map { index, file in
            var mode = GIT_FILEMODE_BLOB
            var existing: OpaquePointer?
            if git_tree_entry_bypath(&existing, baseTree, file.path) == 0 {
                if git_tree_entry_filemode(existing) == GIT_FILEMODE_BLOB_EXECUTABLE { mode = GIT_FILEMODE_BLOB_EXECUTABLE }
                git_tree_entry_free(existing)
            }
            return git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: file.blob.raw, filemode: mode, path: paths[index])
        }
        var result = git_oid()
        try GitError.check(git_tree_create_updated(&result, pointer, baseTree, updates.count, &updates), "write a tree")
        return OID(result)
    }

    /// Writes a commit object without moving any reference.
    public func createCommit(
        tree: OID, parents: [OID], message: String, author: Signature, committer: Signature
    ) throws -> OID {
        var id = git_oid()
        try withCommitParts(tree: tree, parents: parents) { treeHandle, parentHandles in
            try author.withPointer { authorPointer in
                try committer.withPointer { committerPointer in
                    try parentHandles.withUnsafeMutableBufferPointer { buffer in
                        let result = git_commit_create(
                            &id, pointer, nil, authorPointer, committerPointer, nil, message,
                            treeHandle, buffer.count, buffer.baseAddress)
                        try GitError.check(result, "write a commit")
                    }
                }
            }
        }
        return OID(id)
    }

    /// `body` with libgit2 handles on a tree and parent commits, freed afterwards.
    func withCommitParts(tree: OID, parents: [OID], _ body: (OpaquePointer?, inout [OpaquePointer?]) throws -> Void) throws {
        var treeHandle: OpaquePointer?
        try tree.withPointer { try GitError.check(git_tree_lookup(&treeHandle, pointer, $0), "read tree \(tree.short)") }
        defer { git_tree_free(treeHandle) }
        var parentHandles: [OpaquePointer?] = []
        defer { parentHandles.forEach { git_commit_free($0) } }
        for parent in parents {
            var handle: OpaquePointer?
            try parent.withPointer {
                try GitError.check(git_commit_lookup(&handle, pointer, $0), "read commit \(parent.short)")
            }
            parentHandles.append(handle)
        }
        try body(treeHandle, &parentHandles)
    }

    /// Writes an annotated tag object for `target` without creating its reference.
    public func createTagObject(name: String, target: OID, tagger: Signature, message: String) throws -> OID {
        var object: OpaquePointer?
        try target.withPointer {
            try GitError.check(git_object_lookup(&object, pointer, $0, GIT_OBJECT_ANY), "read \(target.short)")
        }
        defer { git_object_free(object) }
        var id = git_oid()
        try tagger.withPointer { signature in
            try GitError.check(git_tag_annotation_create(&id, pointer, name, object, signature, message), "write tag \(name)")
        }
        return OID(id)
    }

    /// An annotated tag's object read back: its name, tagger and exact message; nil for other objects.
    public func tagObject(_ id: OID) throws -> (name: String, target: OID, tagger: Signature?, message: String)? {
        var tag: OpaquePointer?
        let result = id.withPointer { git_tag_lookup(&tag, pointer, $0) }
        if git_error_code(result) == GIT_ENOTFOUND { return nil }
        try GitError.check(result, "read tag \(id.short)")
        defer { git_tag_free(tag) }
        return (
            String(cString: git_tag_name(tag)),
            OID(git_tag_target_id(tag)),
            git_tag_tagger(tag).map { Signature($0) },
            git_tag_message(tag).map { String(cString: $0) } ?? ""
        )
    }

    /// Whether the object database holds this object.
    public func contains(_ id: OID) throws -> Bool {
        var odb: OpaquePointer?
        try GitError.check(git_repository_odb(&odb, pointer), "open the object database")
        defer { git_odb_free(odb) }
        return id.withPointer { git_odb_exists(odb, $0) } == 1
    }

    /// From now on, objects this handle writes stay in memory and vanish with it: a dry run
    /// computes the exact ids of a plan without leaving a trace on disk.
    public func keepNewObjectsInMemory() throws {
        var odb: OpaquePointer?
        try GitError.check(git_repository_odb(&odb, pointer), "open the object database")
        defer { git_odb_free(odb) }
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try GitError.check(git_mempack_new(&backend), "create an in-memory object store")
        try GitError.check(git_odb_add_backend(odb, backend, 999), "use an in-memory object store")
        keepsNewObjectsInMemory = true
    }

    /// The tree of a commit, for the caller to free with `git_tree_free`.
    func treeHandle(of commit: OID) throws -> OpaquePointer? {
        var tree: OpaquePointer?
        let treeID = try lookup(commit: commit) { git_commit_tree_id($0).pointee }
        try withUnsafePointer(to: treeID) {
            try GitError.check(git_tree_lookup(&tree, pointer, $0), "read tree of \(commit.short)")
        }
        return tree
    }

    func lookup<T>(commit id: OID, _ read: (OpaquePointer) throws -> T) throws -> T {
        var handle: OpaquePointer?
        try id.withPointer { try GitError.check(git_commit_lookup(&handle, pointer, $0), "read commit \(id.short)") }
        defer { git_commit_free(handle) }
        return try read(handle!)
    }
}

extension Repository {
    /// Every file in a commit's tree whose path passes `include`, with its bytes.
    public func files(in commit: OID, where include: (String) -> Bool) throws -> [(path: String, contents: [UInt8])] {
        let tree = try treeHandle(of: commit)
        defer { git_tree_free(tree) }
        let collector = EntryCollector()
        let result = git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
            guard let entry, let payload, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return 0 }
            let path = (root.map { String(cString: $0) } ?? "") + String(cString: git_tree_entry_name(entry))
            Unmanaged<EntryCollector>.fromOpaque(payload).takeUnretainedValue().entries.append((path, OID(git_tree_entry_id(entry))))
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        try GitError.check(result, "list the files of \(commit.short)")
        return try collector.entries.filter { include($0.path) }.map { path, id in
            var blob: OpaquePointer?
            try id.withPointer { try GitError.check(git_blob_lookup(&blob, pointer, $0), "read \(path)") }
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            let bytes = size > 0 ? Array(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size)) : []
            return (path, bytes)
        }
    }
}

private final class EntryCollector {
    var entries: [(path: String, id: OID)] = []
}

/// The kinds of entry a tree holds.
public enum TreeEntryKind: Equatable, Sendable {
    case file, executable, symlink, directory, submodule
}
