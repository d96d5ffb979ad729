import Foundation
import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct CommitTests {
    @Test func readsMetadataLikeGitLog() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let first = try git.commit("first")
        let second = try git.commit("second subject\n\nbody line\n")
        let repository = try Repository.discover(from: git.path)
        let commit = try repository.commit(OID(hex: second)!)
        let fields = try git.git("log", "-1", "--format=%an%n%ae%n%at%n%cn%n%ce%n%ct%n%T%n%B", second)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(commit.author.name == fields[0])
        #expect(commit.author.email == fields[1])
        #expect(String(commit.author.time) == fields[2])
        #expect(commit.committer.name == fields[3])
        #expect(commit.committer.email == fields[4])
        #expect(String(commit.committer.time) == fields[5])
        #expect(commit.tree.hex == fields[6])
        #expect(commit.parents.map(\.hex) == [first])
        #expect(commit.message == "second subject\n\nbody line\n")
        #expect(commit.subject == "second subject")
        #expect(!commit.isMerge)
    }

    @Test(arguments: TrickyMessages.all.map(\.name))
    func subjectIsWhatGitPrintsForPercentS(_ name: String) throws {
        let sample = try #require(TrickyMessages.all.first { $0.name == name })
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base")
        let id = try git.rawCommit(message: sample.message, encoding: sample.encoding)
        let repository = try Repository.discover(from: git.path)
        let expected = try Command.run("/usr/bin/git", ["log", "-1", "--format=%s", id], in: git.url, environment: git.environment)
        #expect(try repository.commit(OID(hex: id)!).subject + "\n" == expected.stdout)
    }
}
