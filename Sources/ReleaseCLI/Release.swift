import ArgumentParser
import Foundation
import ReleaseKit

/// The root of the command tree: `release <command>`.
public struct Release: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Safe, resumable releases from develop to testing to master, and nginx switching.",
        discussion: """
            Exit status: 0 success, 1 refused or failed (with the reason and the fix), 2 usage error. \
            release --version prints the version: the release tag it was built from, with the \
            commits since, or the commit.
            """,
        subcommands: [
            Status.self, NextVersion.self, Init.self,
            Changelog.self, Promote.self, Cut.self, Finish.self,
            Hotfix.self, Continue.self, Abort.self, Push.self,
            SwitchNginx.self, Nginx.self, Deploy.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    public init() {}

    /// Runs the command line and exits: 0 success, 1 refused or failed, 2 usage error.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        // Only without a command (cut, changelog and next-version have their own --version X.Y.Z),
        // after any global options.
        var rest = arguments[...]
        while let first = rest.first, first == "--json" || first == "-C" {
            rest = rest.dropFirst(first == "-C" ? 2 : 1)
        }
        if rest == ["--version"] {
            print(buildVersion)
            Foundation.exit(0)
        }
        // With --json, a failure is also a JSON object on stdout, so CI can read why.
        let json = arguments.contains("--json")
        func fail(_ message: String, hint: String?, code: Int32) -> Never {
            if json { try? Terminal.json(FailureResult(error: message, hint: hint, exitCode: code)) }
            Foundation.exit(code)
        }
        do {
            var command = try parse(SwitchNginx.expandingDrain(arguments))
            try command.run()
            Foundation.exit(0)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            if let failure = ReleaseError.describing(error) {
                Terminal.error(failure)
                fail(failure.message, hint: failure.hint, code: 1)
            }
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if code == .validationFailure {
                Terminal.standardError(message)
                fail(message, hint: "Run release --help for the commands and their options.", code: 2)
            }
            Terminal.standardError("error: \(message)")
            fail(message, hint: nil, code: 1)
        }
    }
}

extension Release {
    /// The commands parsed on their own when named first: building the whole command tree
    /// costs a few milliseconds of type lookups at every start.
    private static let leaves: [String: ParsableCommand.Type] = [
        "status": Status.self, "next-version": NextVersion.self, "changelog": Changelog.self,
        "promote": Promote.self, "cut": Cut.self, "finish": Finish.self, "push": Push.self,
        "continue": Continue.self, "abort": Abort.self, "switch-nginx": SwitchNginx.self,
    ]

    /// The command a command line names. A leaf command named first is parsed alone; anything
    /// else, and any line it does not take (help, errors), goes through the whole tree, so
    /// messages and usage are argument-parser's own.
    static func parse(_ arguments: [String]) throws -> ParsableCommand {
        if let name = arguments.first, let leaf = leaves[name],
           let command = try? leaf.parseAsRoot(Array(arguments.dropFirst())) {
            return command
        }
        return try parseAsRoot(arguments)
    }
}

/// What a failed command prints on stdout with `--json`.
struct FailureResult: Encodable {
    let error: String
    let hint: String?
    let exitCode: Int32
}
