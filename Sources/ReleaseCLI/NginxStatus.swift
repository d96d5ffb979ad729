import ArgumentParser
import Foundation
import GitKit
import NginxKit
import ReleaseKit

extension Release {
    struct Nginx: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the nginx state, or have nginx load the checked-out branch.",
            subcommands: [Status.self, Apply.self], defaultSubcommand: Status.self)

        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Current branch, where each target routes, backend health, processes, last switches.")

            @OptionGroup var global: GlobalOptions
            @Option(help: ArgumentHelp("The nginx configuration repository (default: nginx.repo).", valueName: "path")) var repo: String?

            func run() throws {
                let repository = try NginxSwitch.repository(at: repo.map(global.path), from: global.directory)
                let nginx = try NginxSwitch(repository: repository)
                nginx.settings.warnings.forEach { Terminal.standardError($0) }
                nginx.settings.notes.forEach { Terminal.standardError("note: \($0)") }
                let status = try nginx.status()
                if global.json {
                    try Terminal.json(status)
                } else {
                    print(NginxReport.text(status), terminator: "")
                }
            }
        }
    }
}

extension Release.Nginx {
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Have nginx load the tip of the checked-out branch (after a commit on it).",
            discussion: """
                The same checks as switch-nginx: validate, reload, confirm, roll back on failure. \
                Also settles a switch that was killed before it finished.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @Option(help: ArgumentHelp("The nginx configuration repository (default: nginx.repo).", valueName: "path")) var repo: String?

        func run() throws {
            let repository = try NginxSwitch.repository(at: repo.map(global.path), from: global.directory)
            let nginx = try NginxSwitch(repository: repository, progress: { Terminal.standardError($0) })
            nginx.settings.warnings.forEach { Terminal.standardError($0) }
            let result = try nginx.withLock("apply") { try nginx.apply(dryRun: dryRun.dryRun) }
            if global.json { try Terminal.json(result) } else { Release.SwitchNginx.report(result) }
        }
    }
}

/// The human rendering of `nginx status`, also used by `release status`.
enum NginxReport {
    static func text(_ status: NginxStatus) -> String {
        var lines = ["nginx repository  \(status.repository)  on \(status.branch ?? "(no branch)") \(status.commit?.short ?? "")\(status.clean ? "" : "  · uncommitted changes")"]
        let loaded = status.applied.map { "\($0.short) (last confirmed reload)" } ?? "unknown: no confirmed reload recorded yet"
        lines.append("nginx runs        \(status.running == false ? "nothing: nginx is not running (\(loaded))" : loaded)")
        if let interrupted = status.interrupted {
            lines.append("warning: a switch \(interrupted.from.branch) → \(interrupted.to.branch) was interrupted (pid \(interrupted.pid)); nginx may run either: run release nginx apply or switch-nginx")
        } else if let applied = status.applied, applied != status.commit {
            lines.append("warning: the checked-out commit is not what nginx runs: run release nginx apply to load it")
        }
        lines.append("targets")
        let width = status.targets.map(\.name.count).max() ?? 0
        for target in status.targets {
            let marker = target.current ? "  ← current" : ""
            let behind = target.behindAll > 0 ? "  (\(target.behindAll) commit(s) behind all)" : ""
            let routes = target.upstreams.map { "\($0.context == "stream" ? "stream " : "")\($0.name): \($0.servers.joined(separator: ", "))" }
            let shown = target.exists ? routes.joined(separator: "; ") : "(no such branch)"
            lines.append("  \(target.name.padded(width))  \(target.branch.padded(10))  \(shown)\(marker)\(behind)")
        }
        if !status.health.isEmpty {
            lines.append("health")
            for check in status.health {
                lines.append("  \(check.target.padded(width))  \(check.url)  \(check.ok ? "ok" : "down") (\(check.detail))")
            }
        }
        if let processes = status.processes {
            lines.append("processes  master \(processes.master), workers \(processes.workers.map(String.init).joined(separator: " "))")
        } else {
            lines.append("processes  none found (pid file \(status.pidFile))")
        }
        if !status.lastSwitches.isEmpty {
            lines.append("last switches")
            let formatter = ISO8601DateFormatter()
            lines += status.lastSwitches.map { record in
                let to = record.to.map { "\($0.branch) \($0.commit.short)" } ?? "-"
                let reason = record.reason.map { ": \($0)" } ?? ""
                return "  \(formatter.string(from: record.time))  \(record.operator)@\(record.host)  \(record.from.branch) \(record.from.commit.short) → \(to)  \(record.result)\(reason)"
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
