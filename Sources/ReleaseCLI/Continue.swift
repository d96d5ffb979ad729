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
                let recovery = try workspace.continueInterrupted()
                if !global.json { print("completed release \(recovery.plan.command):") }
                recovery.notes.forEach { Terminal.standardError("note: \($0)") }
                try PlanCommand.finish(recovery.plan, workspace: workspace, json: global.json, treeFollowed: recovery.treeFollowed)
            }
        }
    }

    struct Abort: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo an interrupted operation.",
            discussion: """
                Puts every reference the interrupted command moved back to its recorded old id, and the \
                working tree with it. A reference that moved outside release since is left as it is and \
                reported. --forget only drops the interrupted operation, leaving every reference where \
                it is now (printed first).
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption

        @Flag(help: "Drop the interrupted operation without moving anything back.")
        var forget = false

        func run() throws {
            let workspace = try global.workspace()
            if dryRun.dryRun {
                let plan = try workspace.interruptedPlan("abort")
                print("dry run: nothing was changed; release abort\(forget ? " --forget would drop the journal of release \(plan.command), leaving:" : " would put back:")")
                plan.moves.forEach { print("  \($0.shortName)  \(forget ? "as it is" : "to \($0.old?.short ?? "(none)")")") }
                return
            }
            try workspace.withLock("abort") {
                if forget {
                    let (plan, current) = try workspace.forgetInterrupted()
                    if global.json {
                        try Terminal.json(PlanResult(plan: plan, applied: false, pushedTo: nil))
                        return
                    }
                    print("forgot the interrupted release \(plan.command); references stay where they are:")
                    for move in plan.moves {
                        let now = current[move.name].flatMap { $0 }
                        print("  \(move.shortName)  \(now?.short ?? "(none)")  (release \(plan.command) moved it from \(move.old?.short ?? "(none)") to \(move.new?.short ?? "(deleted)"))")
                    }
                    return
                }
                let recovery = try workspace.abortInterrupted()
                recovery.notes.forEach { Terminal.standardError("warning: \($0)") }
                if global.json {
                    try Terminal.json(PlanResult(plan: recovery.plan, applied: false, pushedTo: nil))
                    return
                }
                print("undid release \(recovery.plan.command):")
                for move in recovery.plan.moves where !recovery.leftAlone.contains(move.name) {
                    print("  \(move.shortName)  back to \(move.old?.short ?? "(none)")")
                }
            }
        }
    }
}
