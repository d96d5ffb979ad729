import Foundation
import Testing
import TestSupport

/// After a command moves the checked-out branch, the working tree is what `git checkout`
/// would make: filters run (Git LFS, any clean/smudge driver), a sparse checkout kept.
@Suite(.scratchDirectory)
struct WorkingTreeFidelityTests {
    /// The flow repository with `setUp` applied on master (then merged everywhere), and on
    /// develop the files `work` writes, committed; master checked out, promoted, ready to cut.
    func repository(setUp: (GitRepository) throws -> Void, work: (GitRepository) throws -> Void) throws -> GitRepository {
        let git = try flowRepository(checkout: "master")
        try changeOnMaster(git) { try setUp(git) }
        try git.git("checkout", "-q", "develop")
        try work(git)
        try git.git("checkout", "-q", "master")
        #expect(try release("promote", in: git).status == 0)
        return git
    }

    /// Every file of `branch` as a fresh `git worktree add` of it writes them.
    func expectSameAsGitCheckout(_ git: GitRepository, paths: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let oracle = Scratch.directory.appendingPathComponent("oracle-\(UUID().uuidString)")
        try git.git("worktree", "add", "-q", "--detach", oracle.path, "master")
        defer { _ = try? git.git("worktree", "remove", "--force", oracle.path) }
        for path in paths {
            let ours = FileManager.default.contents(atPath: git.path + "/" + path)
            let theirs = FileManager.default.contents(atPath: oracle.path + "/" + path)
            #expect(ours != nil && ours == theirs, "\(path) as git checks it out", sourceLocation: sourceLocation)
        }
        #expect(try git.git("status", "--porcelain").isEmpty, sourceLocation: sourceLocation)
    }

    @Test(arguments: ["cut", "killed and continued"])
    func gitLFSFilesAreSmudged(_ how: String) throws {
        let payload = String(repeating: "large binary payload\n", count: 200)
        let git = try repository(setUp: { git in
            try git.git("lfs", "install", "--local")
            try git.write(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n")
            try git.git("add", ".gitattributes")
            try git.git("commit", "-q", "-m", "track binaries with LFS")
        }, work: { git in
            try git.write("model.bin", payload)
            try git.git("add", "model.bin")
            try git.git("commit", "-q", "-m", "feat: ship the model")
        })
        #expect(try git.git("show", "develop:model.bin").hasPrefix("version https://git-lfs.github.com/spec/v1"))
        if how == "cut" {
            let result = try release("cut", "--date", "20261121", in: git)
            #expect(result.status == 0, "\(result.stderr)")
        } else {
            var environment = git.environment
            environment["RELEASE_TEST_CRASH_AT"] = "moved-1"
            #expect(try ReleaseBinary.run(["cut", "--date", "20261121"], in: git.url, environment: environment).status != 0)
            let result = try release("continue", in: git)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try git.read("model.bin") == payload, "the file, not the LFS pointer")
        try expectSameAsGitCheckout(git, paths: ["model.bin", "ChangeLog.md", ".gitattributes"])
    }

    @Test func aCleanSmudgeFilterRuns() throws {
        let git = try repository(setUp: { git in
            // Stored in lower case, checked out in upper case.
            try git.git("config", "filter.shout.smudge", "tr a-z A-Z")
            try git.git("config", "filter.shout.clean", "tr A-Z a-z")
            try git.write(".gitattributes", "*.txt filter=shout\n")
            try git.git("add", ".gitattributes")
            try git.git("commit", "-q", "-m", "shout")
        }, work: { git in
            try git.write("notes.txt", "hello release\n")
            try git.git("add", "notes.txt")
            try git.git("commit", "-q", "-m", "feat: notes")
        })
        #expect(try git.git("show", "develop:notes.txt") == "hello release\n")
        // A status check through libgit2 alone would call every smudged file modified.
        let result = try release("cut", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.read("notes.txt") == "HELLO RELEASE\n")
        try expectSameAsGitCheckout(git, paths: ["notes.txt", "ChangeLog.md"])
    }

    /// `git sparse-checkout` writes its switch to config.worktree under extensions.worktreeConfig;
    /// with repository format version 1 (as a partial clone has it) libgit2 1.5 used to refuse it.
    @Test(arguments: [0, 1])
    func aSparseCheckoutIsKept(formatVersion: Int) throws {
        let git = try repository(setUp: { git in
            try git.commit("big assets", file: "assets/big.txt", content: "big\n")
            try git.commit("app", file: "app/main.txt", content: "main\n")
        }, work: { git in
            try git.commit("feat: bigger assets", file: "assets/big.txt", content: "bigger\n")
            try git.commit("feat: app change", file: "app/main.txt", content: "main 2\n")
        })
        try git.git("sparse-checkout", "set", "app")
        try git.git("config", "core.repositoryformatversion", "\(formatVersion)")
        #expect(try git.git("config", "--worktree", "core.sparseCheckout") == "true\n")
        #expect(!FileManager.default.fileExists(atPath: git.path + "/assets/big.txt"))
        #expect(try release("status", in: git).stdout.contains("working tree clean"))
        let result = try release("cut", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: git.path + "/assets/big.txt"), "still outside the sparse set")
        #expect(try git.read("app/main.txt") == "main 2\n")
        #expect(try git.read("ChangeLog.md").contains("## release1.0.1-pro-20261121"))
        #expect(try git.git("status", "--porcelain").isEmpty)
        #expect(try git.git("ls-files", "-t", "assets/big.txt").hasPrefix("S "), "still skip-worktree")
        #expect(try git.git("show", ":assets/big.txt") == "bigger\n", "the index follows the branch")
    }

