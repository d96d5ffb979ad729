import ArgumentParser
import DeployKit
import Foundation
import GitKit
import NginxKit
import ReleaseKit

extension Release {
    struct SwitchNginx: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "switch-nginx",
            abstract: "Route nginx traffic to a target: app1, app2 ... or all.",
            discussion: """
                Checks out the target's branch in the nginx configuration repository, validates, \
                reloads, confirms the reload took effect (new workers, no final [emerg]; with \
                nginx.probe, traffic reaching only the target), records what nginx runs, and \
                switches back on any failure or interrupt. Nothing to do only when nginx already \
                runs the branch's tip. Refused when nginx is not running, the repository has \
                uncommitted changes or untracked files, or none of the target's backends answers \
                its health URL. --drain [SECONDS] then waits (default 60 s) until nginx holds no \
                connection to the backends the switch removed.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @Argument(help: "The target: app1, app2, all, or any nginx.<target>.branch.") var target: String
        @Option(help: ArgumentHelp("The nginx configuration repository (default: nginx.repo).", valueName: "path")) var repo: String?
        @Option(name: .customLong("drain"), help: ArgumentHelp("Wait until the workers from before the switch have exited.", valueName: "seconds"))
        var drainTimeout: Double?
        @Flag(help: "Skip the pre-release-switch-nginx hook.") var noVerify = false

        static let defaultDrainTimeout = "60"

        /// `--drain` may come without a value (`--drain`, `--drain 30` and `--drain=30` all
        /// work); ArgumentParser options always take one.
        static func expandingDrain(_ arguments: [String]) -> [String] {
            var result: [String] = []
            var index = arguments.startIndex
            while index < arguments.endIndex {
                let argument = arguments[index]
                if argument == "--drain" {
                    let next = arguments.index(after: index)
                    if next < arguments.endIndex, Double(arguments[next]) != nil {
                        result.append("--drain=\(arguments[next])")
                        index = arguments.index(after: next)
                        continue
                    }
                    result.append("--drain=\(defaultDrainTimeout)")
                } else {
                    result.append(argument)
                }
                index = arguments.index(after: index)
            }
            return result
        }

        func validate() throws {
            if let drainTimeout, drainTimeout <= 0 { throw ValidationError("--drain takes a number of seconds above 0.") }
        }

        func run() throws {
            let repository = try NginxSwitch.repository(at: repo.map(global.path), from: global.directory)
            let nginx = try NginxSwitch(repository: repository, progress: { Terminal.standardError($0) })
            nginx.settings.warnings.forEach { Terminal.standardError($0) }
            nginx.settings.notes.forEach { Terminal.standardError("note: \($0)") }
            let dryRun = dryRun.dryRun
            let result = try nginx.withLock(target) {
                // A generated target (all but one instance) is first brought up to date with `all`.
                let generated = try GeneratedTargets(nginx).regenerate(nginx.settings.target(target), move: !dryRun)
                return try nginx.run(target: target, dryRun: dryRun, commit: generated) { from, to in
                    try Self.hookEvent(from: from, to: to, dryRun: dryRun).run(.pre, in: repository, verify: !noVerify)
                }
            }
            if global.json {
                try Terminal.json(result)
            } else {
                Self.report(result)
            }
            if !["dry-run", "unchanged"].contains(result.result) {
                try Self.hookEvent(from: result.from, to: result.to, dryRun: false).run(.post, in: repository)
            }
            if let drainTimeout, result.result != "dry-run" {
                try nginx.drain(result, timeout: drainTimeout)
                if !global.json {
                    let what = result.removedBackends.isEmpty ? "every worker from before the switch has exited" : "no request in flight to \(result.removedBackends.joined(separator: ", "))"
                    print("drained: \(what)")
                }
            }
        }

        static func hookEvent(from: NginxSwitchResult.State, to: NginxSwitchResult.State, dryRun: Bool) -> ReleaseHookEvent {
            ReleaseHookEvent(command: "switch-nginx", from: from.commit.hex, to: to.commit.hex, dryRun: dryRun)
        }

        static func report(_ result: NginxSwitchResult) {
            result.warnings.forEach { Terminal.standardError("warning: \($0)") }
            switch result.result {
            case "unchanged":
                print("nginx already routes to \(result.target) (\(result.to.branch) at \(result.to.commit.short)); nothing to do")
            case "dry-run":
                let loads = result.from.branch == result.to.branch ? "have nginx load \(result.to.branch) at \(result.to.commit.short) (it runs \(result.appliedBefore?.short ?? "an unknown commit"))"
                    : "check out \(result.to.branch) (\(result.from.commit.short) → \(result.to.commit.short))"
                print("dry run: nothing was changed; switch-nginx \(result.target) would \(loads), validate, reload and confirm")
            default:
                print("nginx routes to \(result.target): \(result.from.branch) → \(result.to.branch) (\(result.from.commit.short) → \(result.to.commit.short))")
                print(String(format: "  validate %.0f ms, reload and confirm %.0f ms, whole switch %.0f ms", result.validateSeconds * 1000,
                             result.reloadSeconds * 1000, result.totalSeconds * 1000))
                if !result.workersAfter.isEmpty {
                    print("  workers \(result.workersBefore.map(String.init).joined(separator: " ")) → \(result.workersAfter.map(String.init).joined(separator: " "))")
                }
            }
        }
    }
}

extension NginxSwitch {
    /// The nginx repository's own lock: one switch at a time per host.
    func withLock<T>(_ target: String, _ body: () throws -> T) throws -> T {
        let lock = try RepositoryLock.acquire(in: repository.gitDirectory, command: "switch-nginx \(target)", now: Date())
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }
}
