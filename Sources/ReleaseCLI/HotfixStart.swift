import ArgumentParser
import ReleaseKit

extension Release.Hotfix {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create hotfix/NAME at the last release tag and check it out.",
            discussion: "The branch is checked out when the working tree allows it; otherwise it is only created, and release says so.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @Argument(help: "The hotfix name; the branch is hotfix/NAME (release.hotfixPrefix).") var name: String
        @Option(help: ArgumentHelp("Start from this release tag instead of the last one.", valueName: "tag")) var from: String?

        func run() throws {
            var outcome: (branch: String, base: String, checkedOut: Bool)?
            try PlanCommand.run("hotfix start", global: global, dryRun: dryRun.dryRun) { workspace in
                let start = try workspace.planHotfixStart(name, from: from)
                outcome = (try workspace.hotfixBranchName(name), start.base, start.checkedOut)
                return start.plan
            }
            guard let outcome, !global.json, !dryRun.dryRun else { return }
            let branch = outcome.branch
            if outcome.checkedOut {
                print("\(branch) starts at \(outcome.base); it is checked out: commit the fix, then run release hotfix finish \(name)")
            } else {
                print("\(branch) starts at \(outcome.base); not checked out (local changes, files in the way, or a detached HEAD): check it out yourself when ready")
            }
        }
    }
}
