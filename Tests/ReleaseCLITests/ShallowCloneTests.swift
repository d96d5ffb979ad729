import Foundation
import Testing
import TestSupport

/// CI checks out with `git clone --depth`. A shallow clone must give the right answer when the
/// history it needs is there, and refuse with a hint otherwise — never a wrong answer.
@Suite(.scratchDirectory)
struct ShallowCloneTests {
    /// master with releases 1.4.1 and 1.4.2 and two commits since; develop and testing at master.
    func upstream() throws -> GitRepository {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("upstream"))
        for index in 1...6 {
            try git.commit("feat: change \(index)")
            if index == 2 { try git.git("tag", "-a", "release1.4.1-pro-20260101", "-m", "1.4.1") }
            if index == 4 { try git.git("tag", "-a", "release1.4.2-pro-20260201", "-m", "1.4.2") }
        }
        try git.git("branch", "develop")
        try git.git("branch", "testing")
        return git
    }

    func shallowClone(_ upstream: GitRepository, depth: Int) throws -> GitRepository {
        let clone = GitRepository(existing: Scratch.directory.appendingPathComponent("clone"))
        try upstream.git("clone", "-q", "--depth", "\(depth)", "--no-single-branch", "file://" + upstream.path, clone.path)
        for branch in ["develop", "testing"] { try clone.git("branch", "-q", branch, "origin/\(branch)") }
        return clone
    }

    func expectShallowRefusal(_ clone: GitRepository, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try ReleaseBinary.run(arguments, in: clone.url, environment: clone.environment)
        expectRefusal(result, mentioning: "this is a shallow clone", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("git fetch --unshallow"), sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func withoutTheReleaseInItsHistoryItRefuses() throws {
        let clone = try shallowClone(try upstream(), depth: 1)
        try expectShallowRefusal(clone, "next-version", "--date", "20261121")
        try expectShallowRefusal(clone, "status")
        try expectShallowRefusal(clone, "changelog", "--stdout", "--date", "20261121")
        try expectShallowRefusal(clone, "cut", "--dry-run", "--date", "20261121")
    }

    @Test func aTagFetchedWithoutItsHistoryIsRefusedNotAnObjectError() throws {
        let upstream = try upstream()
        let clone = try shallowClone(upstream, depth: 1)
        try clone.git("fetch", "-q", "--depth=1", "origin", "tag", "release1.4.1-pro-20260101")
        try expectShallowRefusal(clone, "next-version", "--date", "20261121")
        try expectShallowRefusal(clone, "changelog", "--stdout", "--from", "release1.4.1-pro-20260101", "--to", "master")
    }

    @Test func withEnoughHistoryTheAnswersAreRight() throws {
        let upstream = try upstream()
        let clone = try shallowClone(upstream, depth: 3)
        let next = try release("next-version", "--date", "20261121", in: clone)
        #expect(next.stdout == "release1.4.3-pro-20261121\n", "\(next.stderr)")
        let changelog = try release("changelog", "--stdout", "--date", "20261121", "--to", "master", in: clone)
        #expect(changelog.status == 0, "\(changelog.stderr)")
        let expected = try upstream.git("log", "--no-merges", "--pretty=* %s", "release1.4.2-pro-20260201..master")
        #expect(changelog.stdout.hasSuffix("\n\n" + expected))
        #expect(try release("status", in: clone).stdout.contains("Last release  release1.4.2-pro-20260201"))
    }

    @Test func deepeningTheCloneMakesItAnswer() throws {
        let clone = try shallowClone(try upstream(), depth: 1)
        try expectShallowRefusal(clone, "next-version", "--date", "20261121")
        try clone.git("fetch", "-q", "--unshallow", "--tags")
        #expect(try release("next-version", "--date", "20261121", in: clone).stdout == "release1.4.3-pro-20261121\n")
    }

    /// A release tag on a merged side branch: the clone has the tag and its commit (fetched with
    /// the tag) but not the path from master to it.
    @Test func aHigherReleaseBeyondTheCutIsNotMissedSilently() throws {
        let upstream = try upstream()
        try upstream.git("checkout", "-q", "-b", "side", "release1.4.1-pro-20260101")
        try upstream.commit("fix: on the side")
        try upstream.git("tag", "-a", "release1.4.5-pro-20260301", "-m", "1.4.5")
        for index in 1...4 { try upstream.commit("fix: side \(index)") }
        try upstream.git("checkout", "-q", "master")
        try upstream.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
        #expect(try release("next-version", "--date", "20261121", in: upstream).stdout == "release1.4.6-pro-20261121\n")
        for depth in [3, 4] {
            let clone = try shallowClone(upstream, depth: depth)
            try expectShallowRefusal(clone, "next-version", "--date", "20261121")
            try expectShallowRefusal(clone, "status")
            try FileManager.default.removeItem(at: clone.url)
        }
    }

    /// A partial clone (`--filter`) needs git to fetch missing objects on demand, which libgit2
    /// 1.5 cannot: it is refused as such, with nothing changed, before a missing object could
    /// stop a command halfway.
    @Test func aPartialCloneIsRefusedAsSuch() throws {
        let upstream = try upstream()
        try upstream.git("config", "uploadpack.allowFilter", "true")
        let clone = GitRepository(existing: Scratch.directory.appendingPathComponent("partial"))
        try upstream.git("clone", "-q", "--filter=blob:none", "--sparse", "file://" + upstream.path, clone.path)
        let before = try clone.snapshot()
        let result = try ReleaseBinary.run(["status"], in: clone.url, environment: clone.environment)
        expectRefusal(result, mentioning: "this is a partial clone: it leaves objects on the remote 'origin'")
        #expect(result.stderr.contains("git clone without --filter"), "\(result.stderr)")
        #expect(try clone.snapshot() == before)
    }
}
