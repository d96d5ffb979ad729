import Foundation
import GitKit

/// A refusal or failure a user can act on: what was wrong, then what to do.
public struct ReleaseError: Error, LocalizedError, Equatable, Sendable {
    public let message: String
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var errorDescription: String? {
        hint.map { "\(message)\n\($0)" } ?? message
    }
}

extension ReleaseError {
    /// What to tell the user about any error the domain lets through: its own refusals as they
    /// are, libgit2's failures (a corrupt object, a permission problem) with libgit2's words.
    public static func describing(_ error: any Error) -> ReleaseError? {
        if let error = error as? ReleaseError { return error }
        if let error = error as? ActionableError { return ReleaseError(error.message, hint: error.hint) }
        // Programs that pass interrupts on (fetch, hooks, signing) run before anything moves;
        // the push, which runs after, says so itself.
        if let error = error as? Subprocess.Interrupted {
            return ReleaseError("interrupted (\(error.name)) while a program release waits for was running; nothing was changed",
                                hint: "Run the command again when you are ready.")
        }
        if let error = error as? ShallowHistoryError {
            return .shallow("its history stops at \(error.boundary.short), before the commits this needs")
        }
        if let error = error as? GitError {
            // libgit2 1.5 does not know where a shallow clone's history stops.
            if error.code == .notFound, error.message.contains("object not found") {
                return ReleaseError(error.message.clipped(300), hint: "If this is a shallow clone, fetch the history first: git fetch --unshallow --tags (or --deepen=<N>).")
            }
            return ReleaseError(error.message.clipped(300), hint: "This is libgit2's own report; check the repository with git status and git fsck.")
        }
        return nil
    }

    /// A shallow clone lacks the history needed to answer correctly.
    static func shallow(_ why: String) -> ReleaseError {
        ReleaseError("this is a shallow clone and \(why)",
                     hint: "Fetch the history and tags: git fetch --unshallow --tags (or git fetch --deepen=<N> / --shallow-since=<date> --tags).")
    }

    /// The references moved, the working tree could not follow: resumable once the cause is fixed.
    static func workingTreeFailed(_ detail: String) -> ReleaseError {
        ReleaseError("could not update the working tree: \(detail.clipped(200))",
                     hint: "References have moved; fix the cause (a file changed since the plan was made, by a hook or by hand; disk space; permissions), then run release continue, or release abort to undo.")
    }

    static func notARepository(_ path: String) -> ReleaseError {
        ReleaseError("not a git repository (or any parent up to /): \(path)",
                     hint: "Run release inside a repository, or point at one with -C <path>.")
    }

    static func bareRepository(_ path: String) -> ReleaseError {
        ReleaseError("\(path) is a bare repository, but this command needs a working tree",
                     hint: "Run it in a clone with a working tree.")
    }

    static func unbornHead(_ branch: String) -> ReleaseError {
        ReleaseError("HEAD points to '\(branch)', which has no commits yet",
                     hint: "Make a first commit, or check out a branch that has commits.")
    }

    static func missingBranch(_ name: String, role: String) -> ReleaseError {
        ReleaseError("the \(role) branch '\(name)' does not exist",
                     hint: "Create it (release init --create-branches makes develop and testing at the production tip), or set release.\(role) in .gitrelease.")
    }
}
