import ArgumentParser
import ReleaseKit

extension Release {
    struct Hotfix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start, finish and list hotfix branches.",
            discussion: """
                A hotfix branches from the last release, and finishing it merges it into master with \
                a ChangeLog section and a patch tag, then back into develop and testing, in one plan.
                """,
            subcommands: [Start.self, Finish.self, List.self])
    }
}

/// How a hotfix branch is described in `hotfix list` and `status`.
enum HotfixReport {
    static func line(_ hotfix: HotfixBranch) -> String {
        var text = "\(hotfix.branch)  from \(hotfix.base ?? "no release")  \(hotfix.commits) commit(s) to release"
        if !hotfix.releasedSince.isEmpty {
            text += "  (released since: \(hotfix.releasedSince.joined(separator: ", ")))"
        }
        return text
    }
}
