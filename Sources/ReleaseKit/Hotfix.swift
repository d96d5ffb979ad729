import Foundation
import GitKit

/// An open hotfix branch, as `release hotfix list` shows it.
public struct HotfixBranch: Codable, Sendable {
    public let name: String
    public let branch: String
    public let tip: OID
    /// The release the hotfix starts from: the highest release tag it contains.
    public let base: String?
    /// Non-merge commits on the hotfix that production does not have yet.
    public let commits: Int
    /// Releases made on production since the hotfix's base.
    public let releasedSince: [String]
}

/// Urgent fixes: a branch from the last release, then one plan that merges it into
/// production, writes the ChangeLog and tag, and back-merges into develop and testing.
extension Workspace {
    public func hotfixBranchName(_ name: String) throws -> String {
        let branch = settings.hotfixPrefix + name
        guard !name.isEmpty, Repository.isValidBranchName(branch) else {
            throw ReleaseError("'\(name)' does not make a valid branch name (\(branch))",
                               hint: "Use letters, digits, '-', '_' and '/', e.g. login-timeout.")
        }
        return branch
    }

    /// Creates the hotfix branch at the last release (or `--from TAG`), checked out when the
    /// working tree allows it; `checkedOut` says whether it was.
    public func planHotfixStart(_ name: String, from tag: String?) throws -> (plan: ReleasePlan, base: String, checkedOut: Bool) {
        try requireReadyToChange()
        let branch = try hotfixBranchName(name)
        if try repository.branch(branch) != nil {
            throw ReleaseError("the branch \(branch) already exists", hint: "Finish it (release hotfix finish \(name)) or choose another name.")
        }
        let base: (tag: String, commit: OID)
        if let tag {
            guard let reference = try repository.reference(named: Reference.tag(tag)) else {
                throw ReleaseError("there is no tag '\(tag)'", hint: "release hotfix list and git tag show the tags there are.")
            }
            base = (tag, try repository.peelToCommit(reference.target))
        } else {
            guard let last = try history().lastRelease(reachableFrom: tip(of: .production)) else {
                throw ReleaseError("there is no release on \(settings.production) to start a hotfix from",
                                   hint: "Give the starting tag with --from.")
            }
            base = (last.tag.name, last.commit)
        }
        let update = try switchableTree(to: branch, at: base.commit)
        let plan = ReleasePlan(
            command: "hotfix start",
            moves: [.init(name: Reference.branch(branch), old: nil, new: base.commit, reason: "create at \(base.tag)")],
            treeUpdate: update, files: [], tag: nil, pushRefspecs: [], changelogSection: nil)
        return (plan, base.tag, update != nil)
    }

    /// Checking out a new branch at `commit` when HEAD is on a branch and nothing local
    /// would be lost or overwritten; nil otherwise (the branch is created, not checked out).
    private func switchableTree(to branch: String, at commit: OID) throws -> ReleasePlan.TreeUpdate? {
        guard repository.workingDirectory != nil, case .branch(let current, let head) = try repository.head() else { return nil }
        guard try repository.workingTreeStatus(includeUntracked: false).isClean,
              try repository.checkoutConflicts(from: head, to: commit).isEmpty else { return nil }
        return .init(headBefore: Reference.branch(current), headAfter: Reference.branch(branch), from: head, to: commit)
    }

