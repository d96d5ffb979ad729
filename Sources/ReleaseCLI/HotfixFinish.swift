import ArgumentParser
import ReleaseKit

extension Release.Hotfix {
    struct Finish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a hotfix: merge into master, ChangeLog and tag, back-merge into develop and testing.",
            discussion: """
                All of it is one plan: a conflict in any of the merges is reported with its paths before \
                anything moves, and a kill at any point is completed by release continue or undone by \
                release abort. The hotfix branch is deleted.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @OptionGroup var gitSetup: GitSetupFlags
        @Argument(help: "The hotfix name (the branch is hotfix/NAME).") var name: String
        @Option(help: "patch (default) or minor.") var bump: Bump = .patch
        @OptionGroup var date: DateOption
        @Flag(help: "Open $VISUAL or $EDITOR on the ChangeLog section before it is committed.") var edit = false
        @Flag(help: "Push master, the new tag, develop and testing to release.remote afterwards.") var push = false

        func validate() throws {
            if bump == .major { throw ValidationError("A hotfix is a patch or minor release: use --bump patch or --bump minor.") }
        }

        func run() throws {
            try PlanCommand.run("hotfix finish", global: global, dryRun: dryRun.dryRun, setup: gitSetup.options) { workspace in
                try workspace.planHotfixFinish(name, bump: bump, date: date.releaseDate,
                                               editor: edit ? Editor(environment: workspace.environment) : nil, push: push)
            }
        }
    }
}
