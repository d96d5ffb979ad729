import Foundation
import GitKit

/// What `continue` or `abort` did with an interrupted plan, and what it left as it found it.
public struct Recovery: Sendable {
    public let plan: ReleasePlan
    /// One line for each thing left alone, and why.
    public let notes: [String]
    /// References (full names) left where they were found.
    public var leftAlone: Set<String> = []
    /// Whether the working tree followed the plan's branch.
    public var treeFollowed = true
}

extension Workspace {
    /// The interrupted plan, for `continue` or `abort` to act on (or show, in a dry run).
    public func interruptedPlan(_ command: String) throws -> ReleasePlan {
        try interruptedJournal(command).plan
    }

    private func interruptedJournal(_ command: String) throws -> Journal {
        guard let journal = try interruptedOperation() else {
            throw ReleaseError("no interrupted release operation to \(command)", hint: "Nothing to do: release status shows the pipeline.")
        }
        return journal
    }

    /// `release continue`: completes the interrupted plan from wherever it stopped. Refused,
    /// with nothing changed, when a reference moved outside release since, when objects of the
    /// plan are gone, or when files it would write were changed by hand.
    public func continueInterrupted() throws -> Recovery {
        let journal = try interruptedJournal("continue")
        let plan = journal.plan
        let moved = try plan.moves.compactMap { move -> String? in
            let current = try repository.reference(named: move.name)?.target
            return current == move.old || current == move.new ? nil : "\(move.shortName) is at \(current?.short ?? "nothing")"
        }
        guard moved.isEmpty else {
            throw ReleaseError("cannot continue release \(plan.command): \(moved.joined(separator: ", ")), moved outside release since it was interrupted",
                               hint: Workspace.wayOut)
        }
        let wanted = plan.moves.compactMap(\.new) + (plan.treeUpdate.map { [$0.to] } ?? [])
        let missing = try Array(Set(wanted)).filter { !(try repository.contains($0)) }.sorted()
        guard missing.isEmpty else {
            throw ReleaseError("cannot continue release \(plan.command): objects it wrote are gone (\(missing.map(\.short).joined(separator: ", "))), removed by git gc perhaps",
                               hint: Workspace.wayOut)
        }
        try requireNotCheckedOutElsewhere(plan.moves.filter { try repository.reference(named: $0.name)?.target != $0.new }, journal: journal)
        let (tree, note) = try recoveryTreeStep(journal, forward: true)
        try removeLocksLeft(by: journal)
        try complete(plan, tree: tree)
        return Recovery(plan: plan, notes: note.map { [$0] } ?? [], treeFollowed: tree != nil)
    }

    /// `release abort`: puts every reference back to its recorded old id, and the working tree
    /// with them, then removes the journal. A reference that moved outside release since, or
    /// whose old commit is gone, is left as it is and reported.
    public func abortInterrupted() throws -> Recovery {
        let journal = try interruptedJournal("abort")
        let plan = journal.plan
        var notes: [String] = []
        var leftAlone: Set<String> = []
        for move in plan.moves {
            let current = try repository.reference(named: move.name)?.target
            if current == move.old { continue }
            if current != move.new {
                notes.append("\(move.shortName) moved outside release (now \(current?.short ?? "deleted")): left as it is")
                leftAlone.insert(move.name)
            } else if let old = move.old, !(try repository.contains(old)) {
                notes.append("\(move.shortName): its old commit \(old.short) is gone (git gc?): left at \(current?.short ?? "nothing")")
                leftAlone.insert(move.name)
            }
        }
        let restoring = try plan.moves.filter { try repository.reference(named: $0.name)?.target != $0.old }
        try requireNotCheckedOutElsewhere(restoring.filter { !leftAlone.contains($0.name) }, journal: journal)
        var tree: TreeStep?
        // The working tree step comes after every reference update: if the branch it follows
        // never moved, the files were never touched.
        let followed = plan.treeUpdate.flatMap { update in plan.moves.first { $0.name == update.headAfter } }
        let treeTouched = try followed.map { try repository.reference(named: $0.name)?.target != $0.old } ?? true
        if let update = plan.treeUpdate, treeTouched {
            if leftAlone.contains(update.headBefore) || leftAlone.contains(update.headAfter) {
                notes.append("the working tree was left alone: \(update.branch) did not go back")
            } else if !(try repository.contains(update.from) && repository.contains(update.to)) {
                notes.append("the working tree was left alone: the commits it would go between are gone")
            } else {
                let (step, note) = try recoveryTreeStep(journal, forward: false)
                tree = step
                if let note { notes.append(note) }
            }
        }
        try removeLocksLeft(by: journal)
        let reason = "release abort: \(plan.command)"
        // The mirror of `complete`: deleted references come back first, so HEAD can return.
        let (updates, deletions) = plan.stages
        for move in deletions.reversed() where !leftAlone.contains(move.name) {
            try self.move(move.name, from: move.new, to: move.old, reason: reason)
        }
        try tree?.run()
        for move in updates.reversed() where !leftAlone.contains(move.name) {
            try self.move(move.name, from: move.new, to: move.old, reason: reason)
        }
        try Journal.remove(repository.commonDirectory)
        return Recovery(plan: plan, notes: notes, leftAlone: leftAlone, treeFollowed: tree != nil)
    }

