import ArgumentParser
import ReleaseKit

extension Release {
    struct Finish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge master back into develop (--no-ff), closing the cycle.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @OptionGroup var gitSetup: GitSetupFlags
        @Flag(help: "Push develop to release.remote afterwards.") var push = false

        func run() throws {
            try PlanCommand.run("finish", global: global, dryRun: dryRun.dryRun, setup: gitSetup.options) { try $0.planFinish(push: push) }
        }
    }
}
