import ArgumentParser
import Foundation
import ReleaseKit

/// How every mutating command runs: plan under the repository lock, then the
/// pre-release-<command> hook; with `--dry-run` print the plan and stop (its objects were kept
/// in memory); otherwise apply it, report what moved, push when asked, and run the
/// post-release-<command> hook.
enum PlanCommand {
    static func run(_ command: String, global: GlobalOptions, dryRun: Bool, setup: GitSetupOptions = GitSetupOptions(),
                    plan make: (Workspace) throws -> ReleasePlan) throws {
        let workspace = try global.workspace(objectsInMemory: dryRun)
        workspace.options = setup
        if dryRun {
            let plan = try make(workspace)
            try workspace.requireApplicable(plan)
            try ReleaseHookEvent(plan, dryRun: true).run(.pre, in: workspace.repository, verify: setup.verify)
            try report(plan, workspace: workspace, applied: false, pushedTo: nil, json: global.json)
            return
        }
        try workspace.withLock(command) {
            let plan = try make(workspace)
            try workspace.requireApplicable(plan)
            try ReleaseHookEvent(plan, dryRun: false).run(.pre, in: workspace.repository, verify: setup.verify)
            try workspace.apply(plan)
            try finish(plan, workspace: workspace, json: global.json)
        }
    }

    /// Reports an applied plan, pushes what it asked to push, then runs its post-release hook.
    static func finish(_ plan: ReleasePlan, workspace: Workspace, json: Bool, treeFollowed: Bool = true) throws {
        var url: String?
        do {
            if !plan.pushRefspecs.isEmpty { url = try workspace.push(plan.pushRefspecs) }
        } catch {
            // With --json the error is the one document printed; it says the local work is complete.
            if !json { try report(plan, workspace: workspace, applied: true, pushedTo: nil, json: json, treeFollowed: treeFollowed) }
            throw error
        }
        try report(plan, workspace: workspace, applied: true, pushedTo: url, json: json, treeFollowed: treeFollowed)
        try ReleaseHookEvent(plan, dryRun: false).run(.post, in: workspace.repository)
    }

    static func report(_ plan: ReleasePlan, workspace: Workspace, applied: Bool, pushedTo url: String?, json: Bool,
                       treeFollowed: Bool = true) throws {
        if json {
            try Terminal.json(PlanResult(plan: plan, applied: applied, pushedTo: url))
            return
        }
        if !applied { print("dry run: nothing was changed; release \(plan.command) would:") }
        if let bump = plan.bump { print("  version \(plan.version ?? "?"): bump \(bump) (inferred from the commits)") }
        let width = plan.moves.map(\.shortName.count).max() ?? 0
        for move in plan.moves {
            let old = move.old?.short ?? "(new)"
            let new = move.new?.short ?? "(deleted)"
            print("  \(move.shortName.padded(width))  \(old) → \(new)  \(move.reason)")
        }
        if let update = plan.treeUpdate, treeFollowed {
            print("  working tree: \(update.branch) checked out at \(update.to.short)")
        }
        if !applied, let section = plan.changelogSection {
            print("  \(plan.files.joined(separator: ", ")) gets this section:")
            print(section.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        }
        if let url {
            print("pushed \(plan.pushArguments.joined(separator: " ")) to \(workspace.settings.remote) (\(url))")
        }
    }
}

/// What mutating commands print with `--json`.
struct PlanResult: Encodable {
    let plan: ReleasePlan
    let applied: Bool
    let pushedTo: String?
}
