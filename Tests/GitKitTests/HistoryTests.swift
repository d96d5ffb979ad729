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

@Suite(.scratchDirectory)
struct LogOrderTests {
    /// Plain `git log` order, which the changelog must reproduce line for line.
    func gitLog(_ git: GitRepository, _ arguments: [String]) throws -> [String] {
        try git.git(["log", "--format=%H"] + arguments).split(separator: "\n").map(String.init)
    }

    /// Whether no commit in `ids` comes after one of its parents.
    func isTopological(_ git: GitRepository, _ ids: [String]) throws -> Bool {
        if ids.isEmpty { return true }
        var position: [String: Int] = [:]
        for (offset, id) in ids.enumerated() { position[id] = offset }
        let lines = try git.git(["rev-list", "--parents", "--no-walk=unsorted"] + ids).split(separator: "\n")
        for line in lines {
            let fields = line.split(separator: " ").map(String.init)
            for parent in fields.dropFirst() {
                if let parentPosition = position[parent], parentPosition < position[fields[0]]! { return false }
            }
        }
        return true
    }

    /// Exactly `git log`'s order when that order keeps every parent after its children; when
    /// equal timestamps make git print a parent first, the same commits with ancestry respected.
    /// One repository walks range after range, each starting from the commits the walks before
    /// it read, and every list is still git's, with and without a commit-graph.
    @Test(arguments: [false, true])
    func walksThatFollowEarlierWalksAreGits(_ graph: Bool) throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let tags = try HistoryGenerator(commits: 300, seed: 3).generate(into: git)
        if graph { try git.git("commit-graph", "write", "--reachable") }
        let names = tags + ["develop", "testing", "master"]
        let repository = try Repository.discover(from: git.path)
        var random = SeededRandom(seed: 9)
        for _ in 0..<40 {
            let (tip, hidden) = (names[random.next(upTo: names.count)], names[random.next(upTo: names.count)])
            let range = try RevisionRange(tips: [repository.resolveCommit(tip)], hidden: [repository.resolveCommit(hidden)])
            let expected = try git.git("rev-list", "--date-order", tip, "^" + hidden).split(separator: "\n").map(String.init)
            #expect(try repository.commitIDs(in: range).map(\.hex) == expected, "\(hidden)..\(tip)")
            let noMerges = try git.git("log", "--no-merges", "--format=%H %an", "\(hidden)..\(tip)").split(separator: "\n").map(String.init)
            #expect(try repository.log(range, skipMerges: true).map { "\($0.id.hex) \($0.author.name)" } == noMerges, "\(hidden)..\(tip)")
        }
    }

    /// Under clock skew git's answer depends on which commits its walk parsed, so a walk that
    /// follows others must see only what it parsed itself: every count, in every order of walks,
    /// is a fresh `git rev-list --count`'s (the trial's case: two roots, an octopus, skewed dates).
    @Test func earlierWalksDoNotChangeAnAnswerUnderClockSkew() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let tree = try git.git(["mktree"], input: Data()).trimmingCharacters(in: .whitespacesAndNewlines)
        var ids: [String: String] = [:]
        for (name, date, parents) in [("A", 1767312361, [String]()), ("B", 1767347431, ["A"]), ("C", 1767296932, []),
                                      ("D", 1767561613, ["B", "C"]), ("E", 1767147715, ["B", "C", "D"]),
                                      ("F", 1767351241, ["D", "E"]), ("G", 1766959951, ["D", "F"]), ("H", 1766898111, ["G", "E"])] {
            let arguments = ["commit-tree", tree, "-m", name] + parents.flatMap { ["-p", ids[$0]!] }
            ids[name] = try git.git(arguments, environment: ["GIT_COMMITTER_DATE": "\(date) +0000"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let names = ids.keys.sorted()
        // nil: the whole history of the tip, after which every commit is known.
        let pairs = names.flatMap { tip in names.map { (tip, $0 as String?) } }
        let whole = names.map { ($0, nil as String?) }
        // status's three counts, as the trial found them, then every pair in several orders.
        let status: [(String, String?)] = [("E", "F"), ("F", "H"), ("H", "E")]
        for order in [status, pairs, pairs.reversed(), whole + pairs, whole.reversed() + pairs.reversed()] {
            let repository = try Repository.discover(from: git.path)
            for (tip, hidden) in order {
                let spec = [ids[tip]!] + (hidden.map { ["^" + ids[$0]!] } ?? [])
                let expected = try git.git(["rev-list", "--count"] + spec).trimmingCharacters(in: .whitespacesAndNewlines)
                let range = RevisionRange(tips: [OID(hex: ids[tip]!)!], hidden: hidden.map { [OID(hex: ids[$0]!)!] } ?? [])
                #expect(try repository.count(range) == Int(expected)!, "\(hidden ?? "")..\(tip)")
            }
        }
    }

    func expectGitLogOrder(_ git: GitRepository, _ ids: [String], _ arguments: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try gitLog(git, arguments)
        if try isTopological(git, expected) {
            #expect(ids == expected, "\(arguments)", sourceLocation: sourceLocation)
        } else {
            #expect(ids.count == expected.count && Set(ids) == Set(expected), "\(arguments)", sourceLocation: sourceLocation)
            #expect(try isTopological(git, ids), "\(arguments)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [HistoryGenerator.Clock.steady, .sameSecond])
    func matchesGitLogOrderEvenWhenTimestampsTie(_ clock: HistoryGenerator.Clock) throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        var generator = HistoryGenerator(commits: 300, seed: 11)
        generator.clock = clock
        let tags = try generator.generate(into: git)
        let repository = try Repository.discover(from: git.path)
        let ranges = [(tags[0], "develop"), (tags[1], "testing"), (tags.last!, "develop"), ("testing", "develop"), ("develop", "master")]
        for (from, to) in ranges {
            let range = try RevisionRange(tips: [repository.resolveCommit(to)], hidden: [repository.resolveCommit(from)])
            try expectGitLogOrder(git, try repository.commitIDs(in: range).map(\.hex), ["\(from)..\(to)"])
            try expectGitLogOrder(git, try repository.log(range, skipMerges: true).map(\.id.hex), ["--no-merges", "\(from)..\(to)"])
        }
        let whole = try RevisionRange(tips: [repository.resolveCommit("develop")])
        try expectGitLogOrder(git, try repository.commitIDs(in: whole).map(\.hex), ["develop"])
        if clock == .steady {
            #expect(try repository.commitIDs(in: whole).map(\.hex) == (try gitLog(git, ["develop"])))
        }
    }

    @Test func tiedTimestampsFollowGitWhereGitKeepsAncestry() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        git.frozenTime = 1_600_000_000
        for index in 1...3 { try git.commit("m\(index)") }
        try git.git("checkout", "-q", "-b", "side", "HEAD~1")
        for index in 4...5 { try git.commit("s\(index)") }
        try git.git("checkout", "-q", "master")
        try git.git("merge", "-q", "--no-ff", "-m", "merge", "side")
        let repository = try Repository.discover(from: git.path)
        let log = try repository.log(RevisionRange(tips: [repository.resolveCommit("master")]))
        // git log prints "merge m3 s5 m2 s4 m1": m2 before its child s4. Ancestry wins.
        #expect(log.map(\.subject) == ["merge", "m3", "s5", "s4", "m2", "m1"])
    }

    @Test func clockSkewKeepsEveryCommitAndNeverPutsAParentFirst() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        var generator = HistoryGenerator(commits: 300, seed: 5)
        generator.clock = .skewed
        let tags = try generator.generate(into: git)
        let repository = try Repository.discover(from: git.path)
        for (from, to) in [(tags[0], "develop"), (tags.last!, "testing"), ("master", "develop")] {
            let range = try RevisionRange(tips: [repository.resolveCommit(to)], hidden: [repository.resolveCommit(from)])
            let ids = try repository.commitIDs(in: range).map(\.hex)
            #expect(Set(ids) == Set(try gitLog(git, ["\(from)..\(to)"])))
            #expect(ids.count == (try gitLog(git, ["\(from)..\(to)"])).count)
            var position: [String: Int] = [:]
            for (offset, id) in ids.enumerated() { position[id] = offset }
            for (offset, id) in ids.enumerated() {
                for parent in try git.git("rev-list", "--parents", "-1", id).split(separator: " ").dropFirst() {
                    let parent = parent.trimmingCharacters(in: .whitespacesAndNewlines)
                    if let parentPosition = position[parent] { #expect(parentPosition > offset) }
                }
            }
        }
    }

    @Test func summariesCarryAuthorAndSubject() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("first")
        try git.rawCommit(message: Data("caf\u{E9}\n".utf8))
        let repository = try Repository.discover(from: git.path)
        let log = try repository.log(RevisionRange(tips: [repository.resolveCommit("HEAD")]))
        let expected = try git.git("log", "--format=%H|%an|%ae|%at|%s").split(separator: "\n")
        #expect(log.map { "\($0.id.hex)|\($0.author.name)|\($0.author.email)|\($0.author.time)|\($0.subject)" } == expected.map(String.init))
        #expect(log.map(\.parentCount) == [1, 0])
    }
}

extension HistoryGenerator.Clock: CustomTestStringConvertible {
    public var testDescription: String { "\(self)" }
}
