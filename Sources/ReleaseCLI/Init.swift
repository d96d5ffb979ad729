import ArgumentParser
import ReleaseKit

extension Release {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write .gitrelease with the defaults, and optionally create develop and testing.",
            discussion: """
                An existing .gitrelease is never overwritten. With --create-branches, develop and testing \
                are created at the production branch tip when they are missing.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption

        @Flag(help: "Create the missing develop and testing branches at the production branch tip.")
        var createBranches = false

        func run() throws {
            let workspace = try global.workspace()
            let plan = try workspace.withLock("init") {
                let plan = try workspace.initPlan(createBranches: createBranches)
                if !dryRun.dryRun { try workspace.apply(plan) }
                return plan
            }
            if global.json {
                try Terminal.json(plan)
                return
            }
            let verb = dryRun.dryRun ? "would " : ""
            if let file = plan.settingsFile {
                print("\(verb)write \(file) (commit it so the team shares it)")
            }
            if let existing = plan.existingSettingsFile {
                print("kept \(existing) as it is")
            }
            for branch in plan.branches {
                print("\(verb)create branch \(branch.name) at \(branch.at.short)")
            }
        }
    }
}
