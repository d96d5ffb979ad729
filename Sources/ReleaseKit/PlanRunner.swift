import Foundation
import GitKit

extension Workspace {
    /// The operation a killed or failed command left behind, if any.
    public func interruptedOperation() throws -> Journal? {
        try Journal.read(repository.gitDirectory)
    }

    /// Refuses to start anything while an interrupted operation waits.
    public func requireNoInterruptedOperation() throws {
        guard let journal = try interruptedOperation() else { return }
        throw ReleaseError("release \(journal.plan.command) was interrupted (started \(ISO8601DateFormatter().string(from: journal.started)) by pid \(journal.pid) on \(journal.host))",
                           hint: "Run release continue to complete it, or release abort to undo it.")
    }

    /// Takes the repository's lock for the length of `body`.
    public func withLock<T>(_ command: String, _ body: () throws -> T) throws -> T {
        let lock = try ReleaseLock.acquire(in: repository.gitDirectory, command: command, now: clock.now())
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }

    /// Carries out a plan: the journal first, then every reference by compare-and-swap, then the
    /// checked-out branch's index and working tree, then the journal is removed.
    public func apply(_ plan: ReleasePlan) throws {
        try Journal(plan: plan, started: clock.now(), pid: getpid(), host: ProcessInfo.processInfo.hostName)
            .write(repository.gitDirectory)
        CrashPoint.reached("journal-written", environment)
        try complete(plan, recovering: false)
    }

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

    /// `release continue`: completes the interrupted plan from wherever it stopped.
    public func continueInterrupted() throws -> ReleasePlan {
        let journal = try interruptedJournal("continue")
        try removeLocksLeft(by: journal)
        try complete(journal.plan, recovering: true)
        return journal.plan
    }

    /// `release abort`: puts every reference back to its recorded old id, and the working tree
    /// with them, then removes the journal.
    public func abortInterrupted() throws -> ReleasePlan {
        let journal = try interruptedJournal("abort")
        try removeLocksLeft(by: journal)
        let plan = journal.plan
        // The mirror of `complete`: deleted references come back first, so HEAD can return.
        let (updates, deletions) = plan.stages
        for move in deletions.reversed() {
            try self.move(move.name, from: move.new, to: move.old, reason: "release abort: \(plan.command)")
        }
        if let update = plan.treeUpdate {
            if update.headAfter != update.headBefore { try repository.setHead(update.headBefore) }
            try repository.checkout(from: update.to, to: update.from, force: true)
        }
        for move in updates.reversed() {
            try self.move(move.name, from: move.new, to: move.old, reason: "release abort: \(plan.command)")
        }
        try Journal.remove(repository.gitDirectory)
        return plan
    }

    /// A process killed inside libgit2 can leave git's own lock files behind (`index.lock`,
    /// `refs/heads/master.lock` …). Removed here: only those the interrupted plan could have
    /// made, and only if they appeared after it started and before this process took the
    /// release lock, so a git command started since is never disturbed.
    private func removeLocksLeft(by journal: Journal) throws {
        let gitDirectory = repository.gitDirectory
        let now = clock.now()
        let candidates = ["index", "HEAD", "packed-refs"] + journal.plan.moves.map(\.name)
        for name in candidates {
            let path = gitDirectory + name + ".lock"
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

    /// References are created and moved, then HEAD and the working tree follow, then
    /// references are deleted: HEAD never names a branch that does not exist.
    private func complete(_ plan: ReleasePlan, recovering: Bool) throws {
        let (updates, deletions) = plan.stages
        for (index, move) in updates.enumerated() {
            try self.move(move.name, from: move.old, to: move.new, reason: "release \(plan.command): \(move.reason)")
            CrashPoint.reached("moved-\(index + 1)", environment)
        }
        if let update = plan.treeUpdate {
            if update.headAfter != update.headBefore { try repository.setHead(update.headAfter) }
            try repository.checkout(from: update.from, to: update.to, force: recovering)
            CrashPoint.reached("tree-updated", environment)
        }
        for (index, move) in deletions.enumerated() {
            try self.move(move.name, from: move.old, to: move.new, reason: "release \(plan.command): \(move.reason)")
            CrashPoint.reached("moved-\(updates.count + index + 1)", environment)
        }
        try Journal.remove(repository.gitDirectory)
    }

    /// Moves one reference from `old` to `new` (nil: absent), by compare-and-swap. Already at
    /// `new` counts as done, so a resumed plan skips what it finished before.
    private func move(_ name: String, from old: OID?, to new: OID?, reason: String) throws {
        let current = try repository.reference(named: name)?.target
        if current == new { return }
        guard current == old else {
            throw ReleaseError("\(Reference.shortName(name)) is at \(current?.short ?? "nothing"), expected \(old?.short ?? "nothing") or \(new?.short ?? "nothing"): it moved outside release",
                               hint: "Nothing more was changed. Inspect it with release status; the journal in .git/release-journal.json records the plan.")
        }
        do {
            try repository.updateReference(name, to: new, expecting: old, message: reason)
        } catch let error as GitError {
            throw ReleaseError("could not move \(Reference.shortName(name)): \(error.message)",
                               hint: "Run release continue to retry, or release abort to undo what was done.")
        }
    }
}
