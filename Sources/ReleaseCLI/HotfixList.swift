import ArgumentParser
import ReleaseKit

extension Release.Hotfix {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open hotfix branches with their base tag and commit count.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let hotfixes = try global.workspace(needsWorkingTree: false).hotfixes()
            if global.json {
                try Terminal.json(hotfixes)
            } else if hotfixes.isEmpty {
                print("no open hotfix branches")
            } else {
                hotfixes.forEach { print(HotfixReport.line($0)) }
            }
        }
    }
}
