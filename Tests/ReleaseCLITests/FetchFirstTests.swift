import Foundation
import Testing
import TestSupport

/// `--push` fetches first and never releases on a stale base; `status` compares with the remote.
@Suite(.scratchDirectory)
struct FetchFirstTests {
    /// A colleague pushes one commit to `branch` on origin.
    func colleaguePushes(to branch: String, _ git: GitRepository) throws {
        let clone = Scratch.directory.appendingPathComponent("colleague-\(UUID().uuidString.prefix(6))")
        try git.git("clone", "-q", origin(of: git).path, clone.path)
        let colleague = GitRepository(existing: clone)
        try colleague.git("checkout", "-q", branch)
        try colleague.commit("someone else's fix")
        try colleague.git("push", "-q", "origin", branch)
    }

    @Test func aRemoteAheadIsRefusedBeforeAnythingMovesNamingItsCommits() throws {
        let git = try flowRepository()
        #expect(try release("promote", in: git).status == 0)
        try colleaguePushes(to: "master", git)
        let result = try expectRefusedUntouchedButFetched(git, "cut", "--date", "20261121", "--push",
                                                         mentioning: "origin/master has 1 commit(s) that master lacks")
        #expect(result.stderr.contains("someone else's fix"))
        #expect(result.stderr.contains("git switch master && git merge origin/master"))

        // Brought in, the release goes through.
        try git.git("checkout", "-q", "master")
        try git.git("merge", "-q", "--no-edit", "origin/master")
        try git.git("checkout", "-q", "develop")
        try git.git("merge", "-q", "--no-edit", "master")
        #expect(try release("promote", in: git).status == 0)
        let released = try release("cut", "--date", "20261121", "--push", in: git)
        #expect(released.status == 0, "\(released.stderr)")
    }

    @Test func promoteLooksAtDevelopAndTestingAndNoFetchOrTheSettingSkipIt() throws {
        let git = try flowRepository()
        try colleaguePushes(to: "develop", git)
        _ = try expectRefusedUntouchedButFetched(git, "promote", "--push", mentioning: "origin/develop has 1 commit(s) that develop lacks")
        try git.git("config", "release.fetch", "false")
        #expect(try release("promote", "--push", "--dry-run", in: git).status == 0)
        try git.git("config", "--unset", "release.fetch")
        let result = try release("promote", "--push", "--no-fetch", in: git)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aBranchTheFetchRefspecsLeaveOutIsRefusedNotSkipped() throws {
        let git = try flowRepository()
        try git.git("config", "remote.origin.fetch", "+refs/heads/master:refs/remotes/origin/master")
        try colleaguePushes(to: "testing", git)
        _ = try expectRefusedUntouchedButFetched(git, "promote", "--push",
                                                 mentioning: "release cannot check develop against origin: its fetch refspecs do not fetch refs/heads/develop")
        try git.git("config", "--unset-all", "remote.origin.fetch")
        _ = try expectRefusedUntouchedButFetched(git, "promote", "--push", mentioning: "release cannot check develop against origin")
    }

    @Test func aDryRunChecksWhatTheLastFetchSawWithoutFetching() throws {
        let git = try flowRepository()
        try colleaguePushes(to: "develop", git)
        let clean = try release("promote", "--push", "--dry-run", in: git)
        #expect(clean.status == 0, "not fetched, so not known: \(clean.stderr)")
        try git.git("fetch", "-q", "origin")
        expectRefusal(try release("promote", "--push", "--dry-run", in: git), mentioning: "origin/develop has 1 commit(s)")
    }

    @Test func statusShowsAheadAndBehindAndFetchesOnlyWhenAsked() throws {
        let git = try flowRepository()
        #expect(try release("promote", in: git).status == 0)
        try colleaguePushes(to: "master", git)
        let local = try release("status", in: git)
        #expect(local.stdout.contains("[origin/testing: ahead 3]"), "\(local.stdout)")
        #expect(local.stdout.contains("[origin/master] "), "no network: the remote's new commit is not known yet")
        let fetched = try release("status", "--fetch", in: git)
        #expect(fetched.stdout.contains("[origin/master: behind 1]"), "\(fetched.stdout)")
        let json = try release("status", "--json", in: git)
        #expect(json.stdout.contains("\"behind\" : 1"))
        try git.git("remote", "set-url", "origin", "/nonexistent/shop.git")
        expectRefusal(try release("status", "--fetch", in: git), mentioning: "fetching origin")
    }

    /// Refused with nothing changed but the remote-tracking branches the fetch updated.
    @discardableResult
    func expectRefusedUntouchedButFetched(_ git: GitRepository, _ arguments: String..., mentioning text: String) throws -> CommandResult {
        let before = try git.snapshot().split(separator: "\n").filter { !$0.hasPrefix("refs/remotes/") }
        let result = try ReleaseBinary.run(arguments, in: git.url, environment: git.environment)
        expectRefusal(result, mentioning: text)
        #expect(try git.snapshot().split(separator: "\n").filter { !$0.hasPrefix("refs/remotes/") } == before)
        return result
    }
}