    /// `release abort --forget`: drops the journal and touches nothing else; returns the plan
    /// and where each of its references is now, for the user to see what they keep.
    public func forgetInterrupted() throws -> (plan: ReleasePlan, current: [String: OID?]) {
        let journal = try interruptedJournal("forget")
        var current: [String: OID?] = [:]
        for move in journal.plan.moves { current[move.name] = try repository.reference(named: move.name)?.target }
        try Journal.remove(repository.commonDirectory)
        return (journal.plan, current)
    }

    /// A worktree added since the interruption may have one of the plan's branches checked
    /// out: moving it would leave that worktree's files behind. The worktree the plan ran in
    /// is the one whose files the plan updates.
    private func requireNotCheckedOutElsewhere(_ moves: [ReleasePlan.Move], journal: Journal) throws {
        var holders = try repository.branchesCheckedOutElsewhere()
        if let branch = try repository.head().branchName { holders[Reference.branch(branch)] = root }
        for move in moves {
            guard let folder = holders[move.name], FileSystem.realPath(folder) != FileSystem.realPath(journal.worktree ?? root) else { continue }
            throw ReleaseError("\(move.shortName) is checked out in the worktree \(folder), and the interrupted release \(journal.plan.command) would move it",
                               hint: "Switch that worktree to another branch (git -C \(folder) switch --detach), then run the command again.")
        }
    }

    /// The working-tree step of a recovery, checked before anything moves. It acts only when
    /// the worktree the plan ran in still has the plan's branch checked out, and only on the
    /// paths the plan changes, each of which must hold (in the index and on disk) what the
    /// plan started from or what it leaves; anything else was changed by hand and is refused.
    private func recoveryTreeStep(_ journal: Journal, forward: Bool) throws -> (TreeStep?, String?) {
        guard let update = journal.plan.treeUpdate else { return (nil, nil) }
        var worktree = repository
        if let folder = journal.worktree, FileSystem.realPath(folder) != FileSystem.realPath(root) {
            guard let other = try? Repository.open(at: folder) else {
                return (nil, "the working tree \(folder) is gone: no files were updated")
            }
            worktree = other
        }
        let head = try worktree.head()
        guard let branch = head.branchName, [update.headBefore, update.headAfter].contains(Reference.branch(branch)) else {
            let now = head.branchName ?? "a detached commit"
            return (nil, "the working tree was left alone: HEAD is on \(now) now, not \(update.branch)")
        }
        let (from, to) = forward ? (update.from, update.to) : (update.to, update.from)
        let changed = try worktree.pathsHoldingNeither(from, nor: to)
        guard changed.isEmpty else {
            let command = forward ? "continue" : "abort"
            // Not `git stash`: while the index still holds the old commit, a stash would record
            // the release undone and bring that back when popped.
            throw ReleaseError("\(changed.prefix(5).joined(separator: ", "))\(changed.count > 5 ? " …" : "") changed since release \(journal.plan.command) was interrupted, and release \(command) would overwrite \(changed.count == 1 ? "it" : "them")",
                               hint: "Nothing was changed. Copy your versions somewhere safe, then git restore -s HEAD -SW -- <files> (move untracked ones away) and run release \(command) again.")
        }
        let wantedHead = forward ? update.headAfter : update.headBefore
        return (TreeStep(repository: worktree, head: Reference.branch(branch) == wantedHead ? nil : wantedHead,
                         from: from, to: to, recovering: true), nil)
    }

    /// A process killed inside libgit2 can leave git's own lock files behind (`index.lock`,
    /// `refs/heads/master.lock` …). Removed here: only those the interrupted plan could have
    /// made, and only if they appeared after it started and before this process took the
    /// release lock, so a git command started since is never disturbed.
    private func removeLocksLeft(by journal: Journal) throws {
        let common = repository.commonDirectory
        let worktreeGit = journal.worktree.flatMap { try? Repository.open(at: $0).gitDirectory } ?? repository.gitDirectory
        let now = clock.now()
        let candidates = [worktreeGit + "index", worktreeGit + "HEAD", common + "packed-refs"] + journal.plan.moves.map { common + $0.name }
        for name in candidates {
            let path = name + ".lock"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let modified = attributes[.modificationDate] as? Date else { continue }
            guard modified >= journal.started.addingTimeInterval(-1), modified <= now else {
                throw ReleaseError("\(path) exists and is newer than this command: a git command may be running",
                                   hint: "Wait for it to finish (or delete the file if nothing runs), then run the command again.")
            }
            unlink(path)
            FileHandle.standardError.write(Data("removed \(path), left by the interrupted release \(journal.plan.command)\n".utf8))
        }
    }
}
