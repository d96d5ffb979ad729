import Foundation
@testable import GitKit
import Testing
import TestSupport

/// Walks that read parents and dates from git's commit-graph list exactly what git lists, in
/// git's order, with every shape of graph git writes, and with graphs that are stale, broken
/// or switched off.
@Suite(.scratchDirectory)
struct CommitGraphTests {
    /// A generated release train plus an octopus merge on develop, so the graph needs its EDGE chunk.
    private func history() throws -> (GitRepository, [String]) {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let tags = try HistoryGenerator(commits: 300, seed: 5).generate(into: git)
        try git.git("checkout", "-q", "develop")
        for name in ["o1", "o2", "o3"] {
            try git.git("checkout", "-q", "-b", name, "develop~2")
            try git.commit("octopus \(name)", file: "\(name).txt")
        }
        try git.git("checkout", "-q", "develop")
        try git.git("merge", "-q", "--no-ff", "-m", "octopus", "o1", "o2", "o3")
        return (git, tags)
    }

    /// Every listed range agrees with git: ids, order, non-merge summaries and counts.
    private func expectAgreesWithGit(_ git: GitRepository, _ tags: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repository = try Repository.discover(from: git.path)
        for (from, to) in [(tags[0], "develop"), (tags.last!, "testing"), ("testing", "develop"), ("develop", "master")] {
            let range = try RevisionRange(tips: [repository.resolveCommit(to)], hidden: [repository.resolveCommit(from)])
            let expected = try git.git("-c", "core.commitGraph=false", "log", "--format=%H %s", "\(from)..\(to)").split(separator: "\n").map(String.init)
            let listed = try repository.commitIDs(in: range).map(\.hex)
            #expect(listed == expected.map { String($0.prefix(40)) }, "\(from)..\(to)", sourceLocation: sourceLocation)
            let summaries = try repository.log(range, skipMerges: true).map { "\($0.id.hex) \($0.subject)" }
            let noMerges = try git.git("-c", "core.commitGraph=false", "log", "--no-merges", "--format=%H %s", "\(from)..\(to)").split(separator: "\n").map(String.init)
            #expect(summaries == noMerges, "\(from)..\(to) without merges", sourceLocation: sourceLocation)
            #expect(try repository.count(range) == expected.count, sourceLocation: sourceLocation)
        }
        // Ancestry, answered from the graph's levels where it can be, both ways round.
        let names = Array(tags.prefix(3)) + [tags.last!, "develop", "testing", "master", "o1", "develop~3"]
        for one in names {
            for other in names {
                let expected = (try? git.git("-c", "core.commitGraph=false", "merge-base", "--is-ancestor", one, other)) != nil
                let answer = try repository.isAncestor(repository.resolveCommit(one), of: repository.resolveCommit(other))
                #expect(answer == expected, "\(one) ancestor of \(other)", sourceLocation: sourceLocation)
            }
        }
    }

    /// A split chain of two layers, with a commit on testing between them; `then` runs on
    /// testing after the second layer is written.
    private func writeTwoLayers(_ git: GitRepository, then: () throws -> Void = {}) throws {
        try git.git("checkout", "-q", "testing")
        try git.git("commit-graph", "write", "--reachable", "--split")
        try git.commit("after the first layer")
        try git.git("commit-graph", "write", "--reachable", "--split=no-merge")
        try then()
        try git.git("checkout", "-q", "develop")
    }

    /// How many commits release reads from the graph (nil: it does not use one).
    private func graphCount(_ git: GitRepository) throws -> Int? {
        CommitGraphFile.open(try Repository.discover(from: git.path)).map { Int($0.count) }
    }

    private func graphFiles(_ git: GitRepository) -> [String] {
        let info = git.path + "/.git/objects/info"
        let chain = (try? FileManager.default.contentsOfDirectory(atPath: info + "/commit-graphs")) ?? []
        return (FileManager.default.fileExists(atPath: info + "/commit-graph") ? ["commit-graph"] : []) + chain.sorted()
    }

