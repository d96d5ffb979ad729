import ArgumentParser
import Foundation
import ReleaseKit

/// The root of the command tree: `release <command>`.
public struct Release: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Safe, resumable releases along develop → testing → master, and nginx switching.",
        discussion: """
            Exit status: 0 success, 1 refused or failed (with the reason and the fix), 2 usage error.
            """,
        subcommands: [
            Status.self, NextVersion.self, Init.self,
            Changelog.self, Promote.self, Cut.self, Finish.self,
            Hotfix.self, Continue.self, Abort.self, Push.self,
            SwitchNginx.self, Nginx.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    public init() {}

    /// Runs the command line and exits: 0 success, 1 refused or failed, 2 usage error.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(SwitchNginx.expandingDrain(arguments ?? Array(CommandLine.arguments.dropFirst())))
            try command.run()
            Foundation.exit(0)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            if let failure = ReleaseError.describing(error) {
                Terminal.error(failure)
                Foundation.exit(1)
            }
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if code == .validationFailure {
                Terminal.standardError(message)
                Foundation.exit(2)
            }
            Terminal.standardError("error: \(message)")
            Foundation.exit(1)
        }
    }
}
