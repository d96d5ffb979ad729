import Foundation
import Testing
import TestSupport

/// After an interruption the user may have touched the repository; `continue` and `abort`
/// must never destroy their work, and must always leave a way out.
@Suite(.scratchDirectory)
struct RecoveryTests {
    let journal = ".git/release-journal.json"

    /// `release cut` killed at `step` with master checked out; `changelog` false starts master
    /// without a ChangeLog.md, so the cut adds the file.
    func killedCut(at step: String, changelog: Bool = true) throws -> GitRepository {
        let git = try flowRepository(checkout: "master")
        if !changelog {
            try changeOnMaster(git) {
                try git.git("rm", "-q", "ChangeLog.md")
                try git.git("commit", "-q", "-m", "no changelog yet")
            }
        }
        #expect(try release("promote", in: git).status == 0)
        var environment = git.environment
        environment["RELEASE_TEST_CRASH_AT"] = step
        let result = try ReleaseBinary.run(["cut", "--date", "20261121"], in: git.url, environment: environment)
        #expect(result.status != 0)
        #expect(FileManager.default.fileExists(atPath: git.path + "/" + journal))
        return git
    }

    @Test(arguments: ["continue", "abort"])
    func editsMadeAfterTheKillAreNeverOverwritten(_ command: String) throws {
        let git = try killedCut(at: "moved-1")
        try git.write("ChangeLog.md", "# ChangeLog\n\nmy own notes\n")
        let before = try git.snapshot()
        let result = try release(command, in: git)
        expectRefusal(result, mentioning: "ChangeLog.md changed since release cut was interrupted")
        #expect(result.stderr.contains("git restore -s HEAD -SW -- <files>"))
        #expect(try git.snapshot() == before, "nothing changed")
        #expect(try git.read("ChangeLog.md") == "# ChangeLog\n\nmy own notes\n")
        // The hint works: copy, restore, then the command goes through and the copy is intact.
        try FileManager.default.copyItem(atPath: git.path + "/ChangeLog.md", toPath: Scratch.directory.path + "/mine.md")
        try git.git("restore", "-s", "HEAD", "-SW", "--", "ChangeLog.md")
        let retried = try release(command, in: git)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(!FileManager.default.fileExists(atPath: git.path + "/" + journal))
        #expect(try git.git("status", "--porcelain").isEmpty)
        #expect(try git.read("ChangeLog.md").contains("## release1.0.1-pro-20261121") == (command == "continue"))
        #expect(try String(contentsOfFile: Scratch.directory.path + "/mine.md", encoding: .utf8).contains("my own notes"))
    }

    @Test(arguments: ["continue", "abort"])
    func aFolderOrAnExecutableBitWhereThePlanWritesIsNeverTouched(_ command: String) throws {
        let git = try killedCut(at: "moved-1")
        // The release brings gift.txt; someone made a folder of that name meanwhile.
        try FileManager.default.createDirectory(atPath: git.path + "/gift.txt", withIntermediateDirectories: true)
        try git.write("gift.txt/precious.txt", "mine\n")
        expectRefusal(try release(command, in: git), mentioning: "gift.txt changed since")
        #expect(try git.read("gift.txt/precious.txt") == "mine\n")
        try FileManager.default.removeItem(atPath: git.path + "/gift.txt")

        chmod(git.path + "/ChangeLog.md", 0o755)
        expectRefusal(try release(command, in: git), mentioning: "ChangeLog.md changed since")
        chmod(git.path + "/ChangeLog.md", 0o644)
        #expect(try release(command, in: git).status == 0)
    }

    @Test(arguments: ["continue", "abort"])
    func anUntrackedFileWhereThePlanWritesIsNeverTouched(_ command: String) throws {
        let git = try killedCut(at: "moved-2", changelog: false)
        // The kill came before the working tree step: ChangeLog.md is not on disk yet.
        #expect(!FileManager.default.fileExists(atPath: git.path + "/ChangeLog.md"))
        try git.write("ChangeLog.md", "mine, not tracked\n")
        let before = try git.snapshot()
        expectRefusal(try release(command, in: git), mentioning: "ChangeLog.md changed since")
        #expect(try git.snapshot() == before)
        #expect(try git.read("ChangeLog.md") == "mine, not tracked\n")
    }

    @Test(arguments: ["continue", "abort"])
    func anotherBranchCheckedOutMeanwhileKeepsItsWorkingTree(_ command: String) throws {
        let git = try killedCut(at: "moved-1")
        try git.git("checkout", "-q", "-f", "develop")
        try git.write("gift.txt", "work in progress\n")
        let result = try release(command, in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("the working tree was left alone: HEAD is on develop now, not master"))
        #expect(!result.stdout.contains("working tree: master"), "the summary does not claim it")
        #expect(try git.read("gift.txt") == "work in progress\n")
        #expect(try git.git("symbolic-ref", "--short", "HEAD") == "develop\n")
        let tagged = (try? git.id("release1.0.1-pro-20261121")) != nil
        #expect(tagged == (command == "continue"))
    }