    @Test func aSingleGraphFileWithOctopusMerges() throws {
        let (git, tags) = try history()
        try git.git("commit-graph", "write", "--reachable")
        #expect(graphFiles(git) == ["commit-graph"])
        #expect(try graphCount(git) == git.count("--all"))
        try expectAgreesWithGit(git, tags)
    }

    @Test func aSplitChainAndCommitsNewerThanTheGraph() throws {
        let (git, tags) = try history()
        try writeTwoLayers(git) {
            try git.commit("after the second layer")  // in no layer: read from the object itself
        }
        #expect(graphFiles(git).filter { $0.hasSuffix(".graph") }.count == 2)
        #expect(try graphCount(git) == git.count("--all") - 1)
        try expectAgreesWithGit(git, tags)
    }

    @Test func mergeBasesAndMergesFromTheGraphMatchGit() throws {
        let (git, tags) = try history()
        try git.git("commit-graph", "write", "--reachable")
        try expectMergesAgreeWithGit(git, tags)
    }

    @Test func commitsNewerThanTheGraphAreReadFromTheirObjects() throws {
        let (git, tags) = try history()
        try git.git("commit-graph", "write", "--reachable")
        for branch in ["master", "testing", "develop"] {
            try git.git("checkout", "-q", branch)
            try git.commit("\(branch) after the graph", file: "\(branch)-new.txt")
        }
        try git.git("checkout", "-q", "testing")
        try git.git("merge", "-q", "--no-ff", "-m", "merge after the graph", "master")
        try expectMergesAgreeWithGit(git, tags)
        try expectAgreesWithGit(git, tags)
    }

    /// `strict`: every single base comes from the graph; otherwise the graph may decline
    /// (nil, libgit2 answers) but never answer wrong.
    private func expectMergesAgreeWithGit(_ git: GitRepository, _ tags: [String], strict: Bool = true,
                                          sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repository = try Repository.discover(from: git.path)
        let names = Array(tags.prefix(2)) + [tags.last!, "develop", "testing", "master", "o1", "o2", "develop~3"]
        for one in names {
            guard let graph = repository.graphCommits() else { break }
            for other in names {
                let (a, b) = try (repository.resolveCommit(one), repository.resolveCommit(other))
                let all = try git.git("-c", "core.commitGraph=false", "merge-base", "--all", one, other).split(separator: "\n").map(String.init)
                let found = try graph.mergeBase(a, b)
                if all.count == 1 {
                    #expect(found??.hex == all[0] || (!strict && found == nil), "\(one) \(other)", sourceLocation: sourceLocation)
                } else {
                    #expect(found == nil, "several bases of \(one) and \(other) are left to libgit2", sourceLocation: sourceLocation)
                }
            }
        }
        for (ours, theirs) in [("master", "testing"), ("testing", "develop"), ("master", "develop"), ("o1", "o2"), (tags[1], "develop")] {
            let result = try repository.merge(ours: repository.resolveCommit(ours), theirs: repository.resolveCommit(theirs))
            if let expected = try? git.git("-c", "core.commitGraph=false", "merge-tree", "--write-tree", ours, theirs).trimmingCharacters(in: .whitespacesAndNewlines) {
                #expect(result == .merged(tree: OID(hex: expected)!), "\(theirs) into \(ours)", sourceLocation: sourceLocation)
            } else {
                guard case .conflicts(let paths) = result else {
                    Issue.record("\(theirs) into \(ours) conflicts for git", sourceLocation: sourceLocation)
                    continue
                }
                #expect(!paths.isEmpty, sourceLocation: sourceLocation)
            }
        }
    }

