import Foundation
import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct ConfigTests {
    @Test func readsAFileWithGitSyntax() throws {
        let file = Scratch.directory.appendingPathComponent("settings")
        try Data("""
            [release]
            \tproduction = main
            \tgroupByType = yes
            [nginx "app1"]
            \thealth = http://127.0.0.1:1/a
            \thealth = http://127.0.0.1:1/b

            """.utf8).write(to: file)
        let config = try Config.file(at: file.path)
        #expect(try config.string("release.production") == "main")
        #expect(try config.string("release.develop") == nil)
        #expect(try config.bool("release.groupByType") == true)
        #expect(try config.strings("nginx.app1.health") == ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"])
        #expect(try config.entries(matching: "^nginx\\.").count == 2)
    }

    @Test func malformedFileThrowsWithTheLine() throws {
        let file = Scratch.directory.appendingPathComponent("broken")
        try Data("[release\n\tproduction = main\n".utf8).write(to: file)
        do {
            _ = try Config.file(at: file.path)
            Issue.record("a malformed file was accepted")
        } catch let error as GitError {
            #expect(error.message.contains("broken:1)"))
        }
    }

    @Test func repositoryLevelOverridesTheUserLevel() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.git("config", "release.remote", "upstream")
        let repository = try Repository.discover(from: git.path)
        #expect(try repository.config().string("release.remote") == "upstream")
    }
}