    @Test func aSparseCheckoutIsKeptThroughAKillAndAbort() throws {
        let git = try repository(setUp: { git in
            try git.commit("big assets", file: "assets/big.txt", content: "big\n")
        }, work: { git in
            try git.commit("feat: bigger assets", file: "assets/big.txt", content: "bigger\n")
            try git.commit("feat: app", file: "app/main.txt", content: "main\n")
        })
        try git.git("sparse-checkout", "set", "app")
        let before = try git.snapshot()
        var environment = git.environment
        environment["RELEASE_TEST_CRASH_AT"] = "tree-updated"
        #expect(try ReleaseBinary.run(["cut", "--date", "20261121"], in: git.url, environment: environment).status != 0)
        let result = try release("abort", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: git.path + "/assets/big.txt"))
        #expect(try git.git("show", ":assets/big.txt") == "big\n")
    }

    /// git's read-tree trusts the index's stat data: a file touched but unchanged must not
    /// block the move, whether touched before the command (even when `git status` may not save
    /// its refresh) or by a hook after the plan is made (the index is refreshed again after
    /// any program).
    @Test(arguments: ["before", "before, with GIT_OPTIONAL_LOCKS=0", "by the pre-release-cut hook"])
    func aTouchedButUnchangedFileDoesNotBlock(_ when: String) throws {
        let git = try repository(setUp: { git in
            try git.git("config", "filter.shout.smudge", "tr a-z A-Z")
            try git.git("config", "filter.shout.clean", "tr A-Z a-z")
            try git.write(".gitattributes", "*.txt filter=shout\n")
            try git.git("add", ".gitattributes")
            try git.commit("shout and settings", file: "settings.cfg", content: "v1\n")
        }, work: { git in
            try git.commit("feat: new settings", file: "settings.cfg", content: "v2\n")
        })
        let later = Date().addingTimeInterval(30)
        if when.hasPrefix("before") {
            try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: git.path + "/settings.cfg")
        } else {
            let hook = git.path + "/.git/hooks/pre-release-cut"
            try "#!/bin/sh\ntouch -d @\(Int(later.timeIntervalSince1970)) settings.cfg\n".write(toFile: hook, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        }
        var environment = git.environment
        if when.hasSuffix("=0") { environment["GIT_OPTIONAL_LOCKS"] = "0" }
        let result = try ReleaseBinary.run(["cut", "--date", "20261121"], in: git.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.read("settings.cfg") == "v2\n")
        try expectSameAsGitCheckout(git, paths: ["settings.cfg", "ChangeLog.md"])
    }
}