    @Test func crissCrossMergesAreLeftToLibgit2() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("root", file: "a.txt")
        try git.git("branch", "other")
        try git.commit("one", file: "b.txt")
        try git.git("checkout", "-q", "other")
        try git.commit("two", file: "c.txt")
        try git.git("merge", "-q", "--no-ff", "-m", "cross 1", "master")
        try git.git("checkout", "-q", "master")
        try git.git("merge", "-q", "--no-ff", "-m", "cross 2", "other~1")
        try git.git("checkout", "-q", "other")
        try git.commit("three", file: "d.txt")
        try git.git("checkout", "-q", "master")
        try git.commit("four", file: "e.txt")
        try git.git("commit-graph", "write", "--reachable")
        let repository = try Repository.discover(from: git.path)
        #expect(try git.git("merge-base", "--all", "master", "other").split(separator: "\n").count == 2)
        let graph = try #require(repository.graphCommits())
        #expect(try graph.mergeBase(repository.resolveCommit("master"), repository.resolveCommit("other")) == nil)
        let result = try repository.merge(ours: repository.resolveCommit("master"), theirs: repository.resolveCommit("other"))
        let expected = try git.git("merge-tree", "--write-tree", "master", "other").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(result == .merged(tree: OID(hex: expected)!))
    }

    @Test func aBrokenGraphIsIgnored() throws {
        let (git, tags) = try history()
        try git.git("commit-graph", "write", "--reachable")
        let path = git.path + "/.git/objects/info/commit-graph"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))  // chunks past the end
        #expect(try graphCount(git) == nil)
        try expectAgreesWithGit(git, tags)
        var header = whole
        header[4] = 9  // a version release does not know
        try header.write(to: URL(fileURLWithPath: path))
        #expect(try graphCount(git) == nil)
        try expectAgreesWithGit(git, tags)
    }

    /// Where a chunk starts in a graph file (chunk ids as in the format: "OIDF", "OIDL", "CDAT").
    private func chunk(_ id: String, in data: Data) -> Int {
        let count = Int(data[6])
        for index in 0..<count {
            let entry = 8 + index * 12
            if data[entry..<(entry + 4)].elementsEqual(id.utf8) {
                return data[(entry + 4)..<(entry + 12)].reduce(0) { $0 << 8 | Int($1) }
            }
        }
        return -1
    }

    @Test func aDamagedGraphIsIgnoredNotHalfTrusted() throws {
        let (git, tags) = try history()
        try git.git("commit-graph", "write", "--reachable")
        let path = git.path + "/.git/objects/info/commit-graph"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let ids = try git.git("rev-list", "--all").split(separator: "\n").map(String.init).sorted()
        let develop = try #require(ids.firstIndex(of: try git.id("develop")))
        let damages: [(String, (inout Data) -> Void, Bool)] = [
            ("a chunk offset past any file", { $0[12] |= 0x80 }, true),
            ("a fanout entry out of order", { data in data[self.chunk("OIDF", in: data) + 128 * 4 + 2] ^= 0x04 }, true),
            ("an id out of its bucket", { data in data[self.chunk("OIDL", in: data) + ids.count / 2 * 20] ^= 0x40 }, true),
            ("the tip's parent", { data in data[self.chunk("CDAT", in: data) + develop * 36 + 23] ^= 0x01 }, false),
        ]
        for (name, damage, ignored) in damages {
            var data = whole
            damage(&data)
            try data.write(to: URL(fileURLWithPath: path))
            if ignored { #expect(try graphCount(git) == nil, "\(name)") }
            try expectAgreesWithGit(git, tags)
            try expectMergesAgreeWithGit(git, tags, strict: false)
        }
    }

    @Test func aChainWhoseLayersDoNotFitIsIgnored() throws {
        let (git, tags) = try history()
        try writeTwoLayers(git)
        let chain = git.path + "/.git/objects/info/commit-graphs/commit-graph-chain"
        let lines = try String(contentsOfFile: chain, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        for broken in [[lines[1]], [lines[1], lines[0]]] {
            try (broken.joined(separator: "\n") + "\n").write(toFile: chain, atomically: true, encoding: .utf8)
            #expect(try graphCount(git) == nil)
            try expectAgreesWithGit(git, tags)
        }
    }

    @Test func aGraphGitWouldNotUseIsNotUsedEither() throws {
        let (git, tags) = try history()
        try git.git("commit-graph", "write", "--reachable")
        try git.git("config", "core.commitGraph", "false")
        #expect(try graphCount(git) == nil)
        try expectAgreesWithGit(git, tags)
    }
}