    /// One plan: the hotfix merged into production (`--no-ff`), the ChangeLog section of its
    /// commits and the tag on top, production merged back into develop and testing (when it
    /// exists), the hotfix branch deleted. Any conflict refuses before anything moves.
    public func planHotfixFinish(_ name: String, bump: Bump = .patch, date: ReleaseDate? = nil,
                                 editor: Editor? = nil, push: Bool = false) throws -> ReleasePlan {
        try requireReadyToChange()
        if push { try requireRemoteHasNothingNew([.production, .develop, .testing], command: "hotfix finish \(name)") }
        let branch = try hotfixBranchName(name)
        guard let hotfix = try repository.branch(branch)?.target else {
            throw ReleaseError("there is no hotfix branch \(branch)", hint: "release hotfix list shows the open ones.")
        }
        let master = try tip(of: .production)
        let develop = try tip(of: .develop)
        let testing = try tipIfPresent(of: .testing)
        let command = "hotfix finish \(name)"
        let release = try nextRelease(.bump(bump), date: date, releasing: [hotfix, master])
        // Merged into production by hand after a conflict: release what production holds.
        var merged = master
        if try repository.isAncestor(hotfix, of: master) {
            if let previous = release.previousCommit, try repository.isAncestor(hotfix, of: previous) {
                throw ReleaseError("nothing to finish: \(settings.production) already contains \(branch), released in \(release.previous?.name ?? "?")",
                                   hint: "Commit the fix on \(branch) first, or delete the branch (git branch -d \(branch)).")
            }
        } else {
            merged = try mergeCommit(branch, hotfix, into: settings.production, master, command: command)
        }
        let notes = try releaseNotes(from: release.previousCommit, named: release.previous?.name, to: merged, release: release)
        let released = try releaseCommitAndTag(notes, onTopOf: merged, editor: editor)
        // A back-merge that conflicts is done by hand with the hotfix branch, which still exists
        // (production has not moved); the re-run then merges only the ChangeLog.
        let backToDevelop = try mergeCommit(settings.production, released.commit, into: settings.develop, develop,
                                            command: command, byHand: branch)
        let backToTesting = try testing.map {
            try mergeCommit(settings.production, released.commit, into: settings.testing, $0, command: command, byHand: branch)
        }

        var moves: [ReleasePlan.Move] = [
            .init(name: Reference.branch(settings.production), old: master, new: released.commit,
                  reason: merged == master ? "ChangeLog for \(release.tag)" : "merge \(branch), ChangeLog for \(release.tag)"),
            .init(name: Reference.tag(release.tag), old: nil, new: released.tag, reason: "tag \(release.tag)"),
            .init(name: Reference.branch(settings.develop), old: develop, new: backToDevelop, reason: "merge \(settings.production)"),
        ]
        if let testing, let backToTesting {
            moves.append(.init(name: Reference.branch(settings.testing), old: testing, new: backToTesting, reason: "merge \(settings.production)"))
        }
        moves.append(.init(name: Reference.branch(branch), old: hotfix, new: nil, reason: "delete, merged"))

        let refspecs = moves.filter { $0.new != nil }.map { Self.refspec($0.name) }
        return ReleasePlan(
            command: "hotfix finish", moves: moves,
            treeUpdate: try treeUpdate(after: moves, leaving: branch, for: backToDevelop),
            files: [settings.changelog.relative], tag: release.tag, pushRefspecs: push ? refspecs : [],
            changelogSection: released.section, version: release.version.description, previousTag: release.previous?.name)
    }

    /// The working tree follows whichever moved branch is checked out; on the hotfix branch
    /// itself, which goes away, HEAD moves to develop (like git-flow).
    private func treeUpdate(after moves: [ReleasePlan.Move], leaving hotfix: String, for develop: OID) throws -> ReleasePlan.TreeUpdate? {
        guard case .branch(let current, let head) = try repository.head() else { return nil }
        if current == hotfix {
            return try treeUpdate(moving: hotfix, from: head, to: develop).map {
                .init(headBefore: $0.headBefore, headAfter: Reference.branch(settings.develop), from: $0.from, to: $0.to)
            }
        }
        guard let move = moves.first(where: { $0.name == Reference.branch(current) }), let old = move.old, let new = move.new else {
            return nil
        }
        return try treeUpdate(moving: current, from: old, to: new)
    }

    /// The open hotfix branches, by name (`history` when the caller read it already).
    public func hotfixes(history known: ReleaseHistory? = nil) throws -> [HotfixBranch] {
        let history = try known ?? history()
        let master = try tip(of: .production)
        let lastOnMaster = try history.lastRelease(reachableFrom: master)
        return try repository.references(matching: "refs/heads/\(settings.hotfixPrefix)*").map { reference in
            let branch = reference.shortName
            let base = try history.lastRelease(reachableFrom: reference.target)
            let commits = try repository.log(RevisionRange(tips: [reference.target], hidden: [master]), skipMerges: true).count
            let since = try history.tags.filter { tag in
                guard let base, let last = lastOnMaster, tag.version > base.tag.version, tag.version <= last.tag.version else {
                    return false
                }
                guard let commit = try repository.peeledCommit(tag.target) else { return false }
                return try repository.isAncestor(commit, of: master)
            }
            return HotfixBranch(name: String(branch.dropFirst(settings.hotfixPrefix.count)), branch: branch, tip: reference.target,
                                base: base?.tag.name, commits: commits, releasedSince: since.map(\.name).reversed())
        }
    }
}
