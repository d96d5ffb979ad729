import CLibDeflate
import Foundation
@testable import GitKit
import Testing
import TestSupport

/// Commits read straight from pack files are byte for byte what git reads, whatever shape the
/// packs take; what the reader does not take (loose objects, deltas, other kinds of object,
/// damaged packs) is read by libgit2 or refused, never read wrong.
@Suite(.scratchDirectory)
struct PackFilesTests {
    private func history() throws -> GitRepository {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        #expect(try !HistoryGenerator(commits: 200, seed: 11).generate(into: git).isEmpty)
        return git
    }

    private func commits(_ git: GitRepository) throws -> [String] {
        try git.git("rev-list", "--all").split(separator: "\n").map(String.init)
    }

    /// Every commit read through a `CommitReader` equals `git cat-file commit`; returns how many
    /// of them the packs held whole.
    @discardableResult
    private func expectReadsAgreeWithGit(_ git: GitRepository, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let repository = try Repository.discover(from: git.path)
        let reader = try CommitReader(repository)
        let decompressor = libdeflate_alloc_decompressor()!
        defer { libdeflate_free_decompressor(decompressor) }
        var whole = 0
        for hex in try commits(git) {
            let id = OID(hex: hex)!
            let expected = try git.git("cat-file", "commit", hex)
            #expect(String(decoding: try reader.read(id), as: UTF8.self) == expected, "\(hex)", sourceLocation: sourceLocation)
            let entry = repository.packFiles?.entry(id, decompressor: decompressor) {
                UnsafeMutableRawPointer.allocate(byteCount: $0, alignment: 8)
            }
            if case .commit(let bytes) = entry {
                #expect(String(decoding: bytes, as: UTF8.self) == expected, sourceLocation: sourceLocation)
                UnsafeMutableRawPointer(mutating: bytes.baseAddress!).deallocate()
                whole += 1
            }
        }
        return whole
    }

