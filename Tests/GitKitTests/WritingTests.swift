import Foundation
import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct WritingTests {
    let signature = Signature(name: "Rel Ease", email: "rel@example.com", time: 1_750_000_000, offsetMinutes: 120)

    @Test func writesBlobTreeCommitAndTagThatGitReadsBack() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let base = try git.commit("base", file: "docs/ChangeLog.md", content: "# ChangeLog\n")
        try git.write("run.sh", "#!/bin/sh\n")
        try git.git("add", "run.sh")
        try git.git("update-index", "--chmod=+x", "run.sh")
        try git.git("commit", "-q", "-m", "script")
        let head = try OID(hex: git.id("HEAD"))!
        let repository = try Repository.discover(from: git.path)

        #expect(try repository.fileContents(at: "docs/ChangeLog.md", in: OID(hex: base)!) == Array("# ChangeLog\n".utf8))
        #expect(try repository.fileContents(at: "missing.md", in: head) == nil)

        let blob = try repository.writeBlob(Array("# ChangeLog\n\n## new\n".utf8))
        let tree = try repository.tree(of: head, replacing: "docs/ChangeLog.md", with: blob)
        let script = try repository.tree(of: head, replacing: "run.sh", with: blob)
        #expect(try git.git("ls-tree", script.hex, "run.sh").hasPrefix("100755"))

        let message = "ChangeLog for 1.0.0\n\n* line with \"quotes\" & ünïcode\n"
        let commit = try repository.createCommit(tree: tree, parents: [head], message: message,
                                                 author: signature, committer: signature)
        #expect(try git.git("cat-file", "-p", "\(commit.hex):docs/ChangeLog.md") == "# ChangeLog\n\n## new\n")
        #expect(try git.git("log", "-1", "--format=%B", commit.hex) == message + "\n")
        #expect(try git.git("log", "-1", "--format=%an <%ae> %at %ad", "--date=format-local:%z", commit.hex)
            .hasPrefix("Rel Ease <rel@example.com> 1750000000"))
        #expect(try git.git("rev-parse", "\(commit.hex)^").trimmingCharacters(in: .whitespacesAndNewlines) == head.hex)

        let tagMessage = "release1.0.0\n\n* a\n* b — ✓\n\n  indented, and a trailing line   \n"
        let tag = try repository.createTagObject(name: "v1", target: commit, tagger: signature, message: tagMessage)
        #expect(try git.git("cat-file", "-t", tag.hex) == "tag\n")
        let body = try git.git("cat-file", "tag", tag.hex)
        #expect(body.hasSuffix("\n\n" + tagMessage))
        #expect(try git.git("tag", "-l").isEmpty, "only the object is written, no reference")
        try git.git("fsck", "--strict", "--no-dangling")
    }

    @Test func inMemoryObjectsLeaveNoTrace() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base")
        let before = try git.git("count-objects", "-v")
        let repository = try Repository.discover(from: git.path)
        try repository.keepNewObjectsInMemory()
        let blob = try repository.writeBlob(Array("only in memory\n".utf8))
        #expect(try repository.contains(blob))
        #expect(throws: CommandFailed.self) { try git.git("cat-file", "-e", blob.hex) }
        #expect(try git.git("count-objects", "-v") == before)
    }
}
