import ArgumentParser
import ReleaseKit

extension Release {
    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push branches and tags to release.remote (what a failed --push left to do).",
            discussion: "Without names: the production branch and the last release tag. Never pushes other tags.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @Argument(help: "Branches or tags to push.") var names: [String] = []
        @Flag(help: "Skip the pre-push hook, as git push --no-verify does.") var noVerify = false

        func run() throws {
            let workspace = try global.workspace(needsWorkingTree: false)
            workspace.options.verify = !noVerify
            var names = self.names
            if names.isEmpty {
                names = [workspace.settings.production]
                if let last = try workspace.history().lastRelease(reachableFrom: workspace.tip(of: .production)) {
                    names.append(last.tag.name)
                }
            }
            let refspecs = try workspace.refspecs(for: names)
            let remote = workspace.settings.remote
            // A dry run refuses what the push would refuse before sending anything.
            let url = try dryRun.dryRun ? workspace.remoteURL(doing: "nothing was pushed", then: "release push")
                                        : workspace.push(refspecs)
            if global.json {
                try Terminal.json(PushResult(remote: remote, url: url, refspecs: refspecs, dryRun: dryRun.dryRun))
            } else if dryRun.dryRun {
                print("dry run: nothing was pushed; release push would send \(refspecs.joined(separator: " ")) to \(remote) (\(url))")
            } else {
                print("pushed \(names.joined(separator: " ")) to \(remote) (\(url))")
            }
        }
    }
}

/// What `push --json` prints.
struct PushResult: Encodable {
    let remote: String
    let url: String
    let refspecs: [String]
    let dryRun: Bool
}
