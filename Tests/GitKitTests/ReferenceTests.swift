import Foundation
import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct ReferenceTests {
    func repository() throws -> (GitRepository, Repository) {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("first")
        try git.git("tag", "light")
        try git.git("tag", "-a", "annotated", "-m", "an annotated tag")
        try git.git("tag", "-a", "nested", "-m", "a tag of a tag", "annotated")
        try git.commit("second")
        try git.git("branch", "develop")
        return (git, try Repository.discover(from: git.path))
    }

    @Test func listsTagsWithTheirUnpeeledTargets() throws {
        let (git, repository) = try repository()
        let tags = try repository.references(matching: "refs/tags/*")
        #expect(tags.map(\.shortName) == ["annotated", "light", "nested"])
        for tag in tags {
            #expect(tag.target.hex == (try git.id("refs/tags/\(tag.shortName)")))
        }
    }

    @Test func peelsAnnotatedAndNestedTagsToTheirCommit() throws {
        let (git, repository) = try repository()
        for name in ["light", "annotated", "nested"] {
            let target = try #require(try repository.reference(named: "refs/tags/\(name)")).target
            #expect(try repository.peelToCommit(target).hex == (try git.id("\(name)^{commit}")))
            #expect(try repository.resolveCommit(name).hex == (try git.id("\(name)^{commit}")))
        }
        let annotated = try #require(try repository.reference(named: "refs/tags/annotated")).target
        let tag = try #require(try repository.tagObject(annotated))
        #expect(tag.name == "annotated")
        #expect(tag.message == "an annotated tag\n")
        #expect(try repository.tagObject(repository.resolveCommit("light")) == nil)
    }

    @Test func missingReferenceIsNil() throws {
        let (_, repository) = try repository()
        #expect(try repository.branch("nope") == nil)
        #expect(try repository.branch("develop") != nil)
    }

    @Test func compareAndSwapMovesOnlyFromTheExpectedValue() throws {
        let (git, repository) = try repository()
        let first = try OID(hex: git.id("HEAD~1"))!
        let second = try OID(hex: git.id("HEAD"))!

        try repository.updateReference("refs/heads/develop", to: first, expecting: second, message: "test: move")
        #expect(try git.id("develop") == first.hex)

        // The branch is no longer at `second`: a stale expectation is refused and nothing moves.
        #expect(throws: GitError.self) {
            try repository.updateReference("refs/heads/develop", to: second, expecting: second, message: "stale")
        }
        #expect(try git.id("develop") == first.hex)

        // Creating is refused when the reference exists.
        #expect(throws: GitError.self) {
            try repository.updateReference("refs/heads/develop", to: second, expecting: nil, message: "create")
        }
        try repository.updateReference("refs/heads/fresh", to: second, expecting: nil, message: "create")
        #expect(try git.id("fresh") == second.hex)

        // Deleting checks the expected value too.
        #expect(throws: GitError.self) {
            try repository.updateReference("refs/heads/fresh", to: nil, expecting: first, message: "delete")
        }
        try repository.updateReference("refs/heads/fresh", to: nil, expecting: second, message: "delete")
        #expect(try git.git("branch", "--list", "fresh").isEmpty)
        #expect(try git.git("reflog", "show", "develop").contains("test: move"))
    }

    @Test func validatesNamesLikeGit() {
        #expect(Repository.isValidBranchName("hotfix/login"))
        #expect(!Repository.isValidBranchName("bad..name"))
        #expect(!Repository.isValidBranchName("with space"))
        #expect(Repository.isValidReferenceName("refs/tags/release1.0.0-pro-20200101"))
        #expect(!Repository.isValidReferenceName("refs/tags/a:b"))
    }
}
