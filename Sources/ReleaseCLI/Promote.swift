import ArgumentParser
import ReleaseKit

extension Release {
    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge develop into testing (--no-ff).",
            discussion: """
                Refused when testing has commits develop lacks (someone committed on testing), when \
                there is nothing to promote, or when the merge conflicts; in each case nothing changes.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @OptionGroup var gitSetup: GitSetupFlags
        @Flag(help: "Push testing to release.remote afterwards.") var push = false

        func run() throws {
            try PlanCommand.run("promote", global: global, dryRun: dryRun.dryRun, setup: gitSetup.options) { try $0.planPromote(push: push) }
        }
    }
}
