import Foundation
import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct WorkingTreeTests {
    @Test func statusSeparatesTrackedChangesFromUntrackedFiles() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base", file: "tracked.txt")
        try git.commit("second", file: "staged.txt")
        let repository = try Repository.discover(from: git.path)
        #expect(try repository.workingTreeStatus() == WorkingTreeStatus(changed: [], untracked: []))

        try git.write("tracked.txt", "changed\n")
        try git.write("staged.txt", "staged change\n")
        try git.git("add", "staged.txt")
        try git.write("new/untracked.txt", "new\n")
        try git.write(".gitignore", "*.log\n")
        try git.write("ignored.log", "ignored\n")
        let status = try repository.workingTreeStatus()
        #expect(status.changed.sorted() == ["staged.txt", "tracked.txt"])
        #expect(status.untracked.sorted() == [".gitignore", "new/untracked.txt"])
        #expect(!status.isClean)
    }

    @Test func checkoutMovesTheWorkingTreeAndIndexBetweenCommits() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let old = try git.commit("old", file: "a.txt", content: "old\n")
        try git.commit("removed later", file: "gone.txt")
        try git.git("checkout", "-q", "-b", "next")
        try git.git("rm", "-q", "gone.txt")
        try git.git("commit", "-q", "-m", "remove")
        let new = try git.commit("new", file: "a.txt", content: "new\n")
        try git.git("checkout", "-q", "master")
        let base = try OID(hex: git.id("master"))!
        let repository = try Repository.discover(from: git.path)

        #expect(try repository.checkoutConflicts(from: base, to: OID(hex: new)!).isEmpty)
        // Move the branch the way a release does: reference first, then the tree.
        try git.git("update-ref", "refs/heads/master", new)
        try repository.checkout(from: base, to: OID(hex: new)!)
        #expect(try git.read("a.txt") == "new\n")
        #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent("gone.txt").path))
        #expect(try git.git("status", "--porcelain").isEmpty)
        _ = old
    }

    @Test func untrackedFileInTheWayIsAConflict() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base")
        try git.git("checkout", "-q", "-b", "next")
        let next = try git.commit("adds a file", file: "incoming.txt", content: "from next\n")
        try git.git("checkout", "-q", "master")
        try git.write("incoming.txt", "mine, untracked\n")
        try git.write("tracked-edit.txt", "x")
        let repository = try Repository.discover(from: git.path)
        let conflicts = try repository.checkoutConflicts(from: OID(hex: git.id("master"))!, to: OID(hex: next)!)
        #expect(conflicts == ["incoming.txt"])
        #expect(try git.read("incoming.txt") == "mine, untracked\n")
    }
}
