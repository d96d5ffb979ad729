import Foundation
import GitKit
import Testing
import TestSupport

/// develop and testing with merges both ways, so walks and counts meet real topology.
func branchyHistory() throws -> GitRepository {
    let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
    try git.commit("root")
    try git.git("branch", "develop")
    try git.git("checkout", "-q", "develop")
    for index in 1...3 { try git.commit("feature \(index)") }
    try git.git("checkout", "-q", "-b", "side", "develop~1")
    try git.commit("side work")
    try git.git("checkout", "-q", "develop")
    try git.git("merge", "--no-ff", "-q", "-m", "Merge branch 'side' into develop", "side")
    try git.commit("after merge")
    try git.git("checkout", "-q", "master")
    try git.commit("hotfix on master")
    try git.git("merge", "--no-ff", "-q", "-m", "Merge branch 'develop'", "develop")
    try git.git("checkout", "-q", "develop")
    try git.commit("newest on develop")
    return git
}

@Suite(.scratchDirectory)
struct HistoryTests {
    @Test func walkMatchesRevListDateOrder() throws {
        let git = try branchyHistory()
        let repository = try Repository.discover(from: git.path)
        let develop = try OID(hex: git.id("develop"))!
        let master = try OID(hex: git.id("master"))!
        for (tips, hidden, spec) in [
            ([develop], [OID](), ["develop"]),
            ([develop], [master], ["develop", "^master"]),
            ([master], [develop], ["master", "^develop"]),
            ([master, develop], [], ["master", "develop"]),
        ] {
            let expected = try git.git(["rev-list", "--date-order"] + spec).split(separator: "\n").map(String.init)
            let range = RevisionRange(tips: tips, hidden: hidden)
            #expect(try repository.commitIDs(in: range).map(\.hex) == expected)
            #expect(try repository.count(range) == expected.count)
            let noMerges = try git.git(["rev-list", "--date-order", "--no-merges"] + spec).split(separator: "\n").map(String.init)
            #expect(try repository.commitIDs(in: range, skipMerges: true).map(\.hex) == noMerges)
            #expect(try repository.commits(in: range, skipMerges: true).map(\.id.hex) == noMerges)
        }
    }

    @Test func ancestryAndMergeBaseAgreeWithGit() throws {
        let git = try branchyHistory()
        let repository = try Repository.discover(from: git.path)
        let names = ["master", "develop", "side", "develop~2", "master~1"]
        for a in names {
            for b in names {
                let oidA = try OID(hex: git.id(a))!
                let oidB = try OID(hex: git.id(b))!
                let isAncestor = (try? git.git("merge-base", "--is-ancestor", a, b)) != nil
                #expect(try repository.isAncestor(oidA, of: oidB) == isAncestor, "\(a) ancestor of \(b)")
                let base = try git.git("merge-base", a, b).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(try repository.mergeBase(oidA, oidB)?.hex == base)
            }
        }
    }

    @Test func unrelatedHistoriesHaveNoMergeBase() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let one = try git.commit("one")
        try git.git("checkout", "-q", "--orphan", "other")
        let two = try git.commit("two")
        let repository = try Repository.discover(from: git.path)
        #expect(try repository.mergeBase(OID(hex: one)!, OID(hex: two)!) == nil)
    }
}
