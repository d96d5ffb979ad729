import Foundation
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct FlowCommandTests {
    @Test func promoteMergesDevelopIntoTestingWithoutFastForward() throws {
        let git = try flowRepository()
        let testing = try git.id("testing")
        let develop = try git.id("develop")
        let result = try release("promote", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.parents("testing") == [testing, develop])
        #expect(try git.message("testing") == "Merge branch 'develop' into testing\n\n")
        #expect(try git.id("develop") == develop)
        #expect(result.stdout.contains("testing  \(testing.prefix(7)) → \(try git.id("testing").prefix(7))  merge develop"))
        try git.git("fsck", "--strict", "--no-dangling")
    }

    @Test func theCheckedOutBranchBringsItsWorkingTreeAndIndexAlong() throws {
        let git = try flowRepository(checkout: "testing")
        #expect(try release("promote", in: git).status == 0)
        #expect(try git.read("gift.txt").contains("feat: gift cards"))
        #expect(try git.git("status", "--porcelain").isEmpty)
        #expect(try git.git("symbolic-ref", "HEAD") == "refs/heads/testing\n")
    }

    @Test func cutMergesWritesTheChangeLogAndTags() throws {
        let git = try flowRepository(checkout: "master")
        #expect(try release("promote", in: git).status == 0)
        let master = try git.id("master")
        let testing = try git.id("testing")
        let result = try release("cut", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let tag = "release1.0.1-pro-20261121"
        // master: the merge of testing, then the ChangeLog commit, which the tag names.
        #expect(try git.parents("master^") == [master, testing])
        #expect(try git.message("master^") == "Merge branch 'testing'\n\n")
        #expect(try git.message("master") == "ChangeLog for \(tag)\n\n")
        #expect(try git.parents("master") == [try git.id("master^")])
        let section = "## \(tag) (2026-11-21)\n\n* fix: rounding\n* feat: gift cards\n"
        #expect(try git.git("show", "master:ChangeLog.md") == "# ChangeLog\n\n" + section)
        #expect(try git.git("cat-file", "-t", tag) == "tag\n")
        #expect(try git.id("\(tag)^{commit}") == (try git.id("master")))
        #expect(try git.git("tag", "-l", "--format=%(contents)", tag) == "\(tag)\n\n* fix: rounding\n* feat: gift cards\n\n")
        #expect(try git.git("diff", "--stat", "master^", "master").contains("ChangeLog.md"))
        // The checked-out master followed: its files, its index.
        #expect(try git.read("ChangeLog.md") == "# ChangeLog\n\n" + section)
        #expect(try git.git("status", "--porcelain").isEmpty)
        try git.git("fsck", "--strict", "--no-dangling")
    }

    @Test func finishMergesMasterBackIntoDevelop() throws {
        let git = try flowRepository()
        #expect(try release("promote", in: git).status == 0)
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        let develop = try git.id("develop")
        #expect(!git.isAncestor("master", of: "develop"))
        let result = try release("finish", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(git.isAncestor("master", of: "develop"))
        #expect(try git.parents("develop") == [develop, try git.id("master")])
        #expect(try git.message("develop") == "Merge branch 'master' into develop\n\n")
        #expect(try git.read("ChangeLog.md").contains("release1.0.1-pro-20261121"), "develop is checked out and follows")
        #expect(try git.git("status", "--porcelain").isEmpty)
    }

    @Test func aSecondCycleReleasesOnlyTheNewWork() throws {
        let git = try flowRepository()
        for command in [["promote"], ["cut", "--date", "20261121"], ["finish"]] {
            #expect(try ReleaseBinary.run(command, in: git.url, environment: git.environment).status == 0)
        }
        try git.commit("feat: wish list", file: "wish.txt")
        #expect(try release("promote", in: git).status == 0)
        let cut = try release("cut", "--bump", "minor", "--date", "20261201", "--json", in: git)
        #expect(cut.status == 0, "\(cut.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: cut.stdoutBytes) as? [String: Any])
        let plan = try #require(json["plan"] as? [String: Any])
        #expect(plan["tag"] as? String == "release1.1.0-pro-20261201")
        #expect(json["applied"] as? Bool == true)
        #expect(try git.git("show", "master:ChangeLog.md").hasPrefix(
            "# ChangeLog\n\n## release1.1.0-pro-20261201 (2026-12-01)\n\n* feat: wish list\n\n## release1.0.1-pro-20261121"))
        #expect(try git.git("tag", "-l", "--format=%(contents)", "release1.1.0-pro-20261201")
            == "release1.1.0-pro-20261201\n\n* feat: wish list\n\n")
    }

    @Test func onlyTheCheckedOutBranchCaresAboutADirtyTree() throws {
        let git = try flowRepository(checkout: "develop")
        try git.write("gift.txt", "work in progress\n")
        // testing moves, develop (checked out) does not: allowed, and the edit is kept.
        #expect(try release("promote", in: git).status == 0)
        #expect(try git.read("gift.txt") == "work in progress\n")
        try git.git("checkout", "-q", "-f", "master")
        try git.write("ChangeLog.md", "edited\n")
        try expectRefusedUntouched(git, "cut", mentioning: "uncommitted changes (ChangeLog.md)")
    }

    @Test func untrackedFilesInTheWayAreRefused() throws {
        let git = try flowRepository(checkout: "testing")
        try git.write("gift.txt", "untracked, mine\n")
        try expectRefusedUntouched(git, "promote", mentioning: "files in the working tree would be overwritten when testing moves: gift.txt")
        #expect(try git.read("gift.txt") == "untracked, mine\n")
    }

    @Test func dryRunsChangeNothingNotEvenObjects() throws {
        let git = try flowRepository(checkout: "master")
        func dryRun(_ arguments: [String]) throws -> CommandResult {
            let before = try git.snapshot()
            let objects = try git.git("count-objects", "-v")
            let result = try ReleaseBinary.run(arguments + ["--dry-run"], in: git.url, environment: git.environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.hasPrefix("dry run: nothing was changed"))
            #expect(try git.snapshot() == before, "\(arguments)")
            #expect(try git.git("count-objects", "-v") == objects, "\(arguments) wrote no object")
            return result
        }
        let promote = try dryRun(["promote"])
        #expect(promote.stdout.contains("testing  \(try git.id("testing").prefix(7)) → "))
        #expect(try release("promote", in: git).status == 0)
        let cut = try dryRun(["cut", "--date", "20261121"])
        #expect(cut.stdout.contains("release1.0.1-pro-20261121  (new) → "))
        #expect(cut.stdout.contains("    * feat: gift cards"))
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        _ = try dryRun(["finish"])
    }
}

