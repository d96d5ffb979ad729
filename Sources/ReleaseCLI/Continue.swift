import ArgumentParser
import ReleaseKit

extension Release {
    struct Continue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Complete an interrupted operation.",
            discussion: """
                A release command that was killed or failed after it started moving references leaves \
                its plan in .git/release-journal.json; continue moves what is left (and pushes, if the \
                command asked to).
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption

        func run() throws {
            let workspace = try global.workspace()
            if dryRun.dryRun {
                try PlanCommand.report(try workspace.interruptedPlan("continue"), workspace: workspace, applied: false,
                                       pushedTo: nil, json: global.json)
                return
            }
            try workspace.withLock("continue") {
                let plan = try workspace.continueInterrupted()
                if !global.json { print("completed release \(plan.command):") }
                try PlanCommand.finish(plan, workspace: workspace, json: global.json)
            }
        }
    }

    struct Abort: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo an interrupted operation.",
            discussion: "Puts every reference the interrupted command moved back to its recorded old id, and the working tree with it.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption

        func run() throws {
            let workspace = try global.workspace()
            if dryRun.dryRun {
                let plan = try workspace.interruptedPlan("abort")
                print("dry run: nothing was changed; release abort would put back:")
                plan.moves.forEach { print("  \($0.shortName)  to \($0.old?.short ?? "(none)")") }
                return
            }
            try workspace.withLock("abort") {
                let plan = try workspace.abortInterrupted()
                if global.json {
                    try Terminal.json(PlanResult(plan: plan, applied: false, pushedTo: nil))
                    return
                }
                print("undid release \(plan.command):")
                for move in plan.moves {
                    print("  \(move.shortName)  back to \(move.old?.short ?? "(none)")")
                }
            }
        }
    }
}
