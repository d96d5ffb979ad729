import Foundation
import GitKit

/// The pipeline at a glance: where each flow branch is, what waits to move, the last release and
/// the next ones, and anything unfinished.
public struct PipelineStatus: Codable, Sendable {
    public struct BranchTip: Codable, Sendable {
        public let role: FlowBranch
        public let name: String
        public let commit: OID
        public let subject: String
        /// Against its remote-tracking branch, as the last fetch left it.
        public let remote: RemoteComparison?
    }

    /// Commits on `from` that `to` does not have yet (`git rev-list --count to..from`).
    public struct Pending: Codable, Sendable {
        public let from: String
        public let to: String
        public let commits: Int
        /// The command that moves them.
        public let command: String
    }

    public struct LastRelease: Codable, Sendable {
        public let tag: String
        public let version: Version
        public let commit: OID
        /// The release's date, `YYYY-MM-DD`: the one its name spells, else the day it was tagged.
        public let date: String
        /// The day the tag was made (tagger date; commit date for a lightweight tag), when it
        /// is not the date the name spells.
        public let tagged: String?
    }

    public struct NextTags: Codable, Sendable {
        public let patch: String
        public let minor: String
        public let major: String
        /// With release.bump = auto: the bump the waiting commits call for, and why.
        public let inferred: InferredBump?
    }

    public struct HeadState: Codable, Sendable {
        public let branch: String?
        public let commit: OID?
        public let detached: Bool
    }

    public struct WorkingTree: Codable, Sendable {
        public let clean: Bool
        public let changed: [String]
        public let untracked: Int
        /// A merge, rebase … that plain git left unfinished.
        public let gitOperation: String?
    }

    /// A release command that was interrupted and waits for `continue` or `abort`.
    public struct Interrupted: Codable, Sendable {
        public let command: String
        public let started: Date
        public let pid: Int32
        public let host: String
    }

    public let repository: String
    public let head: HeadState
    public let workingTree: WorkingTree
    public let branches: [BranchTip]
    public let pending: [Pending]
    public let lastRelease: LastRelease?
    public let next: NextTags
    /// With release.testTagFormat: the test tag on what testing holds.
    public let testingTag: String?
    public let hotfixes: [HotfixBranch]
    public let interrupted: Interrupted?
    public var warnings: [String]
}

extension Workspace {
    public func pipelineStatus() throws -> PipelineStatus {
        let tips = try FlowBranch.allCases.map { role in (role, try tip(of: role)) }
        let tipOf = Dictionary(uniqueKeysWithValues: tips)
        let branches = try tips.map { role, commit in
            PipelineStatus.BranchTip(role: role, name: branchName(role), commit: commit,
                                     subject: try repository.commit(commit).subject, remote: try remoteComparison(role))
        }
        func pending(_ from: FlowBranch, _ to: FlowBranch, _ command: String) throws -> PipelineStatus.Pending {
            let count = try repository.count(RevisionRange(tips: [tipOf[from]!], hidden: [tipOf[to]!]))
            return .init(from: branchName(from), to: branchName(to), commits: count, command: command)
        }
        let flows = [
            try pending(.develop, .testing, "release promote"),
            try pending(.testing, .production, "release cut"),
            try pending(.production, .develop, "release finish"),
        ]

        let history = try history()
        let last = try history.lastRelease(reachableFrom: tipOf[.production]!)
        let lastRelease = try last.map { tag, commit in
            let tagged = try taggingDay(of: tag, commit: commit)
            let named = settings.releaseVersion(of: tag.name)?.date
            return PipelineStatus.LastRelease(tag: tag.name, version: tag.version, commit: commit,
                                              date: (named ?? tagged).description, tagged: named.map { $0 == tagged } == false ? tagged.description : nil)
        }
        let base = last?.tag.version
        let today = clock.today
        func nextTag(_ bump: Bump) -> String {
            settings.tagFormat.name(for: base?.bumped(bump) ?? settings.initialVersion, on: today)
        }

        var inferred: InferredBump?
        // The first release is release.initialVersion: nothing to infer.
        if settings.bump == .inferred, let last {
            inferred = try inferBump(releasing: [tipOf[.testing]!, tipOf[.production]!], since: last.commit)
        }

        let head = try repository.head()
        let tree = try repository.workingTreeStatus()
        var warnings: [String] = []
        if let warning = try unreadReleaseTagsWarning(history) { warnings.append(warning) }
        if flows[2].commits > 0 {
            warnings.append("\(settings.production) has \(flows[2].commits) commit(s) that \(settings.develop) lacks: run release finish to back-merge them.")
        }
        if case .detached(let id) = head {
            warnings.append("HEAD is detached at \(id.short); release commands work on the flow branches by name.")
        }
        return PipelineStatus(
            repository: root,
            head: .init(branch: head.branchName, commit: head.commit, detached: head.branchName == nil),
            workingTree: .init(clean: tree.isClean, changed: tree.changed, untracked: tree.untracked.count,
                               gitOperation: repository.pendingGitOperation),
            branches: branches,
            pending: flows,
            lastRelease: lastRelease,
            next: .init(patch: nextTag(.patch), minor: nextTag(.minor), major: nextTag(.major), inferred: inferred),
            testingTag: try testTag(on: tipOf[.testing]!, in: history),
            hotfixes: try hotfixes(history: history),
            interrupted: try interruptedOperation().map {
                .init(command: $0.plan.command, started: $0.started, pid: $0.pid, host: $0.host)
            },
            warnings: warnings)
    }

    /// The day a release was tagged, in the tagger's own time zone (as `git log` shows dates).
    private func taggingDay(of tag: ReleaseTag, commit: OID) throws -> ReleaseDate {
        let signature = try repository.tagObject(tag.target)?.tagger ?? repository.commit(commit).committer
        return Clock.fixed(Date(timeIntervalSince1970: TimeInterval(signature.time)), offset: Int(signature.offsetMinutes) * 60).today
    }
}
