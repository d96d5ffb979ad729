import Foundation
import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct RepositoryTests {
    @Test func discoversFromASubfolderAndReportsTheWorkingTree() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("first", file: "deep/inside/file.txt")
        let repository = try Repository.discover(from: git.url.appendingPathComponent("deep/inside").path)
        #expect(repository.workingDirectory == git.path + "/")
        #expect(repository.gitDirectory == git.path + "/.git/")
        #expect(!repository.isBare)
    }

    @Test func outsideARepositoryIsNotFound() throws {
        let folder = try Scratch.folder("plain")
        #expect(throws: GitError.self) { try Repository.discover(from: folder.path) }
        do {
            _ = try Repository.discover(from: folder.path)
        } catch let error as GitError {
            #expect(error.code == .notFound)
        }
    }

    @Test func bareRepositoryHasNoWorkingTree() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("bare.git"), bare: true)
        let repository = try Repository.open(at: git.path)
        #expect(repository.isBare)
        #expect(repository.workingDirectory == nil)
    }

    @Test func headOnABranchDetachedAndUnborn() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"), branch: "main")
        let repository = try Repository.discover(from: git.path)
        #expect(try repository.head() == .unborn(branch: "main"))

        let first = try git.commit("first")
        #expect(try repository.head() == .branch("main", OID(hex: first)!))

        try git.git("checkout", "-q", "--detach")
        #expect(try repository.head() == .detached(OID(hex: first)!))
    }
}
