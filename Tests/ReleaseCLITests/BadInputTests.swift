import Foundation
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct BadInputTests {
    @Test func notARepository() throws {
        let folder = try Scratch.folder("plain")
        for command in [["status"], ["next-version"], ["init"]] {
            let result = try ReleaseBinary.run(command, in: folder)
            expectRefusal(result, mentioning: "not a git repository")
        }
        let missing = try ReleaseBinary.run(["-C", "/nonexistent/folder", "status"], in: folder)
        expectRefusal(missing, mentioning: "no such folder")
    }

    @Test func bareRepositoryWhereAWorkingTreeIsNeeded() throws {
        let source = try pipelineRepository()
        let bare = Scratch.directory.appendingPathComponent("bare.git")
        try source.git("clone", "-q", "--bare", source.path, bare.path)
        let result = try ReleaseBinary.run(["status"], in: bare)
        expectRefusal(result, mentioning: "bare repository")
        // next-version only reads refs, so it works on a bare mirror.
        let next = try ReleaseBinary.run(["next-version", "--date", "20261121"], in: bare)
        #expect(next.stdout == "release1.0.1-pro-20261121\n")
    }

    @Test func unbornHead() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("empty"))
        for command in [["status"], ["next-version"], ["init"]] {
            let result = try ReleaseBinary.run(command, in: git.url, environment: git.environment)
            expectRefusal(result, mentioning: "has no commits yet")
        }
    }

    @Test func missingFlowBranch() throws {
        let git = try pipelineRepository()
        try git.git("branch", "-D", "testing")
        expectRefusal(try release("status", in: git), mentioning: "the testing branch 'testing' does not exist")
        try git.git("branch", "-m", "master", "main")
        expectRefusal(try release("next-version", in: git), mentioning: "the production branch 'master' does not exist")
    }

    @Test func malformedGitrelease() throws {
        let git = try pipelineRepository()
        try git.write(".gitrelease", "[release\n\tproduction = main\n")
        for command in ["status", "next-version", "init"] {
            expectRefusal(try release(command, in: git), mentioning: "malformed .gitrelease")
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let git = try pipelineRepository()
        for arguments in [
            ["next-version", "--date", "2026-11-21"],
            ["next-version", "--date", "20261341"],
            ["next-version", "--bump", "huge"],
            ["next-version", "--version", "1.2"],
            ["next-version", "--bump", "minor", "--version", "1.2.0"],
            ["status", "--no-such-flag"],
            ["no-such-command"],
        ] {
            let result = try ReleaseBinary.run(arguments, in: git.url, environment: git.environment)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(!result.stderr.isEmpty)
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func helpListsTheWholeCommandSet() throws {
        let git = try pipelineRepository()
        let help = try release("--help", in: git)
        #expect(help.status == 0)
        for command in ["status", "next-version", "init", "changelog", "promote", "cut", "finish", "hotfix",
                        "continue", "abort", "switch-nginx", "nginx"] {
            #expect(help.stdout.contains("\n  \(command) "), "\(command) missing from --help")
        }
    }
}

@Suite(.scratchDirectory)
struct InitCommandTests {
    @Test func writesCommentedDefaultsThatParseToTheDefaults() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        let result = try release("init", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try git.read(".gitrelease")
        #expect(text.contains("# production = master"))
        #expect(text.contains("# tagFormat = release{major}.{minor}.{patch}-pro-{date}"))
        // git itself reads the file, and finds no active key: every line is a default.
        #expect(try git.git("config", "-f", ".gitrelease", "--list").isEmpty)
        #expect(try release("next-version", "--date", "20261121", in: git).stdout == "release1.0.0-pro-20261121\n")
    }

    @Test func createsMissingBranchesAtTheProductionTip() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        try git.git("branch", "develop", "HEAD")
        try git.commit("second")
        let developBefore = try git.id("develop")
        let result = try release("init", "--create-branches", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.id("testing") == (try git.id("master")))
        #expect(try git.id("develop") == developBefore, "an existing branch is left alone")
        #expect(result.stdout.contains("create branch testing"))
    }

    @Test func dryRunChangesNothing() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        let before = try git.snapshot()
        let result = try release("init", "--create-branches", "--dry-run", in: git)
        #expect(result.status == 0)
        #expect(result.stdout.contains("would write"))
        #expect(result.stdout.contains("would create branch develop"))
        #expect(try git.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent(".gitrelease").path))
    }

    @Test func existingFileIsNeverOverwritten() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        try git.write(".gitrelease", "[release]\n\tproduction = master\n")
        let result = try release("init", in: git)
        #expect(result.status == 0)
        #expect(result.stdout.contains("kept"))
        #expect(try git.read(".gitrelease") == "[release]\n\tproduction = master\n")
    }

    @Test func createBranchesNeedsTheProductionBranch() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"), branch: "trunk")
        try git.commit("initial")
        let before = try git.snapshot()
        expectRefusal(try release("init", "--create-branches", in: git), mentioning: "production branch 'master'")
        #expect(try git.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent(".gitrelease").path))
    }
}
