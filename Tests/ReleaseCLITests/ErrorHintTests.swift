import Foundation
import Testing
import TestSupport

/// Every failure is one error line and one hint line, short, never libgit2's words alone.
@Suite(.scratchDirectory)
struct ErrorHintTests {
    func expectShortRefusal(_ result: CommandResult, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectRefusal(result, mentioning: text, sourceLocation: sourceLocation)
        #expect(result.stderr.contains("\nhint: "), "a hint: \(result.stderr)", sourceLocation: sourceLocation)
        for line in result.stderr.split(separator: "\n") {
            #expect(line.count < 400, "a line or two on a screen, not \(line.count) characters", sourceLocation: sourceLocation)
        }
    }

    @Test func aHugeTagFormatIsNotEchoedBack() throws {
        let git = try pipelineRepository()
        let filler = String(repeating: "x", count: 100_000)
        for format in ["release{major}.{minor}.{patch}-" + filler, "release{major}.{minor}.{patch}{" + filler] {
            try git.git("config", "release.tagFormat", format)
            let result = try release("next-version", in: git)
            expectShortRefusal(result, mentioning: "release.tagFormat")
        }
    }

    @Test func anEmptyEmailIsRefusedBeforeAnythingMoves() throws {
        let git = try flowRepository()
        var environment = git.environment
        for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL"] { environment[key] = nil }
        try git.git("config", "user.email", "")
        let before = try git.snapshot()
        let result = try ReleaseBinary.run(["promote"], in: git.url, environment: environment)
        expectShortRefusal(result, mentioning: "no identity")
        #expect(result.stderr.contains("user.email"))
        #expect(try git.snapshot() == before)
    }

    @Test func aChangelogThatIsAFolderOnTheBranchIsRefused() throws {
        let git = try flowRepository(checkout: "develop")
        try git.git("config", "release.changelog", "docs")
        try git.commit("docs", file: "docs/index.md")
        #expect(try release("promote", in: git).status == 0)
        try expectRefusedUntouched(git, "cut", "--date", "20261121", mentioning: "docs is a folder")
    }

    @Test func aRepositoryOwnedByAnotherUserGetsTheSafeDirectoryHint() throws {
        guard getuid() == 0 else { return }  // Needs root to give the repository away.
        let git = try flowRepository()
        let home = try Scratch.folder("home")
        git.environment = TestEnvironment.variables(home: home)
        _ = try Command.run("/bin/chown", ["-R", "65534:65534", git.path])
        let result = try release("status", in: git)
        expectShortRefusal(result, mentioning: "dubious ownership")
        #expect(result.stderr.contains("git config --global --add safe.directory \(git.path)"))
        _ = try Command.run("/usr/bin/git", ["config", "--global", "--add", "safe.directory", git.path], environment: git.environment)
        #expect(try release("status", in: git).status == 0)
        // git's "trust every repository", which libgit2 1.5 does not know by itself.
        _ = try Command.run("/usr/bin/git", ["config", "--global", "--replace-all", "safe.directory", "*"], environment: git.environment)
        #expect(try release("status", in: git).status == 0)
    }

    /// A working tree that cannot be written (a full disk, here a file size limit) fails after
    /// the references moved: the hint says to free space and continue, and continue completes.
    @Test func aFullDiskDuringTheWorkingTreeStepIsContinued() throws {
        let git = try flowRepository(checkout: "master")
        // A large ChangeLog (it compresses well, so objects and the journal still fit).
        try changeOnMaster(git) {
            try git.write("ChangeLog.md", "# ChangeLog\n\n" + String(repeating: "* an old line of the changelog\n", count: 8_000))
            try git.git("commit", "-q", "-am", "long changelog")
        }
        #expect(try release("promote", in: git).status == 0)
        let binary = ReleaseBinary.path
        let limited = try Command.run("/bin/sh", ["-c", "ulimit -f 128; trap '' XFSZ; exec \"$0\" cut --date 20261121", binary],
                                      in: git.url, environment: git.environment)
        expectShortRefusal(limited, mentioning: "could not update the working tree")
        #expect(limited.stderr.contains("release continue"))
        let result = try release("continue", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.git("status", "--porcelain").isEmpty)
        #expect(try git.read("ChangeLog.md").contains("## release1.0.1-pro-20261121"))
    }

    @Test func hugeBranchNamesAndOddFilesStayShort() throws {
        let git = try pipelineRepository()
        try git.git("config", "release.develop", String(repeating: "d", count: 3_000))
        expectShortRefusal(try release("status", in: git), mentioning: "release.develop")
        try git.git("config", "--unset", "release.develop")
        // A pipe where .gitrelease would be must not hang the read.
        #expect(mkfifo(git.path + "/.gitrelease", 0o644) == 0)
        let result = try Command.run("/usr/bin/timeout", ["20", ReleaseBinary.path, "next-version"], in: git.url, environment: git.environment)
        expectShortRefusal(result, mentioning: "neither a file nor a folder")
    }

    /// A tracked file marked skip-worktree and changed on disk: git status does not show it,
    /// git's own dry run does, so the move is refused before anything moves.
    @Test func aHiddenLocalChangeIsFoundBeforeAnythingMoves() throws {
        let git = try flowRepository(checkout: "master")
        try git.git("config", "filter.plain.clean", "cat")
        try git.git("config", "filter.plain.smudge", "cat")
        try git.git("update-index", "--skip-worktree", "ChangeLog.md")
        try git.write("ChangeLog.md", "# ChangeLog\n\nlocal notes\n")
        #expect(try release("promote", in: git).status == 0)
        try expectRefusedUntouched(git, "cut", "--date", "20261121", mentioning: "the working tree cannot follow master")
        #expect(try git.read("ChangeLog.md").contains("local notes"))
    }
}
