import ArgumentParser
import Foundation
import ReleaseKit

/// Options every command takes, before or after the command name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customShort("C"), help: ArgumentHelp("Run as if release was started in <path>.", valueName: "path"))
    var directory: String = "."

    @Flag(help: "Print a machine-readable result (JSON) on stdout.")
    var json = false

    func workspace(needsWorkingTree: Bool = true, objectsInMemory: Bool = false) throws -> Workspace {
        let workspace = try Workspace.open(at: directory, needsWorkingTree: needsWorkingTree, objectsInMemory: objectsInMemory)
        workspace.settings.warnings.forEach { Terminal.standardError($0) }
        return workspace
    }

    /// A path the user typed, relative to where -C says the command runs.
    func path(_ path: String) -> String {
        (path as NSString).isAbsolutePath ? path : (directory as NSString).appendingPathComponent(path)
    }
}

/// `--dry-run`, for every command that changes anything.
struct DryRunOption: ParsableArguments {
    @Flag(help: "Print exactly what would change, and change nothing.")
    var dryRun = false
}

/// How a command that writes commits and tags meets the user's git setup.
struct GitSetupFlags: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Sign the commits and the tag (default: commit.gpgSign, tag.gpgSign, tag.forceSignAnnotated).")
    var sign: Bool?

    @Flag(help: "Skip the hooks that may refuse: commit-msg, pre-push and pre-release-<command>.")
    var noVerify = false

    @Flag(help: "With --push, do not fetch first to check that the remote has nothing new (release.fetch).")
    var noFetch = false

    var options: GitSetupOptions {
        GitSetupOptions(sign: sign, verify: !noVerify, fetch: noFetch ? false : nil)
    }
}