    @Test func packedCommitsAreReadFromThePackAsGitReadsThem() throws {
        let git = try history()
        let all = try commits(git).count
        #expect(try expectReadsAgreeWithGit(git) == all)
        // Repacked by git itself, and with every offset in the index's 64-bit table.
        try git.git("repack", "-adq")
        #expect(try expectReadsAgreeWithGit(git) == all)
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: git.path + "/.git/objects/pack").first { $0.hasSuffix(".pack") })
        let index = git.path + "/.git/objects/pack/" + pack.dropLast(5) + ".idx"
        try FileManager.default.removeItem(atPath: index)
        _ = try git.git("index-pack", "--index-version=2,1000", "-o", index, git.path + "/.git/objects/pack/" + pack)
        let objects = try git.git("count-objects", "-v").split(separator: "\n").first { $0.hasPrefix("in-pack: ") }!.dropFirst(9)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: index)[.size] as? Int)
        #expect(size > 8 + 1024 + Int(objects)! * 28 + 40, "the index has 64-bit offsets")
        #expect(try expectReadsAgreeWithGit(git) == all)
    }

    @Test func looseCommitsAndSeveralPacksAreAllFound() throws {
        let git = try history()
        let packed = try commits(git).count
        try git.git("checkout", "-q", "develop")
        for index in 1...3 { try git.commit("loose \(index)") }
        #expect(try expectReadsAgreeWithGit(git) == packed)
        try git.git("repack", "-q")  // a second pack with the loose commits
        #expect(try FileManager.default.contentsOfDirectory(atPath: git.path + "/.git/objects/pack").filter { $0.hasSuffix(".pack") }.count == 2)
        #expect(try expectReadsAgreeWithGit(git) == packed + 3)
    }

    @Test func deltifiedCommitsAreLeftToLibgit2() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        // Long messages that differ in one line, so git stores most of them as deltas.
        let body = (1...200).map { "line \($0) of a long and repetitive description" }.joined(separator: "\n")
        for index in 1...30 { try git.commit("change \(index)\n\n\(body)\n\(index)") }
        try git.git("repack", "-adfq", "--window=50", "--depth=50")
        let all = try commits(git).count
        let whole = try expectReadsAgreeWithGit(git)
        #expect(whole < all)
        // The walk over them lists what git lists.
        let repository = try Repository.discover(from: git.path)
        let range = RevisionRange(tips: [try repository.resolveCommit("HEAD")], hidden: [])
        #expect(try repository.log(range, skipMerges: true).map(\.subject) == git.git("log", "--pretty=%s").split(separator: "\n").map(String.init))
    }

    /// Past 2,048 commits the summaries are read in parts on several threads; the list is
    /// still git's, in git's order, with and without a commit-graph, loose commits included.
    @Test func aLongListReadInPartsIsWhatGitLists() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        _ = try HistoryGenerator(commits: 3000, seed: 3).generate(into: git)
        for index in 1...3 { try git.commit("loose \(index)") }
        let expected = try git.git("log", "--no-merges", "--format=%H %an <%ae> %s", "develop").split(separator: "\n").map(String.init)
        #expect(expected.count > 2048)
        for graph in [false, true] {
            if graph { try git.git("commit-graph", "write", "--reachable") }
            let repository = try Repository.discover(from: git.path)
            #expect((repository.commitGraph != nil) == graph)
            let range = RevisionRange(tips: [try repository.resolveCommit("develop")], hidden: [])
            let listed = try repository.log(range, skipMerges: true).map { "\($0.id.hex) \($0.author.name) <\($0.author.email)> \($0.subject)" }
            #expect(listed == expected, "graph: \(graph)")
        }
    }

    @Test func otherObjectsAreNotCommits() throws {
        let git = try history()
        let repository = try Repository.discover(from: git.path)
        let reader = try CommitReader(repository)
        let blob = try git.git("ls-tree", "develop").split(separator: "\n").first { $0.contains(" blob ") }!.split(separator: " ")[2].prefix(40)
        let tag = try git.git("for-each-ref", "--format=%(objectname)", "--count=1", "refs/tags").prefix(40)
        for hex in [try git.id("develop^{tree}"), String(blob), String(tag)] {
            #expect(throws: GitError.self, "\(hex)") { try reader.read(OID(hex: hex)!) }
        }
    }

    @Test func aPackThatDoesNotMatchItsIndexIsLeftToLibgit2() throws {
        let git = try history()
        let folder = git.path + "/.git/objects/pack/"
        let index = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".idx") })
        var data = try Data(contentsOf: URL(fileURLWithPath: folder + index))
        // The pack checksum the index records: a mismatch means another pack.
        data[data.count - 40] ^= 0xFF
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + index)
        try data.write(to: URL(fileURLWithPath: folder + index))
        #expect(PackFiles.open(objects: git.path + "/.git/objects") == nil)
    }

    @Test func aDamagedCommitIsRefusedNotReadWrong() throws {
        let git = try history()
        let folder = git.path + "/.git/objects/pack/"
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".pack") })
        let target = try git.id("develop")
        let offset = try git.git(["show-index"], input: Data(contentsOf: URL(fileURLWithPath: folder + pack.dropLast(5) + ".idx")))
            .split(separator: "\n").first { $0.contains(target) }.map { Int($0.split(separator: " ")[0])! }
        var data = try Data(contentsOf: URL(fileURLWithPath: folder + pack))
        data[try #require(offset) + 8] ^= 0x55  // inside the compressed stream
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + pack)
        try data.write(to: URL(fileURLWithPath: folder + pack))
        let reader = try CommitReader(try Repository.discover(from: git.path))
        #expect(throws: GitError.self) { try reader.read(OID(hex: target)!) }
    }

    @Test func commitsInAnAlternateAreReadByLibgit2() throws {
        let source = try history()
        let clone = Scratch.directory.appendingPathComponent("shared")
        _ = try source.git("clone", "-q", "--shared", source.path, clone.path)
        let git = GitRepository(existing: clone)
        #expect(try Repository.discover(from: git.path).packFiles == nil)
        try expectReadsAgreeWithGit(git)
    }
}
