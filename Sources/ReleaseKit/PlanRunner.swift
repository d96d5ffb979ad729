import Foundation
import GitKit

extension Workspace {
    /// The operation a killed or failed command left behind, if any, in any worktree of the
    /// repository: the journal lives in the common git folder.
    public func interruptedOperation() throws -> Journal? {
        try Journal.read(repository.commonDirectory)
    }

    /// Refuses to start anything while an interrupted operation waits.
    public func requireNoInterruptedOperation() throws {
        guard let journal = try interruptedOperation() else { return }
        let place = journal.worktree.map { " in \($0)" } ?? ""
        throw ReleaseError("release \(journal.plan.command) was interrupted\(place) (started \(ISO8601DateFormatter().string(from: journal.started)) by pid \(journal.pid) on \(journal.host))",
                           hint: "Run release continue to complete it, or release abort to undo it.")
    }

    /// Takes the repository's lock for the length of `body`; one lock for every worktree.
    public func withLock<T>(_ command: String, _ body: () throws -> T) throws -> T {
        let lock = try RepositoryLock.acquire(in: repository.commonDirectory, command: command, now: clock.now())
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }

    /// Refuses a plan that would move a branch another worktree has checked out: that
    /// worktree's index and files would silently stop matching its branch (git refuses too).
    public func requireApplicable(_ plan: ReleasePlan) throws {
        // HEAD must still be where planning saw it (an editor run meanwhile may have switched).
        let head = try repository.head().branchName.map(Reference.branch)
        let expected = plan.treeUpdate?.headBefore
        if head != expected, expected != nil || plan.moves.contains(where: { $0.name == head }) {
            throw ReleaseError("HEAD moved to \(head.map(Reference.shortName) ?? "a detached commit") while release \(plan.command) was planning; nothing was changed",
                               hint: "Check out the branch you want, then run the command again.")
        }
        // git stores references as files: a new one cannot sit where another one is a folder
        // (v1.0.1 beside v1.0.1/rc1), nor inside one (hotfix/x beside a branch named hotfix).
        for move in plan.moves where move.old == nil && move.new != nil {
            let parts = move.name.split(separator: "/")
            let enclosing = (3..<max(3, parts.count)).map { parts[..<$0].joined(separator: "/") }
            let clash = try enclosing.first { try repository.reference(named: $0) != nil }
                ?? repository.references(matching: move.name + "/*").first?.name
            if let clash {
                throw ReleaseError("\(move.shortName) cannot be created: \(Reference.shortName(clash)) exists and git keeps references as files, so one cannot sit inside the other's name; nothing was changed",
                                   hint: "Rename or delete \(Reference.shortName(clash)) (git tag -d / git branch -m), or change the name format, then run the command again.")
            }
        }
        let elsewhere = try repository.branchesCheckedOutElsewhere()
        for move in plan.moves {
            guard let folder = elsewhere[move.name] else { continue }
            throw ReleaseError("\(move.shortName) is checked out in the worktree \(folder), and release \(plan.command) would move it",
                               hint: "Switch that worktree to another branch (git -C \(folder) switch --detach), then run the command again.")
        }
    }

    /// Carries out a plan: the journal first, then every reference by compare-and-swap, then the
    /// checked-out branch's index and working tree, then the journal is removed.
    public func apply(_ plan: ReleasePlan) throws {
        try requireApplicable(plan)
        try Journal(plan: plan, started: clock.now(), pid: getpid(), host: ProcessInfo.processInfo.hostName,
                    worktree: repository.workingDirectory)
            .write(repository.commonDirectory)
        CrashPoint.reached("journal-written", environment)
        let tree = plan.treeUpdate.map {
            TreeStep(repository: repository, head: $0.headAfter == $0.headBefore ? nil : $0.headAfter, from: $0.from, to: $0.to, recovering: false)
        }
        try complete(plan, tree: tree)
    }

    /// References are created and moved, then HEAD and the working tree follow, then
    /// references are deleted: HEAD never names a branch that does not exist.
    func complete(_ plan: ReleasePlan, tree: TreeStep?) throws {
        let (updates, deletions) = plan.stages
        for (index, move) in updates.enumerated() {
            try self.move(move.name, from: move.old, to: move.new, reason: "release \(plan.command): \(move.reason)")
            CrashPoint.reached("moved-\(index + 1)", environment)
        }
        if let tree {
            try tree.run()
            CrashPoint.reached("tree-updated", environment)
        }
        for (index, move) in deletions.enumerated() {
            try self.move(move.name, from: move.old, to: move.new, reason: "release \(plan.command): \(move.reason)")
            CrashPoint.reached("moved-\(updates.count + index + 1)", environment)
        }
        try Journal.remove(repository.commonDirectory)
    }

    /// Moves one reference from `old` to `new` (nil: absent), by compare-and-swap. Already at
    /// `new` counts as done, so a resumed plan skips what it finished before.
    func move(_ name: String, from old: OID?, to new: OID?, reason: String) throws {
        let current = try repository.reference(named: name)?.target
        if current == new { return }
        guard current == old else {
            throw ReleaseError("\(Reference.shortName(name)) is at \(current?.short ?? "nothing"), expected \(old?.short ?? "nothing") or \(new?.short ?? "nothing"): it moved outside release",
                               hint: Workspace.wayOut)
        }
        do {
            try repository.updateReference(name, to: new, expecting: old, message: reason)
        } catch let error as GitError {
            throw ReleaseError("could not move \(Reference.shortName(name)): \(error.message)",
                               hint: "Run release continue to retry, or release abort to undo what was done.")
        }
    }

    static let wayOut = "release abort puts back what it can and reports the rest; release abort --forget drops the interrupted operation and leaves every reference as it is."
}

/// The index and working tree of one worktree following its branch from one commit to another.
/// A first run uses libgit2's safe checkout (nothing changed since planning may be
/// overwritten); a recovery forces only the paths it has checked hold what the plan left or
/// started from.
struct TreeStep {
    let repository: Repository
    /// The branch HEAD must name first (full reference name), when it changes.
    let head: String?
    let from: OID
    let to: OID
    let recovering: Bool

    func run() throws {
        if let head { try repository.setHead(head) }
        do {
            try repository.checkout(from: from, to: to, force: recovering)
        } catch let error as GitError {
            throw ReleaseError.workingTreeFailed(error.message)
        } catch let error as ActionableError {
            throw ReleaseError.workingTreeFailed(error.message)
        }
    }
}
