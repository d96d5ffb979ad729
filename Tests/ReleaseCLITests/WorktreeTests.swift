import Foundation
import Testing
import TestSupport

/// Linked worktrees share references, so they share release's lock and journal; and git's
/// environment variables point release at a repository the way they point git.
@Suite(.scratchDirectory)
struct WorktreeTests {
    func linkedWorktree(_ git: GitRepository, branch: String, name: String = "linked") throws -> GitRepository {
        let folder = Scratch.directory.appendingPathComponent(name)
        try git.git("worktree", "add", "-q", folder.path, branch)
        return GitRepository(existing: folder)
    }

    @Test func aBranchCheckedOutInAnotherWorktreeIsNotMoved() throws {
        let git = try flowRepository(checkout: "master")
        let other = try linkedWorktree(git, branch: "testing")
        try expectRefusedUntouched(git, "promote", mentioning: "testing is checked out in the worktree \(other.path)")
        #expect(try release("promote", "--dry-run", in: git).status == 1)
        // Run from that worktree, the branch is its own and its files follow.
        let result = try release("promote", in: other)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try other.git("status", "--porcelain").isEmpty)
        #expect(FileManager.default.fileExists(atPath: other.path + "/gift.txt"))
    }

    @Test func anOperationInterruptedInOneWorktreeIsSeenAndFinishedFromAnother() throws {
        let git = try flowRepository(checkout: "master")
        let other = try linkedWorktree(git, branch: "develop")
        #expect(try release("promote", in: git).status == 0)
        var environment = git.environment
        environment["RELEASE_TEST_CRASH_AT"] = "moved-1"
        #expect(try ReleaseBinary.run(["cut", "--date", "20261121"], in: git.url, environment: environment).status != 0)

        #expect(try release("status", in: other).stdout.contains("Interrupted   release cut"))
        expectRefusal(try release("finish", in: other), mentioning: "release cut was interrupted in \(git.path)")
        let result = try release("continue", in: other)
        #expect(result.status == 0, "\(result.stderr)")
        // The files that followed master are the main worktree's, where the cut ran.
        #expect(try git.git("status", "--porcelain").isEmpty)
        #expect(try git.read("ChangeLog.md").contains("## release1.0.1-pro-20261121"))
        #expect(try other.git("status", "--porcelain").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: git.path + "/.git/release-journal.json"))
    }

    @Test func oneLockForEveryWorktree() throws {
        let git = try flowRepository(checkout: "master")
        let other = try linkedWorktree(git, branch: "develop")
        #expect(try release("promote", in: git).status == 0)
        let writer = try startPaused(["cut", "--date", "20261121"], at: "journal-written", in: git)
        defer { ReleaseBinary.kill(writer) }
        expectRefusal(try release("finish", in: other), mentioning: "release cut, pid \(writer.processIdentifier)")
    }

    @Test func gitDirAndGitWorkTreeAreHonoured() throws {
        let git = try flowRepository(checkout: "develop")
        let elsewhere = try Scratch.folder("elsewhere")
        var environment = git.environment
        environment["GIT_DIR"] = git.path + "/.git"
        environment["GIT_WORK_TREE"] = git.path
        let status = try ReleaseBinary.run(["status"], in: elsewhere, environment: environment)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.hasPrefix("On branch develop"))
        let changelog = try ReleaseBinary.run(["changelog", "--to", "develop", "--date", "20261121"], in: elsewhere, environment: environment)
        #expect(changelog.status == 0, "\(changelog.stderr)")
        #expect(try git.read("ChangeLog.md").contains("## release1.0.1-pro-20261121"))
        #expect(!FileManager.default.fileExists(atPath: elsewhere.path + "/ChangeLog.md"))

        // A relative GIT_DIR is taken from where release runs (-C), as git takes it.
        environment["GIT_DIR"] = "repo/.git"
        environment["GIT_WORK_TREE"] = "repo"
        let relative = try ReleaseBinary.run(["-C", Scratch.directory.path, "next-version", "--date", "20261121"], in: elsewhere, environment: environment)
        #expect(relative.stdout == "release1.0.1-pro-20261121\n", "\(relative.stderr)")

        environment["GIT_DIR"] = git.path + "/.git"
        environment["GIT_COMMON_DIR"] = elsewhere.path
        expectRefusal(try ReleaseBinary.run(["status"], in: elsewhere, environment: environment), mentioning: "GIT_COMMON_DIR")
    }
}
