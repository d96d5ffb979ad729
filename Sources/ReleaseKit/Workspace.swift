import Foundation
import GitKit

/// The three long-lived branches of the flow.
public enum FlowBranch: String, CaseIterable, Sendable, Codable {
    case develop, testing, production
}

/// The command-line choices that override the git configuration for one run.
public struct GitSetupOptions: Sendable {
    /// `--sign`/`--no-sign`; nil follows commit.gpgSign, tag.gpgSign and tag.forceSignAnnotated.
    public var sign: Bool?
    /// false with `--no-verify`: the hooks that may refuse (commit-msg, pre-push,
    /// pre-release-<command>) are skipped, as git skips its own.
    public var verify = true
    /// `--no-fetch`; nil follows release.fetch.
    public var fetch: Bool?

    public init(sign: Bool? = nil, verify: Bool = true, fetch: Bool? = nil) {
        self.sign = sign
        self.verify = verify
        self.fetch = fetch
    }
}

/// A repository opened for release work, with its settings and the clock to date releases by.
public final class Workspace {
    public let repository: Repository
    public let settings: ReleaseSettings
    public let clock: Clock
    public let environment: [String: String]
    /// A dry run: new objects stay in memory, and nothing else is written either.
    public let objectsInMemory: Bool
    /// How this run meets the user's git setup: signing, hooks, fetching first.
    public var options = GitSetupOptions()

    public init(repository: Repository, settings: ReleaseSettings, clock: Clock, environment: [String: String],
                objectsInMemory: Bool = false) {
        self.repository = repository
        self.settings = settings
        self.clock = clock
        self.environment = environment
        self.objectsInMemory = objectsInMemory
    }

    /// Opens the repository containing `path`. Refuses what no release command can work with:
    /// no repository, a bare one where a working tree is needed, an unborn HEAD.
    /// With `objectsInMemory`, objects written while planning vanish with the workspace: a
    /// dry run computes the exact plan and leaves no trace.
    public static func open(
        at path: String, needsWorkingTree: Bool = true, clock: Clock = .system,
        environment: [String: String] = ProcessInfo.processInfo.environment, objectsInMemory: Bool = false
    ) throws -> Workspace {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReleaseError("no such folder: \(path)", hint: "Check the path given to -C.")
        }
        let repository: Repository
        do {
            repository = try Repository.discover(from: path, environment: environment)
        } catch let error as GitError where error.code == .notFound || error.code == .owner {
            // libgit2 1.5 reports a repository owned by another user as not found.
            let folder = URL(fileURLWithPath: path).standardizedFileURL.path
            guard let foreign = Repository.foreignRepository(above: folder) else { throw ReleaseError.notARepository(folder) }
            guard try Repository.trustsForeignOwner(of: foreign) else { throw Repository.dubiousOwnership(foreign) }
            repository = try Repository.discover(from: path, environment: environment)
        } catch let error as GitError {
            let hint = error.message.contains("unsupported extension name")
                ? "libgit2 1.5 cannot read repositories using this git extension (SHA-256 objects, say); use release in a clone without it."
                : "Check the path, and GIT_DIR, GIT_WORK_TREE and GIT_COMMON_DIR if they are set."
            throw ReleaseError("cannot open the repository at \(path): \(error.message)", hint: hint)
        }
        if let remote = try repository.partialCloneRemote() {
            throw ReleaseError("this is a partial clone: it leaves objects on the remote '\(remote)' to fetch when needed",
                               hint: "libgit2 1.5 cannot fetch them; run release in a full clone (git clone without --filter).")
        }
        if needsWorkingTree, repository.isBare {
            throw ReleaseError.bareRepository(repository.gitDirectory)
        }
        if !repository.isBare, case .unborn(let branch) = try repository.head() {
            throw ReleaseError.unbornHead(branch)
        }
        if objectsInMemory { try repository.keepNewObjectsInMemory() }
        return Workspace(repository: repository, settings: try ReleaseSettings.load(for: repository),
                         clock: clock, environment: environment, objectsInMemory: objectsInMemory)
    }

    /// The working tree root, or the git folder of a bare repository.
    public var root: String { repository.workingDirectory ?? repository.gitDirectory }

    public func branchName(_ branch: FlowBranch) -> String {
        switch branch {
        case .develop: settings.develop
        case .testing: settings.testing
        case .production: settings.production
        }
    }

    /// The tip of a flow branch; a missing branch is an error that says how to create it.
    public func tip(of branch: FlowBranch) throws -> OID {
        guard let tip = try tipIfPresent(of: branch) else {
            throw ReleaseError.missingBranch(branchName(branch), role: branch.rawValue)
        }
        return tip
    }

    public func tipIfPresent(of branch: FlowBranch) throws -> OID? {
        try repository.branch(branchName(branch))?.target
    }

    /// The changelog file on disk (`release.changelog`), checked to stay inside the working tree.
    public func changelogFile() throws -> String {
        try confined(settings.changelog, key: "release.changelog")
    }

    /// A configured path on disk, refused when links lead it out of the working tree or into git's folders.
    func confined(_ path: TreePath, key: String) throws -> String {
        try path.resolved(root: root, gitDirectories: [repository.gitDirectory, repository.commonDirectory], key: key)
    }

    public func history() throws -> ReleaseHistory {
        try ReleaseHistory(repository: repository, formats: settings.releaseFormats, others: settings.testTagFormat.map { [$0] } ?? [])
    }
}
