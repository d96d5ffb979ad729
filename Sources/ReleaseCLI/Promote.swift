import ArgumentParser
import DeployKit
import GitKit
import NginxKit
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
        @Flag(help: "Then run deploy.publishTest ({tag}: the release testing would become, {commit}: testing's tip).")
        var publish = false

        func run() throws {
            // Checked before anything moves: a promote must not stop half-way for want of it.
            let command = try publish ? Self.publishTest(in: global.workspace(needsWorkingTree: false).repository) : nil
            try PlanCommand.run("promote", global: global, dryRun: dryRun.dryRun, setup: gitSetup.options) { try $0.planPromote(push: push) }
            guard let command, !dryRun.dryRun else { return }
            let workspace = try global.workspace()
            let filled = command.filling(["tag": try workspace.nextRelease().tag, "commit": try workspace.tip(of: .testing).hex])
            Terminal.standardError("publishing testing for the test environment: \(filled)")
            let status = try filled.runShowingOutput(timeout: DeploySettings(repository: workspace.repository).publishTimeout)
            guard status == 0 else {
                throw ActionableError("testing was promoted, but deploy.publishTest exited with status \(status)",
                                      hint: "Run it again by hand once fixed: \(filled)")
            }
        }

        /// `deploy.publishTest` from host configuration (never from a committed file), checked.
        static func publishTest(in repository: Repository) throws -> ConfiguredCommand {
            guard let text = try repository.config().string("deploy.publishTest") else {
                throw ActionableError("--publish runs deploy.publishTest, which is not set",
                                      hint: "Set the command that deploys testing to the test environment, e.g. git config deploy.publishTest './publish-test.sh {tag} {commit}'.")
            }
            let command = try ConfiguredCommand(parsing: text, key: "deploy.publishTest")
            try DeploySettings.check(command, key: "deploy.publishTest", allowed: ["tag", "commit"])
            guard Subprocess.locate(command.words[0]) != nil else {
                throw ActionableError("deploy.publishTest runs \(command.words[0]), which is not an executable program",
                                      hint: "Give the program's full path; it runs without a shell.")
            }
            return command
        }
    }
}
