import Foundation
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct PushTests {
    @Test func cutPushesTheBranchAndOnlyTheNewTag() throws {
        let git = try flowRepository()
        try git.git("tag", "local-only-tag")
        try git.git("branch", "local-only-branch")
        #expect(try release("promote", in: git).status == 0)
        let result = try release("cut", "--date", "20261121", "--push", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pushed master release1.0.1-pro-20261121 to origin"))
        let remote = origin(of: git)
        #expect(try remote.refs() == """
            refs/heads/develop \(try git.id("origin/develop"))
            refs/heads/master \(try git.id("master"))
            refs/heads/testing \(try git.id("origin/testing"))
            refs/tags/release1.0.1-pro-20261121 \(try git.id("refs/tags/release1.0.1-pro-20261121"))

            """)
        #expect(try remote.git("cat-file", "-t", "release1.0.1-pro-20261121") == "tag\n")
        #expect(try git.id("origin/master") == (try git.id("master")), "the remote-tracking branch follows")
    }

    @Test func promoteAndFinishPushTheirBranch() throws {
        let git = try flowRepository()
        #expect(try release("promote", "--push", in: git).status == 0)
        #expect(try origin(of: git).id("testing") == (try git.id("testing")))
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        #expect(try release("finish", "--push", in: git).status == 0)
        #expect(try origin(of: git).id("develop") == (try git.id("develop")))
        #expect(try origin(of: git).id("master") != (try git.id("master")), "finish pushes develop only")
    }

    @Test func aMissingRemoteRefusesBeforeAnythingMovesEvenWithNoFetch() throws {
        let git = try flowRepository()
        try git.git("remote", "remove", "origin")
        #expect(try release("promote", in: git).status == 0)
        try expectRefusedUntouched(git, "cut", "--date", "20261121", "--push", mentioning: "the remote 'origin' does not exist, so nothing was changed")
        try expectRefusedUntouched(git, "cut", "--date", "20261121", "--push", "--no-fetch", mentioning: "the remote 'origin' does not exist")

        try git.git("remote", "add", "origin", Scratch.directory.appendingPathComponent("repo-origin.git").path)
        let retry = try release("cut", "--date", "20261121", "--push", in: git)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(try origin(of: git).id("release1.0.1-pro-20261121") == (try git.id("release1.0.1-pro-20261121")))
    }

    @Test func passwordsInRemoteURLsAreNeverPrinted() throws {
        let git = try flowRepository()
        try git.git("remote", "set-url", "origin", "https://releaser:s3cret-token@127.0.0.1:9/shop.git")
        #expect(try release("promote", in: git).status == 0)
        let result = try release("cut", "--date", "20261121", "--push", in: git)
        #expect(result.status == 1)
        #expect(result.stderr.contains("releaser:***@127.0.0.1"), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret") && !result.stdout.contains("s3cret"))

        // A token given as the user name, as CI often does, is hidden too.
        try git.git("remote", "set-url", "origin", "https://ghp_T0KEN@127.0.0.1:9/shop.git")
        let token = try release("push", "master", "--json", in: git)
        #expect(token.status == 1)
        #expect(token.stdout.contains("https://***@127.0.0.1"), "\(token.stdout)")
        #expect(!token.stderr.contains("ghp_T0KEN") && !token.stdout.contains("ghp_T0KEN"))
    }

    @Test func pushWithoutNamesSendsProductionAndTheLastRelease() throws {
        let git = try flowRepository()
        #expect(try release("promote", in: git).status == 0)
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        let remoteBefore = try origin(of: git).refs()
        let dry = try release("push", "--dry-run", in: git)
        #expect(dry.stdout.contains("would send refs/heads/master:refs/heads/master refs/tags/release1.0.1-pro-20261121:refs/tags/release1.0.1-pro-20261121"))
        #expect(try origin(of: git).refs() == remoteBefore)
        // The dry run answers JSON when asked, and refuses a remote the push would refuse.
        let json = try release("push", "--dry-run", "--json", in: git)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(object["dryRun"] as? Bool == true && object["remote"] as? String == "origin")
        #expect((object["refspecs"] as? [String])?.count == 2)
        try git.git("config", "release.remote", "nosuch")
        expectRefusal(try release("push", "--dry-run", in: git), mentioning: "nosuch")
        try git.git("config", "--unset", "release.remote")
        #expect(try origin(of: git).refs() == remoteBefore)
        let result = try release("push", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pushed master release1.0.1-pro-20261121"))
        expectRefusal(try release("push", "no-such-ref", in: git), mentioning: "no branch or tag named 'no-such-ref'")
    }
}
