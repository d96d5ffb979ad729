import Foundation
import Testing
import TestSupport

/// A released master, develop with unreleased work, testing at master.
func hotfixRepository(name: String = "repo") throws -> GitRepository {
    let git = try flowRepository(name: name)
    #expect(try release("promote", in: git).status == 0)
    #expect(try release("cut", "--date", "20261101", in: git).status == 0)
    #expect(try release("finish", in: git).status == 0)
    try git.commit("feat: unreleased work on develop", file: "unreleased.txt")
    return git
}

@Suite(.scratchDirectory)
struct HotfixStartTests {
    @Test func branchesFromTheLastReleaseAndChecksItOut() throws {
        let git = try hotfixRepository()
        let result = try release("hotfix", "start", "login-timeout", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.id("hotfix/login-timeout") == (try git.id("release1.0.1-pro-20261101^{commit}")))
        #expect(try git.git("symbolic-ref", "HEAD") == "refs/heads/hotfix/login-timeout\n")
        #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent("unreleased.txt").path))
        #expect(try git.git("status", "--porcelain").isEmpty)
        #expect(result.stdout.contains("it is checked out"))
    }

    @Test func fromAnOlderTag() throws {
        let git = try hotfixRepository()
        #expect(try release("hotfix", "start", "old", "--from", "release1.0.0-pro-20200101", in: git).status == 0)
        #expect(try git.id("hotfix/old") == (try git.id("release1.0.0-pro-20200101^{commit}")))
    }

    @Test func aDirtyTreeGetsTheBranchButKeepsItsCheckout() throws {
        let git = try hotfixRepository()
        try git.write("gift.txt", "local edit\n")
        let result = try release("hotfix", "start", "quick", in: git)
        #expect(result.status == 0)
        #expect(result.stdout.contains("not checked out"))
        #expect(try git.git("symbolic-ref", "HEAD") == "refs/heads/develop\n")
        #expect(try git.read("gift.txt") == "local edit\n")
        #expect(try git.id("hotfix/quick") == (try git.id("master")))
    }

    @Test func refusals() throws {
        let git = try hotfixRepository()
        #expect(try release("hotfix", "start", "taken", in: git).status == 0)
        try git.git("checkout", "-q", "develop")
        try expectRefusedUntouched(git, "hotfix", "start", "taken", mentioning: "the branch hotfix/taken already exists")
        try expectRefusedUntouched(git, "hotfix", "start", "x", "--from", "v9", mentioning: "there is no tag 'v9'")
        try expectRefusedUntouched(git, "hotfix", "start", "bad..name", mentioning: "does not make a valid branch name")
        try expectRefusedUntouched(git, "hotfix", "start", "with space", mentioning: "does not make a valid branch name")

        let fresh = try flowRepository(name: "fresh")
        try fresh.git("tag", "-d", "release1.0.0-pro-20200101")
        try expectRefusedUntouched(fresh, "hotfix", "start", "x", mentioning: "no release on master to start a hotfix from")
    }
}

@Suite(.scratchDirectory)
struct HotfixFinishTests {
    func startedHotfix(name: String = "repo") throws -> GitRepository {
        let git = try hotfixRepository(name: name)
        #expect(try release("hotfix", "start", "login", in: git).status == 0)
        try git.commit("fix: login times out", file: "login.txt")
        return git
    }

