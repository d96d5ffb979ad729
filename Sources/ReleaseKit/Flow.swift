import Foundation
import GitKit

/// The runbook's merges, always in the flow's direction: develop → testing (promote),
/// testing → master with ChangeLog and tag (cut), master → develop (finish). Each returns a
/// complete plan; nothing moves until the plan is applied.
extension Workspace {
    public func planPromote(push: Bool = false) throws -> ReleasePlan {
        try requireReadyToChange()
        if push { try requireRemoteHasNothingNew([.develop, .testing], command: "promote") }
        try refuseStray(on: .testing, missingFrom: .develop,
                        why: "someone committed on \(settings.testing) directly",
                        fix: "Move them to \(settings.develop) (cherry-pick them there), or merge \(settings.testing) into \(settings.develop) first.")
        let plan = try planMerge(.develop, into: .testing, command: "promote", push: push,
                                 whenDone: "Commit to \(settings.develop) first.")
        guard let format = settings.testTagFormat, let merge = plan.moves[0].new else { return plan }
        let tag = try testTag(format, on: merge)
        return ReleasePlan(
            command: plan.command, moves: plan.moves + [tag.move], treeUpdate: plan.treeUpdate, files: [], tag: nil,
            pushRefspecs: plan.pushRefspecs + (push ? [Self.refspec(tag.move.name)] : []), changelogSection: nil,
            version: tag.version.description)
    }

    /// The annotated test tag on what testing will hold: the version the next release would
    /// have, today's date, and the first free `{n}`; its message lists the commits since the
    /// last release, like a release tag's.
    private func testTag(_ format: TagFormat, on testing: OID) throws -> (move: ReleasePlan.Move, version: Version) {
        let release: NextRelease
        do {
            release = try nextRelease(releasing: [testing, tip(of: .production)])
        } catch let error as ReleaseError {
            throw ReleaseError("promote cannot name its test tag (release.testTagFormat): \(error.message)",
                               hint: "The next cut would stop there too: resolve it first (e.g. delete the stray tag), or unset release.testTagFormat.")
        }
        var count = 1
        var name: String { format.name(for: release.version, on: release.date, count: count) }
        while try repository.reference(named: Reference.tag(name)) != nil { count += 1 }
        let test = NextRelease(tag: name, version: release.version, date: release.date,
                               previous: release.previous, previousCommit: release.previousCommit)
        let notes = try releaseNotes(from: test.previousCommit, named: test.previous?.name, to: testing, release: test)
        let object = try writeTag(name, on: testing, message: templates().render(.tagMessage, notes))
        return (.init(name: Reference.tag(name), old: nil, new: object, reason: "tag what \(settings.testing) now holds"), release.version)
    }

    /// The newest test tag on `commit` (highest version, day and `{n}`), among the test tags
    /// `history` listed.
    func testTag(on commit: OID, in history: ReleaseHistory) throws -> String? {
        guard let format = settings.testTagFormat else { return nil }
        var best: (name: String, key: (Version, ReleaseDate, Int))?
        for tag in history.others {
            guard let parsed = format.parseCounted(tag.name), try repository.peeledCommit(tag.target) == commit else { continue }
            let key = (parsed.version, parsed.date ?? ReleaseDate(year: 1, month: 1, day: 1)!, parsed.count ?? 0)
            if best.map({ key > $0.key }) ?? true { best = (tag.name, key) }
        }
        return best?.name
    }

    public func planFinish(push: Bool = false) throws -> ReleasePlan {
        try requireReadyToChange()
        if push { try requireRemoteHasNothingNew([.production, .develop], command: "finish") }
        return try planMerge(.production, into: .develop, command: "finish", push: push,
                             whenDone: "The cycle is closed; release status shows what waits.")
    }

    /// One flow branch merged into another (`--no-ff`), refused when there is nothing to merge.
    private func planMerge(_ source: FlowBranch, into target: FlowBranch, command: String, push: Bool,
                           whenDone hint: String) throws -> ReleasePlan {
        let (from, into) = (branchName(source), branchName(target))
        let sourceTip = try tip(of: source)
        let targetTip = try tip(of: target)
        if try repository.isAncestor(sourceTip, of: targetTip) {
            throw ReleaseError("nothing to \(command): \(into) already contains \(from) (\(sourceTip.short))", hint: hint)
        }
        let merge = try mergeCommit(from, sourceTip, into: into, targetTip, command: command)
        return ReleasePlan(
            command: command,
            moves: [.init(name: Reference.branch(into), old: targetTip, new: merge, reason: "merge \(from)")],
            treeUpdate: try treeUpdate(moving: into, from: targetTip, to: merge),
            files: [], tag: nil, pushRefspecs: push ? [Self.refspec(Reference.branch(into))] : [],
            changelogSection: nil)
    }

