import ArgumentParser
import ReleaseKit

extension Release {
    struct Cut: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge testing into master, commit the ChangeLog section, tag the release.",
            discussion: """
                Merges testing into master (--no-ff), commits the new ChangeLog section on master and \
                makes the annotated tag on that commit, its message rendered from the tag-message \
                template. Refused when master has commits testing lacks, when there is nothing to \
                release, for a tag that exists or a version that does not go forward; nothing changes then.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @OptionGroup var gitSetup: GitSetupFlags
        @OptionGroup var version: VersionOptions
        @Flag(help: "Open $VISUAL or $EDITOR on the ChangeLog section before it is committed.") var edit = false
        @Flag(help: "Push master and the new tag (only that tag) to release.remote afterwards.") var push = false

        func run() throws {
            try PlanCommand.run("cut", global: global, dryRun: dryRun.dryRun, setup: gitSetup.options) { workspace in
                let plan = try workspace.planCut(version.choice, date: version.releaseDate,
                                                 editor: edit ? Editor(environment: workspace.environment) : nil, push: push)
                if let warning = plan.warning { Terminal.standardError("warning: \(warning)") }
                return plan
            }
        }
    }
}
