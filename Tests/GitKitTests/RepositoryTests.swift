import Foundation
@testable import GitKit
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

    /// libgit2 starts without parsing the system CA bundle: it is never used for the network.
    @Test func libgit2StartsWithoutLoadingCertificates() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        _ = try Repository.discover(from: git.path)
        try #require(dlopen("libmbedx509.so.1", RTLD_NOW | RTLD_NOLOAD) != nil, "this libgit2 is not built with mbedTLS")
        #expect(skippedCertificateLoads == 1)
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