    /// testing into master (unless master already holds it, e.g. merged by hand after a
    /// conflict), the ChangeLog section committed on top, and the annotated tag on that commit.
    public func planCut(_ choice: VersionChoice?, date: ReleaseDate? = nil, editor: Editor? = nil, push: Bool = false) throws -> ReleasePlan {
        try requireReadyToChange()
        if push { try requireRemoteHasNothingNew([.testing, .production], command: "cut") }
        let testing = try tip(of: .testing)
        let master = try tip(of: .production)
        try refuseStray(on: .production, missingFrom: .testing,
                        why: "a hotfix or release not yet back-merged",
                        fix: "Run release finish and release promote so \(settings.testing) has them (or merge \(settings.production) into \(settings.testing)).")
        let release = try nextRelease(choice, date: date)
        var head = master
        if !(try repository.isAncestor(testing, of: master)) {
            head = try mergeCommit(settings.testing, testing, into: settings.production, master, command: "cut")
        }
        let notes = try releaseNotes(from: release.previousCommit, named: release.previous?.name, to: head, release: release)
        guard !notes.entries.isEmpty else {
            throw ReleaseError("nothing to release: no commits on \(settings.production) since \(release.previous?.name ?? "the beginning")",
                               hint: "Promote work to \(settings.testing) first (release promote).")
        }
        let plan = try releaseCommitAndTag(notes, onTopOf: head, editor: editor)
        return ReleasePlan(
            command: "cut",
            moves: [
                .init(name: Reference.branch(settings.production), old: master, new: plan.commit,
                      reason: head == master ? "ChangeLog for \(release.tag)" : "merge \(settings.testing), ChangeLog for \(release.tag)"),
                .init(name: Reference.tag(release.tag), old: nil, new: plan.tag, reason: "tag \(release.tag)"),
            ],
            treeUpdate: try treeUpdate(moving: settings.production, from: master, to: plan.commit),
            files: [settings.changelog.relative], tag: release.tag,
            pushRefspecs: push ? [Self.refspec(Reference.branch(settings.production)), Self.refspec(Reference.tag(release.tag))] : [],
            changelogSection: plan.section, version: release.version.description, previousTag: release.previous?.name,
            bump: release.inferred, warning: release.warning)
    }

    /// The ChangeLog commit on top of `head` and the annotated tag object pointing at it.
    func releaseCommitAndTag(_ notes: ReleaseNotes, onTopOf head: OID, editor: Editor?)
        throws -> (commit: OID, tag: OID, section: String) {
        let templates = try templates()
        var section = try changelogSection(notes, templates: templates)
        var tagNotes = notes
        if let editor {
            let draft = section.text
            section = try curated(section, editor: editor)
            // The tag lists what the curated section lists.
            if section.text != draft { tagNotes = notes.curated(by: section.text) }
        }
        let file = try changelogPath(in: head)
        let existing = try repository.fileContents(at: file, in: head).map { Data($0) }
        let updated = try changelog(existing, adding: section)
        let blob = try repository.writeBlob(Array(updated))
        let tree = try repository.tree(of: head, replacing: file, with: blob)
        let commit = try writeCommit(tree: tree, parents: [head], message: "ChangeLog for \(notes.tag)\n")
        let tag = try writeTag(notes.tag, on: commit, message: templates.render(.tagMessage, tagNotes))
        return (commit, tag, section.text)
    }