    @Test func aReferenceMovedOutsideReleaseHasAWayOut() throws {
        let git = try killedCut(at: "moved-1")
        let cutMaster = try git.id("master")
        // Someone builds on the half-made release: master moves on, outside release.
        try git.git("checkout", "-q", "-f", "master")
        let theirs = try git.commit("fix: meanwhile")
        let result = try release("continue", in: git)
        expectRefusal(result, mentioning: "master is at \(String(theirs.prefix(7)))")
        #expect(result.stderr.contains("release abort --forget"))
        #expect(try git.id("master") == theirs)

        let abort = try release("abort", in: git)
        #expect(abort.status == 0, "\(abort.stderr)")
        #expect(abort.stderr.contains("warning: master moved outside release (now \(String(theirs.prefix(7)))): left as it is"))
        #expect(!abort.stdout.contains("master  back to"), "the summary does not claim it")
        #expect(try git.id("master") == theirs, "their commit is kept")
        #expect(try git.parents("master") == [cutMaster])
        #expect(!FileManager.default.fileExists(atPath: git.path + "/" + journal))
        #expect(try release("status", in: git).status == 0)
    }

    @Test func forgetDropsTheJournalAndMovesNothing() throws {
        let git = try killedCut(at: "moved-1")
        let refs = try git.refs()
        let dry = try release("abort", "--forget", "--dry-run", in: git)
        #expect(dry.status == 0 && dry.stdout.contains("would drop the journal"))
        #expect(FileManager.default.fileExists(atPath: git.path + "/" + journal))
        let result = try release("abort", "--forget", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("forgot the interrupted release cut"))
        #expect(result.stdout.contains("master  \(String(try git.id("master").prefix(7)))"))
        #expect(try git.refs() == refs)
        #expect(!FileManager.default.fileExists(atPath: git.path + "/" + journal))
    }

    @Test func objectsRemovedByGcAreNamedAndAbortStillWorks() throws {
        let git = try killedCut(at: "journal-written")
        let before = try git.refs()
        try git.git("reflog", "expire", "--expire=now", "--all")
        try git.git("gc", "-q", "--prune=now")
        let result = try release("continue", in: git)
        expectRefusal(result, mentioning: "objects it wrote are gone")
        #expect(result.stderr.contains("release abort"))
        #expect(try release("abort", in: git).status == 0)
        #expect(try git.refs() == before)
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
    }

    @Test func aJournalPathThatIsAFolderIsNamed() throws {
        let git = try flowRepository()
        try FileManager.default.createDirectory(atPath: git.path + "/" + journal, withIntermediateDirectories: true)
        for command in ["status", "continue", "promote"] {
            expectRefusal(try release(command, in: git), mentioning: "cannot be read as a file")
        }
    }

    /// The release adds `d/f`; the user puts a file, or a link to a folder elsewhere, at `d`.
    /// Through libgit2 and through git (a filter driver configured), a first run refuses before
    /// anything moves, and continue and abort refuse without touching it.
    @Test(arguments: ["libgit2", "git"])
    func somethingWhereThePlanNeedsAFolderIsNeverReplaced(_ path: String) throws {
        let git = try flowRepository(checkout: "develop")
        if path == "git" {
            try git.git("config", "filter.plain.clean", "cat")
            try git.git("config", "filter.plain.smudge", "cat")
        }
        try git.commit("feat: d", file: "d/f", content: "f\n")
        try git.git("checkout", "-q", "master")
        #expect(try release("promote", in: git).status == 0)
        try git.write("d", "precious\n")
        try expectRefusedUntouched(git, "cut", "--date", "20261121", mentioning: "would be overwritten when master moves: d")
        try FileManager.default.removeItem(atPath: git.path + "/d")

        var environment = git.environment
        environment["RELEASE_TEST_CRASH_AT"] = "moved-1"
        #expect(try ReleaseBinary.run(["cut", "--date", "20261121"], in: git.url, environment: environment).status != 0)
        let outside = try Scratch.folder("outside")
        for blocker in ["file", "link"] {
            if blocker == "file" {
                try git.write("d", "precious\n")
            } else {
                try FileManager.default.createSymbolicLink(atPath: git.path + "/d", withDestinationPath: outside.path)
            }
            for command in ["continue", "abort"] {
                expectRefusal(try release(command, in: git), mentioning: "d/f changed since")
            }
            if blocker == "file" { #expect(try git.read("d") == "precious\n") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty, "nothing written through the link")
            try FileManager.default.removeItem(atPath: git.path + "/d")
        }
        #expect(try release("continue", in: git).status == 0)
        #expect(try git.read("d/f") == "f\n")
        #expect(try git.git("status", "--porcelain").isEmpty)
    }

    /// continue would move master (killed before it moved), abort would move it back.
    @Test(arguments: [("continue", "journal-written"), ("abort", "moved-1")])
    func aWorktreeAddedSinceHoldingAPlannedBranchIsNotMovedUnderIt(_ command: String, _ step: String) throws {
        let git = try killedCut(at: step)
        let other = Scratch.directory.appendingPathComponent("other")
        try git.git("worktree", "add", "-q", "--detach", other.path)
        try git.git("checkout", "-q", "-f", "--detach")
        try git.git("-C", other.path, "checkout", "-q", "-f", "master")
        let refs = try git.refs()
        expectRefusal(try release(command, in: git), mentioning: "master is checked out in the worktree \(other.path)")
        #expect(try git.refs() == refs)
    }
}
