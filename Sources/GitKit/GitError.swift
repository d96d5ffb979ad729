import CLibGit2
import CLibGit2Offline
import Foundation

/// A failed libgit2 call: its return code and the message libgit2 left for this thread.
public struct GitError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: Equatable, Sendable {
        case notFound, exists, ambiguous, bareRepository, unbornBranch, invalidSpec
        case conflict, locked, modified, auth, nonFastForward, uncommitted, user, owner
        case other(Int32)

        init(_ raw: Int32) {
            switch git_error_code(raw) {
            case GIT_ENOTFOUND: self = .notFound
            case GIT_EEXISTS: self = .exists
            case GIT_EAMBIGUOUS: self = .ambiguous
            case GIT_EBAREREPO: self = .bareRepository
            case GIT_EUNBORNBRANCH: self = .unbornBranch
            case GIT_EINVALIDSPEC: self = .invalidSpec
            case GIT_ECONFLICT: self = .conflict
            case GIT_ELOCKED: self = .locked
            case GIT_EMODIFIED: self = .modified
            case GIT_EAUTH: self = .auth
            case GIT_ENONFASTFORWARD: self = .nonFastForward
            case GIT_EUNCOMMITTED: self = .uncommitted
            case GIT_EUSER: self = .user
            case GIT_EOWNER: self = .owner
            default: self = .other(raw)
            }
        }
    }

    public let code: Code
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Converts a libgit2 return code, reading `git_error_last()` at once: it is per thread
    /// and the next libgit2 call may replace it.
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
        guard result < 0 else { return }
        throw GitError(result: result, operation: operation())
    }

    init(result: Int32, operation: String) {
        var detail = ""
        if let last = git_error_last(), let text = last.pointee.message {
            detail = String(cString: text)
        }
        let message = detail.isEmpty ? "\(operation) failed (libgit2 error \(result))" : "\(operation): \(detail)"
        self.init(code: Code(result), message: message)
    }
}

/// libgit2 must be initialised once per process before any call; it is never shut down.
/// It never reads the system CA bundle at start-up (see CLibGit2Offline): it never connects.
/// Objects are not re-hashed on every read: like git, only `fsck` verifies stored objects,
/// and re-hashing cost more than a third of a history walk.
let libgit2: Void = {
    git_libgit2_init()
    _ = clibgit2_verify_object_hashes(0)
    _ = clibgit2_allow_worktree_config()
    // Like git, GIT_CONFIG_NOSYSTEM leaves the system configuration out.
    if let value = getenv("GIT_CONFIG_NOSYSTEM").map({ String(cString: $0).lowercased() }),
       ["1", "true", "yes", "on"].contains(value) {
        _ = clibgit2_set_system_config_search_path("/nonexistent/release-nosystem")
    }
}()

/// The certificate files libgit2 asked for and was given none of: 1 once it is initialised
/// (0 where libgit2 is built without mbedTLS).
var skippedCertificateLoads: Int { Int(clibgit2_offline_certificate_loads()) }
