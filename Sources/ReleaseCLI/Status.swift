import ArgumentParser
import Foundation
import GitKit
import NginxKit
import ReleaseKit

extension Release {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the pipeline at a glance.",
            discussion: """
                Each flow branch tip; the commits waiting to be promoted, released and back-merged; \
                the last release and the next tags; the working tree state. Each branch is compared \
                with its remote-tracking branch on release.remote as the last fetch left it; --fetch \
                fetches first.
                """)

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Fetch release.remote first (with your git), to compare with the remote as it is now.") var fetch = false

        func run() throws {
            let workspace = try global.workspace()
            if fetch { try workspace.fetchRemote() }
            var status = try workspace.pipelineStatus()
            let nginx = Self.nginxStatus(of: workspace, warnings: &status.warnings)
            if global.json {
                try Terminal.json(StatusResult(pipeline: status, nginx: nginx))
            } else {
                print(StatusReport(status, nginx: nginx).text, terminator: "")
            }
        }

        /// The nginx state when `nginx.repo` is set, without health checks so status stays
        /// instant; a problem reading it is a warning, not a failure.
        static func nginxStatus(of workspace: Workspace, warnings: inout [String]) -> NginxStatus? {
            guard let path = try? workspace.repository.config().string("nginx.repo") else { return nil }
            do {
                return try NginxSwitch(repository: NginxSwitch.repository(at: path, from: workspace.root)).status(history: 1, checkHealth: false)
            } catch {
                warnings.append("nginx.repo \(path): \(ReleaseError.describing(error)?.message ?? "\(error)")")
                return nil
            }
        }
    }
}

/// What `status --json` prints: the pipeline's fields, and `nginx` beside them.
struct StatusResult: Encodable {
    let pipeline: PipelineStatus
    let nginx: NginxStatus?

    private enum Keys: String, CodingKey { case nginx }

    func encode(to encoder: Encoder) throws {
        try pipeline.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(nginx, forKey: .nginx)
    }
}

/// The human rendering of `release status`.
struct StatusReport {
    let status: PipelineStatus
    let nginx: NginxStatus?

    init(_ status: PipelineStatus, nginx: NginxStatus? = nil) {
        self.status = status
        self.nginx = nginx
    }

    var text: String {
        var lines: [String] = []
        let head = status.head.branch.map { "On branch \($0)" } ?? "HEAD detached at \(status.head.commit?.short ?? "?")"
        lines.append("\(head) · \(workingTree)")
        lines.append("")
        lines.append("Flow branches")
        let width = status.branches.map(\.name.count).max() ?? 0
        for branch in status.branches {
            lines.append("  \(branch.name.padded(width))  \(branch.commit.short)  \(branch.remote.map(Self.tracking) ?? "")\(branch.subject)")
        }
        lines.append("")
        lines.append("Waiting to move")
        let flowWidth = status.pending.map { $0.from.count + $0.to.count + 3 }.max() ?? 0
        let counts = status.pending.map { $0.commits == 1 ? "1 commit" : "\($0.commits) commits" }
        // Two spaces before the arrow, however many digits the counts have.
        let countWidth = max(9, counts.map(\.count).max() ?? 0)
        for (flow, commits) in zip(status.pending, counts) {
            let line = "  \("\(flow.from) → \(flow.to)".padded(flowWidth))  \(commits)"
            lines.append(flow.commits > 0 ? "\(line.padded(flowWidth + 4 + countWidth))  → \(flow.command)" : line)
        }
        lines.append("")
        if let last = status.lastRelease {
            lines.append("Last release  \(last.tag)  (\(last.date)\(last.tagged.map { ", tagged \($0)" } ?? ""), \(last.commit.short))")
        } else {
            lines.append("Last release  none yet")
        }
        lines.append("Next release  patch \(status.next.patch)")
        lines.append("              minor \(status.next.minor)")
        lines.append("              major \(status.next.major)")
        if let inferred = status.next.inferred {
            lines.append("Next bump     \(inferred.bump.rawValue) (release.bump = auto): \(inferred.reason)")
        }
        if let tag = status.testingTag {
            lines.append("Testing runs  \(tag)")
        }
        for (index, hotfix) in status.hotfixes.enumerated() {
            lines.append("\(index == 0 ? "Hotfixes    " : "            ")  \(HotfixReport.line(hotfix))")
        }
        if let nginx {
            let routes = nginx.targets.filter(\.current).map(\.name).joined(separator: ", ")
            let processes = nginx.processes.map { "master \($0.master), \($0.workers.count) worker(s)" } ?? "not running"
            lines.append("nginx         \(nginx.branch ?? "?") → \(routes.isEmpty ? "no target" : routes) · \(processes)")
        }
        if let interrupted = status.interrupted {
            lines.append("")
            lines.append("Interrupted   release \(interrupted.command), pid \(interrupted.pid) on \(interrupted.host): run release continue or release abort")
        }
        for warning in status.warnings {
            lines.append("")
            lines.append("warning: \(warning)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Like `git branch -vv`: `[origin/master: ahead 2, behind 1] `.
    private static func tracking(_ remote: RemoteComparison) -> String {
        let counts = [(remote.ahead, "ahead"), (remote.behind, "behind")].filter { $0.0 > 0 }.map { "\($0.1) \($0.0)" }
        return "[\(remote.tracking)\(counts.isEmpty ? "" : ": " + counts.joined(separator: ", "))] "
    }

    private var workingTree: String {
        let tree = status.workingTree
        var parts: [String] = []
        if let operation = tree.gitOperation { parts.append("a git \(operation) is in progress") }
        if tree.clean {
            parts.append("working tree clean")
        } else {
            let shown = tree.changed.prefix(3).joined(separator: ", ")
            let more = tree.changed.count > 3 ? " …" : ""
            parts.append("\(tree.changed.count) changed file(s): \(shown)\(more)")
        }
        if tree.untracked > 0 { parts.append("\(tree.untracked) untracked") }
        return parts.joined(separator: " · ")
    }
}

extension String {
    func padded(_ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - count))
        return left ? padding + self : self + padding
    }
}
