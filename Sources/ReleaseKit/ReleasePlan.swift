import Foundation
import GitKit

/// Everything a mutating command will do, computed before anything moves: the objects are
/// already written, so what remains is moving references (each from a recorded old id) and,
/// when the checked-out branch moves, updating the index and working tree.
public struct ReleasePlan: Codable, Sendable {
    public struct Move: Codable, Sendable, Equatable {
        /// Full reference name.
        public let name: String
        /// nil: the reference must not exist yet.
        public let old: OID?
        /// nil: the reference is deleted.
        public let new: OID?
        /// Why, in a few words, for the summary ("merge develop", "ChangeLog and tag" …).
        public let reason: String

        public var shortName: String { Reference.shortName(name) }
    }

    /// The index and working tree of the checked-out branch following its reference.
    public struct TreeUpdate: Codable, Sendable, Equatable {
        /// What HEAD points at before, and after (differs only when its branch is deleted).
        public let headBefore: String
        public let headAfter: String
        public let from: OID
        public let to: OID

        /// The branch checked out once the update is done.
        public var branch: String { Reference.shortName(headAfter) }
    }

    /// The command, e.g. `cut`, as the lock and journal name it.
    public let command: String
    public let moves: [Move]
    public let treeUpdate: TreeUpdate?
    /// Files written into new commits, e.g. `ChangeLog.md`.
    public let files: [String]
    /// The new release tag, for cut and hotfix finish.
    public let tag: String?
    /// The branch (and tag) `--push` sends, as refspecs.
    public let pushRefspecs: [String]
    /// The rendered ChangeLog section, when the plan writes one.
    public let changelogSection: String?
    /// The new release's version and the release before it, for cut and hotfix finish.
    public var version: String? = nil
    public var previousTag: String? = nil
    /// The bump inferred from the commits (`--bump auto`), and why.
    public var bump: InferredBump? = nil
    /// Something the user should hear before the plan runs (a look-alike release tag).
    public var warning: String? = nil
}

extension ReleasePlan {
    /// The moves that create or update references, and those that delete them: the working
    /// tree step goes between the two.
    var stages: (updates: [Move], deletions: [Move]) {
        (moves.filter { $0.new != nil }, moves.filter { $0.new == nil })
    }

    /// The short names `release push` takes to send what this plan made.
    public var pushArguments: [String] {
        Workspace.pushNames(pushRefspecs)
    }
}