    @Test func theFixAndOnlyTheFixReachesMasterThenDevelopAndTesting() throws {
        let git = try startedHotfix()
        let master = try git.id("master")
        let fix = try git.id("hotfix/login")
        let result = try release("hotfix", "finish", "login", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let tag = "release1.0.2-pro-20261121"
        #expect(try git.parents("master^") == [master, fix])
        #expect(try git.message("master^") == "Merge branch 'hotfix/login'\n\n")
        #expect(try git.id("\(tag)^{commit}") == (try git.id("master")))
        #expect(try git.git("cat-file", "-t", tag) == "tag\n")
        #expect(try git.git("show", "master:ChangeLog.md").hasPrefix("# ChangeLog\n\n## \(tag) (2026-11-21)\n\n* fix: login times out\n\n## release1.0.1"))
        #expect(try git.git("tag", "-l", "--format=%(contents)", tag) == "\(tag)\n\n* fix: login times out\n\n")
        // Unreleased develop work never leaks into master.
        #expect(throws: CommandFailed.self) { try git.git("cat-file", "-e", "master:unreleased.txt") }
        #expect(git.isAncestor(fix, of: "develop") && git.isAncestor("master", of: "develop"))
        #expect(git.isAncestor(fix, of: "testing") && git.isAncestor("master", of: "testing"))
        #expect(try git.message("develop") == "Merge branch 'master' into develop\n\n")
        #expect(try git.git("branch", "--list", "hotfix/*").isEmpty, "the hotfix branch is gone")
        // It was checked out; HEAD moves to develop, with develop's files.
        #expect(try git.git("symbolic-ref", "HEAD") == "refs/heads/develop\n")
        #expect(try git.read("login.txt").contains("fix: login times out"))
        #expect(FileManager.default.fileExists(atPath: git.url.appendingPathComponent("unreleased.txt").path))
        #expect(try git.git("status", "--porcelain").isEmpty)
        try git.git("fsck", "--strict", "--no-dangling")
    }

    @Test func minorBumpAndNoTestingBranch() throws {
        let git = try startedHotfix()
        try git.git("branch", "-D", "testing")
        let result = try release("hotfix", "finish", "login", "--bump", "minor", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.id("release1.1.0-pro-20261121^{commit}") == (try git.id("master")))
        #expect(try git.git("branch", "--list", "testing").isEmpty)
    }

    @Test func theCheckedOutBranchFollowsWhenItIsNotTheHotfix() throws {
        let git = try startedHotfix()
        try git.git("checkout", "-q", "testing")
        #expect(try release("hotfix", "finish", "login", "--date", "20261121", in: git).status == 0)
        #expect(try git.git("symbolic-ref", "HEAD") == "refs/heads/testing\n")
        #expect(try git.read("login.txt").contains("fix: login times out"))
        #expect(try git.git("status", "--porcelain").isEmpty)
    }

    @Test func refusalsMoveNothing() throws {
        let git = try startedHotfix()
        try expectRefusedUntouched(git, "hotfix", "finish", "nope", mentioning: "there is no hotfix branch hotfix/nope")
        try git.write("login.txt", "uncommitted\n")
        try expectRefusedUntouched(git, "hotfix", "finish", "login", mentioning: "uncommitted changes (login.txt)")
        try git.git("checkout", "-q", "--", "login.txt")
        try git.git("tag", "release1.0.2-pro-20261121", "develop")
        try expectRefusedUntouched(git, "hotfix", "finish", "login", "--date", "20261121", mentioning: "already exists")

        let empty = try hotfixRepository(name: "empty")
        #expect(try release("hotfix", "start", "nothing", in: empty).status == 0)
        try expectRefusedUntouched(empty, "hotfix", "finish", "nothing", mentioning: "nothing to finish")
        let major = try release("hotfix", "finish", "nothing", "--bump", "major", in: empty)
        #expect(major.status == 2)
    }

    @Test func aConflictingBackMergeChangesNothing() throws {
        let git = try hotfixRepository()
        try git.commit("develop rewrites the price", file: "price.txt", content: "develop's price\n")
        #expect(try release("hotfix", "start", "price", in: git).status == 0)
        try git.commit("fix: the price", file: "price.txt", content: "hotfix price\n")
        try expectRefusedUntouched(git, "hotfix", "finish", "price", mentioning: "merging master into develop conflicts in price.txt")
    }

    @Test(arguments: ["journal-written", "moved-1", "moved-3", "moved-4", "tree-updated", "moved-5"])
    func aKilledFinishIsCompletedOrUndone(_ step: String) throws {
        for command in ["continue", "abort"] {
            let git = try startedHotfix(name: "\(command)-\(step)")
            let before = try git.snapshot()
            var environment = git.environment
            environment["RELEASE_TEST_CRASH_AT"] = step
            let process = try ReleaseBinary.start(["hotfix", "finish", "login", "--date", "20261121"], in: git.url, environment: environment)
            process.waitUntilExit()
            #expect(process.terminationStatus == SIGKILL)
            #expect(try release(command, in: git).status == 0)
            if command == "abort" {
                #expect(try git.snapshot() == before, "\(step)")
            } else {
                #expect(try git.git("branch", "--list", "hotfix/*").isEmpty)
                #expect(try git.id("release1.0.2-pro-20261121^{commit}") == (try git.id("master")))
                #expect(git.isAncestor("master", of: "develop") && git.isAncestor("master", of: "testing"))
                #expect(try git.git("symbolic-ref", "HEAD") == "refs/heads/develop\n")
                #expect(try git.git("status", "--porcelain").isEmpty)
            }
        }
    }
}

@Suite(.scratchDirectory)
struct HotfixListTests {
    @Test func listsBaseCommitsAndReleasesSince() throws {
        let git = try hotfixRepository()
        #expect(try release("hotfix", "start", "old", "--from", "release1.0.0-pro-20200101", in: git).status == 0)
        try git.commit("fix: old thing", file: "old.txt")
        try git.git("checkout", "-q", "develop")
        #expect(try release("hotfix", "start", "new", in: git).status == 0)
        let list = try release("hotfix", "list", in: git)
        #expect(list.stdout == """
            hotfix/new  from release1.0.1-pro-20261101  0 commit(s) to release
            hotfix/old  from release1.0.0-pro-20200101  1 commit(s) to release  (released since: release1.0.1-pro-20261101)

            """)
        let json = try release("hotfix", "list", "--json", in: git)
        let items = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [[String: Any]])
        #expect(items.map { $0["name"] as? String } == ["new", "old"])
        #expect(items[1]["commits"] as? Int == 1)
        let status = try release("status", in: git)
        #expect(status.stdout.contains("Hotfixes      hotfix/new  from release1.0.1-pro-20261101"))
    }

    @Test func noHotfixes() throws {
        let git = try hotfixRepository()
        #expect(try release("hotfix", "list", in: git).stdout == "no open hotfix branches\n")
    }
}
