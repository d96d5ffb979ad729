import Foundation
import PackagePlugin

/// Compiles the build's version into the target: `scripts/build-version` writes
/// `BuildVersion.swift` from the project's own release tag or commit before every build
/// (rewriting it only when the version changed).
@main
struct BuildVersion: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let package = context.package.directoryURL
        return [
            .prebuildCommand(
                displayName: "Reading the build's version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appending(path: "scripts/build-version").path, package.path, output.path],
                outputFilesDirectory: output),
        ]
    }
}