@Suite(.scratchDirectory)
struct FlowRefusalTests {
    @Test func promoteRefusesCommitsMadeOnTesting() throws {
        let git = try flowRepository()
        try git.git("checkout", "-q", "testing")
        let stray = try git.commit("hotfix made on testing")
        try git.git("checkout", "-q", "develop")
        try expectRefusedUntouched(git, "promote", mentioning: "testing has 1 commit(s) that develop lacks")
        let result = try release("promote", in: git)
        #expect(result.stderr.contains("\(stray.prefix(7)) hotfix made on testing"))
    }

    @Test func nothingToPromoteOrReleaseOrFinish() throws {
        let git = try flowRepository()
        try git.git("checkout", "-q", "master")
        try git.git("branch", "-f", "develop", "master")
        try expectRefusedUntouched(git, "promote", mentioning: "nothing to promote")
        try expectRefusedUntouched(git, "cut", mentioning: "nothing to release")
        try expectRefusedUntouched(git, "finish", mentioning: "nothing to finish")
    }

    @Test func cutRefusesAHotfixNotBackMerged() throws {
        let git = try flowRepository(checkout: "master")
        #expect(try release("promote", in: git).status == 0)
        try git.commit("urgent fix on master")
        try expectRefusedUntouched(git, "cut", mentioning: "master has 1 commit(s) that testing lacks")
    }

    @Test func cutRefusesTagsThatExistAndVersionsThatGoBack() throws {
        let git = try flowRepository()
        #expect(try release("promote", in: git).status == 0)
        try git.git("tag", "release1.0.1-pro-20261121", "develop")
        try expectRefusedUntouched(git, "cut", "--date", "20261121", mentioning: "tag release1.0.1-pro-20261121 already exists")
        try expectRefusedUntouched(git, "cut", "--version", "1.0.0", mentioning: "does not go forward")
        try expectRefusedUntouched(git, "cut", "--version", "0.9.9", mentioning: "does not go forward")
    }

    @Test func aConflictingBackMergeChangesNothing() throws {
        let git = try flowRepository()
        try git.git("checkout", "-q", "master")
        try git.commit("hotfix on master", file: "price.txt", content: "master's price\n")
        try git.git("checkout", "-q", "develop")
        try expectRefusedUntouched(git, "finish", mentioning: "merging master into develop conflicts in price.txt")
        let result = try release("finish", in: git)
        #expect(result.stderr.contains("hint: Merge by hand: git checkout develop && git merge --no-ff master"))
    }

    @Test func missingBranchesAndUnfinishedGitWork() throws {
        let git = try flowRepository()
        try git.git("branch", "-D", "testing")
        try expectRefusedUntouched(git, "promote", mentioning: "the testing branch 'testing' does not exist")
        try expectRefusedUntouched(git, "cut", mentioning: "the testing branch 'testing' does not exist")

        let other = try flowRepository(name: "other")
        try other.git("checkout", "-q", "master")
        try other.commit("master side", file: "price.txt", content: "one\n")
        _ = try? other.git("merge", "--no-ff", "develop")
        try expectRefusedUntouched(other, "finish", mentioning: "a git merge is in progress")
    }

    @Test func noIdentityIsRefusedBeforeAnythingMoves() throws {
        let git = try flowRepository()
        var environment = git.environment
        for key in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] { environment[key] = nil }
        let before = try git.snapshot()
        let result = try ReleaseBinary.run(["promote"], in: git.url, environment: environment)
        expectRefusal(result, mentioning: "no identity")
        #expect(try git.snapshot() == before)
    }
}
