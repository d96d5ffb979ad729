import Foundation
import GitKit

/// release's own hooks, in git's hooks folder (`core.hooksPath` or `.git/hooks`):
/// `pre-release-<command>` runs once the plan is made and before anything moves, and a non-zero
/// exit refuses with nothing changed; `post-release-<command>` runs after the command succeeded,
/// and its failure is reported without undoing anything. Commands: promote, cut, finish,
/// hotfix-start, hotfix-finish, switch-nginx. Each gets RELEASE_* variables and the ChangeLog section (if
/// any) on its standard input.
public struct ReleaseHookEvent: Sendable {
    public enum Phase: String, Sendable { case pre, post }

    /// `cut`, `hotfix finish`, `switch-nginx` …
    public var command: String
    public var tag: String?
    public var version: String?
    public var previousTag: String?
    /// The commits the moved branch (or nginx's configuration) goes from and to.
    public var from: String?
    public var to: String?
    public var dryRun: Bool
    public var changelogSection: String?

    public init(command: String, tag: String? = nil, version: String? = nil, previousTag: String? = nil,
                from: String? = nil, to: String? = nil, dryRun: Bool, changelogSection: String? = nil) {
        (self.command, self.tag, self.version, self.previousTag) = (command, tag, version, previousTag)
        (self.from, self.to, self.dryRun, self.changelogSection) = (from, to, dryRun, changelogSection)
    }

    /// What a plan tells its hooks; from and to are the first branch it moves.
    public init(_ plan: ReleasePlan, dryRun: Bool) {
        let moved = plan.moves.first { $0.name.hasPrefix("refs/heads/") }
        self.init(command: plan.command, tag: plan.tag, version: plan.version, previousTag: plan.previousTag,
                  from: moved?.old?.hex, to: moved?.new?.hex, dryRun: dryRun, changelogSection: plan.changelogSection)
    }

    /// The hook's file name, e.g. `pre-release-hotfix-finish`.
    public func hookName(_ phase: Phase) -> String {
        "\(phase.rawValue)-release-\(command.replacingOccurrences(of: " ", with: "-"))"
    }

    /// Runs the hook for `phase` in `repository`'s hooks folder, if there is one. A refusing
    /// pre hook throws; a failing post hook is reported on stderr and returns normally.
    /// `verify` false (`--no-verify`) skips the pre hook.
    public func run(_ phase: Phase, in repository: Repository, verify: Bool = true,
                    environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if phase == .pre, !verify { return }
        let name = hookName(phase)
        let path: String
        switch try repository.hook(name) {
        case .none: return
        case .ignored(let ignored):
            warnIgnored(ignored)
            return
        case .found(let found): path = found
        }
        let variables = [
            "RELEASE_COMMAND": command, "RELEASE_TAG": tag ?? "", "RELEASE_VERSION": version ?? "",
            "RELEASE_PREVIOUS_TAG": previousTag ?? "", "RELEASE_FROM": from ?? "", "RELEASE_TO": to ?? "",
            "RELEASE_OPERATOR": Repository.operatorName(environment), "RELEASE_DRY_RUN": dryRun ? "1" : "0",
        ]
        let status: Int32
        do {
            status = try repository.runHook(path, input: Data((changelogSection ?? "").utf8), environment: variables)
        } catch let interrupt as Subprocess.Interrupted {
            guard phase == .post else {
                throw ReleaseError("the \(name) hook (\(path)) was interrupted (\(interrupt.name)); nothing was changed",
                                   hint: "Run the command again when you are ready, or with --no-verify to skip the hook.")
            }
            status = 128 + interrupt.signal
        }
        guard status != 0 else { return }
        if phase == .pre {
            throw ReleaseError("the \(name) hook (\(path)) refused (exit \(status)); nothing was changed",
                               hint: "Fix what it reports, or run with --no-verify to skip it.")
        }
        FileHandle.standardError.write(Data("warning: the \(name) hook (\(path)) failed (exit \(status)); release \(command) itself completed and nothing was undone\n".utf8))
    }
}
