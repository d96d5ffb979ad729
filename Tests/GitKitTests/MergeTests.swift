import Foundation
import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct MergeTests {
    @Test func cleanMergeTreeEqualsGitMergeTree() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base", file: "shared.txt", content: "one\ntwo\nthree\n")
        try git.git("checkout", "-q", "-b", "develop")
        try git.commit("develop edits the top", file: "shared.txt", content: "ONE\ntwo\nthree\n")
        try git.commit("develop adds a file", file: "new.txt")
        try git.git("checkout", "-q", "master")
        try git.commit("master edits the bottom", file: "shared.txt", content: "one\ntwo\nTHREE\n")
        let repository = try Repository.discover(from: git.path)
        let result = try repository.merge(ours: OID(hex: git.id("master"))!, theirs: OID(hex: git.id("develop"))!)
        #expect(result == (try gitsMerge(git, "master", "develop")))
        #expect(try git.git("status", "--porcelain").isEmpty, "the working tree is untouched")
    }

    /// Once `isAncestor` has confirmed one side is in the other's history, the merge takes it as
    /// the base without asking again, either way round, and still equals git's merge.
    @Test func aKnownAncestorIsTheBase() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base", file: "shared.txt", content: "one\n")
        try git.git("checkout", "-q", "-b", "testing")
        try git.commit("testing edits", file: "shared.txt", content: "ONE\n")
        try git.commit("testing adds", file: "dir/new.txt")
        let repository = try Repository.discover(from: git.path)
        let (master, testing) = (OID(hex: try git.id("master"))!, OID(hex: try git.id("testing"))!)
        #expect(try repository.isAncestor(master, of: testing))
        #expect(try !repository.isAncestor(testing, of: master))
        let expected = try gitsMerge(git, "master", "testing")
        #expect(try repository.merge(ours: master, theirs: testing) == expected)
        #expect(try repository.merge(ours: testing, theirs: master) == expected)
    }

    @Test func conflictsAreListedAndNothingIsWritten() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base", file: "a.txt", content: "base\n")
        try git.commit("base b", file: "b.txt", content: "base\n")
        try git.git("checkout", "-q", "-b", "develop")
        try git.commit("develop a", file: "a.txt", content: "develop\n")
        try git.commit("develop b", file: "b.txt", content: "develop\n")
        try git.git("checkout", "-q", "master")
        try git.commit("master a", file: "a.txt", content: "master\n")
        try git.commit("master b", file: "b.txt", content: "master\n")
        let refs = try git.refs()
        let repository = try Repository.discover(from: git.path)
        let result = try repository.merge(ours: OID(hex: git.id("master"))!, theirs: OID(hex: git.id("develop"))!)
        #expect(result == .conflicts(["a.txt", "b.txt"]))
        #expect(try git.refs() == refs)
        #expect(try git.git("status", "--porcelain").isEmpty)
    }

    /// Two branches from one base, each shaped by `master` and `develop`; the merge of develop
    /// into master must be git's tree, or conflicts where git has them.
    private func expectMergeLikeGit(base: (GitRepository) throws -> Void, master: (GitRepository) throws -> Void,
                                    develop: (GitRepository) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo-\(UUID().uuidString)"))
        try base(git)
        try git.git("add", "-A")
        try git.git("commit", "-q", "--allow-empty", "-m", "base")
        try git.git("checkout", "-q", "-b", "develop")
        try develop(git)
        try git.git("add", "-A")
        try git.git("commit", "-q", "--allow-empty", "-m", "develop")
        try git.git("checkout", "-q", "master")
        try master(git)
        try git.git("add", "-A")
        try git.git("commit", "-q", "--allow-empty", "-m", "master")
        let repository = try Repository.discover(from: git.path)
        let result = try repository.merge(ours: OID(hex: git.id("master"))!, theirs: OID(hex: git.id("develop"))!)
        if let expected = try? gitsMerge(git, "master", "develop") {
            #expect(result == expected, sourceLocation: sourceLocation)
        } else {
            guard case .conflicts(let paths) = result else {
                Issue.record("git finds conflicts, release merged: \(result)", sourceLocation: sourceLocation)
                return
            }
            #expect(!paths.isEmpty, sourceLocation: sourceLocation)
        }
    }

    /// git's own merge of `theirs` into `ours` (`git merge-tree --write-tree`); throws where
    /// git finds conflicts.
    private func gitsMerge(_ git: GitRepository, _ ours: String, _ theirs: String) throws -> MergeResult {
        .merged(tree: OID(hex: try git.git("merge-tree", "--write-tree", ours, theirs).trimmingCharacters(in: .whitespacesAndNewlines))!)
    }

    private func move(_ git: GitRepository, _ from: String, _ to: String) throws {
        try git.write(to, git.read(from))
        try FileManager.default.removeItem(atPath: git.path + "/" + from)
    }

    /// Changes to different paths are merged tree by tree, leaving alone the subtrees only one
    /// side changed; whatever both sides touched (even alike) goes through libgit2's merge,
    /// so renames, type changes and file names git compares byte for byte come out as git's.
    @Test func treeByTreeMergesAreGitsMerges() throws {
        let nested = { (git: GitRepository) in
            for path in ["a/x/1.txt", "a/x/2.txt", "a/y/3.txt", "b/4.txt", "top.txt", "gone.txt"] { try git.write(path, "\(path)\n") }
        }
        // Disjoint changes, deep and shallow, additions and removals.
        try expectMergeLikeGit(base: nested, master: { git in
            try git.write("a/x/1.txt", "master\n")
            try git.write("c/new.txt", "new\n")
            try FileManager.default.removeItem(atPath: git.path + "/gone.txt")
        }, develop: { git in
            try git.write("a/x/2.txt", "develop\n")
            try git.write("a/y/5.txt", "develop\n")
            try git.write("top.txt", "develop\n")
        })
        // The same change on both sides.
        try expectMergeLikeGit(base: nested, master: { git in try git.write("a/x/1.txt", "same\n") },
                               develop: { git in try git.write("a/x/1.txt", "same\n") })
        // One file renamed two ways: a conflict for git, not two clean copies.
        try expectMergeLikeGit(base: nested, master: { git in
            try move(git, "a/x/1.txt", "m/1.txt")
        }, develop: { git in
            try move(git, "a/x/1.txt", "d/1.txt")
        })
        // A rename on one side, an edit of the same file on the other.
        try expectMergeLikeGit(base: nested, master: { git in
            try move(git, "b/4.txt", "b/renamed.txt")
        }, develop: { git in
            try git.write("b/4.txt", "b/4.txt\nedited\n")
        })
        // A folder replaced by a file, and a mode change.
        try expectMergeLikeGit(base: nested, master: { git in
            try FileManager.default.removeItem(atPath: git.path + "/b")
            try git.write("b", "now a file\n")
        }, develop: { git in
            try git.git("update-index", "--chmod=+x", "top.txt")
            try git.git("checkout", "--", "top.txt")
        })
        // A folder whose two files the two sides deleted one each is gone.
        try expectMergeLikeGit(base: { git in
            try git.write("d/x.txt", "x\n")
            try git.write("d/y.txt", "y\n")
            try git.write("keep.txt", "k\n")
        }, master: { git in
            try FileManager.default.removeItem(atPath: git.path + "/d/x.txt")
        }, develop: { git in
            try FileManager.default.removeItem(atPath: git.path + "/d/y.txt")
        })
        // Names that differ only in Unicode normalisation are two entries to git.
        try expectMergeLikeGit(base: nested, master: { git in try git.write("caf\u{E9}.txt", "nfc\n") },
                               develop: { git in try git.write("cafe\u{301}.txt", "nfd\n") })
    }
}