    /// Where the changelog is in a commit's tree: `release.changelog`, with symbolic links in
    /// the tree followed as the working tree would follow them, but only while they stay inside
    /// it and out of `.git`.
    func changelogPath(in commit: OID) throws -> String {
        let key = "release.changelog"
        var pending = settings.changelog.relative.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var links = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            let path = (resolved + [part]).joined(separator: "/")
            switch try repository.entryKind(at: path, in: commit) {
            case .symlink?:
                links += 1
                let target = String(decoding: try repository.fileContents(at: path, in: commit) ?? [], as: UTF8.self)
                guard links <= 16, !target.hasPrefix("/") else {
                    throw ReleaseError("\(key) goes through the link \(path) in \(commit.short), which \(links > 16 ? "leads round in a loop" : "leads outside the tree")",
                                       hint: "release only writes files inside the tree: point \(key) at the file itself.")
                }
                let followed = try TreePath((resolved + [target] + pending).joined(separator: "/"), key: "\(key) (through the link \(path))", root: nil)
                pending = followed.relative.split(separator: "/").map(String.init)
                resolved = []
            case let kind? where kind == .submodule || (kind == .directory && pending.isEmpty):
                throw ReleaseError("\(path) is a \(kind == .directory ? "folder" : "submodule") in \(commit.short), not a file release can add a section to",
                                   hint: "Point \(key) at a regular file, such as ChangeLog.md.")
            case let kind? where [.file, .executable].contains(kind) && !pending.isEmpty:
                throw ReleaseError("\(key) = \(settings.changelog) goes through the file \(path) in \(commit.short)",
                                   hint: "Point \(key) at a file inside a folder, such as docs/ChangeLog.md.")
            default:
                resolved.append(part)
            }
        }
        return resolved.joined(separator: "/")
    }

    /// `--no-ff`: always a new merge commit, with git's message; conflicts refuse with paths
    /// and the branch to merge by hand (`byHand`, when `source` has not moved yet).
    func mergeCommit(_ source: String, _ sourceTip: OID, into target: String, _ targetTip: OID, command: String,
                     byHand: String? = nil) throws -> OID {
        let result: MergeResult
        do {
            result = try repository.merge(ours: targetTip, theirs: sourceTip)
        } catch let error as GitError where error.code == .notFound && repository.isShallow {
            // libgit2 1.5 looks for the merge base beyond a shallow clone's cut.
            throw ReleaseError.shallow("the merge base of \(source) and \(target) is not in the history it has")
        }
        switch result {
        case .conflicts(let paths):
            throw ReleaseError("merging \(source) into \(target) conflicts in \(paths.joined(separator: ", ")); nothing was changed",
                               hint: "Merge by hand: git checkout \(target) && git merge --no-ff \(byHand ?? source), resolve and commit; then run release \(command) again.")
        case .merged(let tree):
            // Like git's fmt-merge-msg: no "into" for the main branch.
            let into = ["master", "main"].contains(target) ? "" : " into \(target)"
            return try writeCommit(tree: tree, parents: [targetTip, sourceTip], message: "Merge branch '\(source)'\(into)\n")
        }
    }

    /// When `branch` is checked out, its index and working tree must follow it: refused when
    /// tracked files have changes or untracked files are in the way. Other branches move
    /// without touching the working tree.
    func treeUpdate(moving branch: String, from old: OID, to new: OID) throws -> ReleasePlan.TreeUpdate? {
        guard repository.workingDirectory != nil, try repository.head().branchName == branch else { return nil }
        let status = try repository.workingTreeStatus(includeUntracked: false, refreshIndex: !objectsInMemory)
        if !status.isClean {
            let shown = status.changed.prefix(5).joined(separator: ", ") + (status.changed.count > 5 ? " …" : "")
            throw ReleaseError("the working tree has uncommitted changes (\(shown)) and \(branch), which is checked out, would move",
                               hint: "Commit or stash them (git stash), or check out another branch, then run the command again.")
        }
        let blocking: [String]
        do {
            blocking = try repository.checkoutConflicts(from: old, to: new)
        } catch let error as ActionableError {
            throw ReleaseError("the working tree cannot follow \(branch): \(error.message.clipped(200))",
                               hint: "Nothing was changed. Bring those files back to what \(branch) has (git status; also files marked skip-worktree or assume-unchanged), then run the command again.")
        }
        if !blocking.isEmpty {
            throw ReleaseError("files in the working tree would be overwritten when \(branch) moves: \(blocking.prefix(5).joined(separator: ", "))\(blocking.count > 5 ? " …" : "")",
                               hint: "Move them away or commit them, then run the command again.")
        }
        return .init(headBefore: Reference.branch(branch), headAfter: Reference.branch(branch), from: old, to: new)
    }

    /// Refuses when `branch` has non-merge commits that `other` lacks, naming them.
    func refuseStray(on branch: FlowBranch, missingFrom other: FlowBranch, why: String, fix: String) throws {
        let (tip, otherTip) = (try tip(of: branch), try tip(of: other))
        // Usually the branch is already in the other's history: one ancestry question, no listing.
        if try repository.isAncestor(tip, of: otherTip) { return }
        let stray = try repository.log(RevisionRange(tips: [tip], hidden: [otherTip]), skipMerges: true)
        guard !stray.isEmpty else { return }
        let shown = stray.prefix(3).map { "\($0.id.short) \($0.subject)" }.joined(separator: "; ")
        throw ReleaseError("\(branchName(branch)) has \(stray.count) commit(s) that \(branchName(other)) lacks (\(why)): \(shown)\(stray.count > 3 ? "; …" : "")",
                           hint: fix)
    }

    /// Everything that must hold before any mutating command plans: no interrupted release
    /// operation, no unfinished git merge or rebase.
    func requireReadyToChange() throws {
        try requireNoInterruptedOperation()
        if let operation = repository.pendingGitOperation {
            throw ReleaseError("a git \(operation) is in progress in this repository",
                               hint: "Finish it (git commit) or abandon it (git \(operation) --abort) first.")
        }
    }

    static func refspec(_ reference: String) -> String { "\(reference):\(reference)" }
}
