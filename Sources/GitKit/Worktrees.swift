import CLibGit2
import Foundation

extension Repository {
    /// The branches checked out in the repository's other worktrees (the main one included when
    /// this is a linked worktree), by full reference name, with the worktree's folder.
    public func branchesCheckedOutElsewhere() throws -> [String: String] {
        var found: [String: String] = [:]
        var names = git_strarray()
        try GitError.check(git_worktree_list(&names, pointer), "list the worktrees")
        defer { git_strarray_dispose(&names) }
        for index in 0..<names.count {
            guard let cName = names.strings[index] else { continue }
            var worktree: OpaquePointer?
            guard git_worktree_lookup(&worktree, pointer, cName) == 0 else { continue }
            defer { git_worktree_free(worktree) }
            let folder = String(cString: git_worktree_path(worktree))
            guard git_worktree_validate(worktree) == 0, realPath(folder) != workingDirectory.map(realPath) else { continue }
            var head: OpaquePointer?
            guard git_repository_head_for_worktree(&head, pointer, cName) == 0 else { continue }
            defer { git_reference_free(head) }
            found[String(cString: git_reference_name(head))] = folder
        }
        if isLinkedWorktree {
            let main = try Repository.open(at: commonDirectory)
            if let folder = main.workingDirectory ?? mainWorktreeFolder(), case .branch(let name, _) = try main.head() {
                found[Reference.branch(name)] = folder
            }
        }
        return found
    }

    /// The main worktree's folder seen from a linked worktree: the parent of the common `.git`.
    private func mainWorktreeFolder() -> String? {
        let common = URL(fileURLWithPath: commonDirectory)
        guard common.lastPathComponent == ".git" else { return nil }
        return common.deletingLastPathComponent().path
    }
}
