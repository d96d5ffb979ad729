import Foundation
import Testing
import TestSupport

/// Every point where a cut can be killed once it starts moving references, and what
/// `continue` and `abort` make of it.
let crashSteps = ["journal-written", "moved-1", "moved-2", "tree-updated"]

@Suite(.scratchDirectory)
struct InterruptionTests {
    /// Kills `release cut` with SIGKILL at `step` (master checked out, so the working tree is
    /// part of the plan) and returns the repository with the snapshot from before.
    func killedCut(at step: String, name: String) throws -> (GitRepository, String) {
        let git = try flowRepository(checkout: "master", name: name)
        #expect(try release("promote", in: git).status == 0)
        let before = try git.snapshot()
        var environment = git.environment
        environment["RELEASE_TEST_CRASH_AT"] = step
        let process = try ReleaseBinary.start(["cut", "--date", "20261121"], in: git.url, environment: environment)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL, "killed at \(step)")
        #expect(FileManager.default.fileExists(atPath: git.url.appendingPathComponent(".git/release-journal.json").path))
        return (git, before)
    }

    /// What a complete cut leaves, checked with git.
    func expectCompleteCut(_ git: GitRepository, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tag = "release1.0.1-pro-20261121"
        #expect(try git.id("\(tag)^{commit}") == (try git.id("master")), sourceLocation: sourceLocation)
        #expect(try git.message("master") == "ChangeLog for \(tag)\n\n", sourceLocation: sourceLocation)
        #expect(try git.parents("master^").count == 2, sourceLocation: sourceLocation)
        #expect(try git.read("ChangeLog.md").contains("## \(tag)"), sourceLocation: sourceLocation)
        #expect(try git.git("status", "--porcelain").isEmpty, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent(".git/release-journal.json").path),
                sourceLocation: sourceLocation)
        try git.git("fsck", "--strict", "--no-dangling")
    }

    @Test(arguments: crashSteps)
    func continueCompletesAKilledCut(_ step: String) throws {
        let (git, _) = try killedCut(at: step, name: "continue-\(step)")
        let status = try release("status", in: git)
        #expect(status.stdout.contains("Interrupted   release cut"))
        expectRefusal(try release("promote", in: git), mentioning: "release cut was interrupted")
        let result = try release("continue", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        try expectCompleteCut(git)
    }

    @Test(arguments: crashSteps)
    func abortRestoresEverythingExactly(_ step: String) throws {
        let (git, before) = try killedCut(at: step, name: "abort-\(step)")
        let interrupted = try git.snapshot()
        for command in ["continue", "abort"] {
            let dry = try release(command, "--dry-run", in: git)
            #expect(dry.status == 0 && dry.stdout.hasPrefix("dry run: nothing was changed"), "\(dry.stderr)")
            #expect(try git.snapshot() == interrupted)
        }
        let result = try release("abort", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.snapshot() == before)
        #expect(try git.read("ChangeLog.md") == "# ChangeLog\n")
        // And the release can then be made for real.
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        try expectCompleteCut(git)
    }

    @Test(arguments: ["continue", "abort"])
    func gitLockFilesLeftByTheKilledProcessAreCleared(_ command: String) throws {
        let (git, before) = try killedCut(at: "moved-1", name: "locks-\(command)")
        // What a kill inside libgit2's index or reference writing leaves behind.
        for lock in [".git/index.lock", ".git/refs/tags/release1.0.1-pro-20261121.lock"] {
            try git.write(lock, "")
        }
        let result = try release(command, in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("removed \(git.path)/.git/index.lock, left by the interrupted release cut"))
        if command == "continue" { try expectCompleteCut(git) } else { #expect(try git.snapshot() == before) }
    }

    @Test func continueAndAbortWithoutAnInterruptedOperation() throws {
        let git = try flowRepository()
        try expectRefusedUntouched(git, "continue", mentioning: "no interrupted release operation to continue")
        try expectRefusedUntouched(git, "abort", mentioning: "no interrupted release operation to abort")
    }

    @Test func aRunningWriterKeepsOthersOutAndADeadOneDoesNot() throws {
        let git = try flowRepository()
        #expect(try release("promote", in: git).status == 0)
        let writer = try startPaused(["cut", "--date", "20261121"], at: "journal-written", in: git)
        defer { ReleaseBinary.kill(writer) }
        let second = try release("finish", in: git)
        expectRefusal(second, mentioning: "release cut, pid \(writer.processIdentifier) on \(ProcessInfo.processInfo.hostName) since")

        ReleaseBinary.kill(writer)
        // The lock died with its holder; the interrupted cut is what stands in the way now.
        expectRefusal(try release("finish", in: git), mentioning: "release cut was interrupted")
        #expect(try release("continue", in: git).status == 0)
        #expect(try release("finish", in: git).status == 0)
    }
}
