import Foundation
import Testing
import TestSupport

/// git's hooks that mean something for what release does, and release's own.
@Suite(.scratchDirectory)
struct HookTests {
    func hook(_ git: GitRepository, _ name: String, _ body: String, folder: String = ".git/hooks", executable: Bool = true) throws {
        try Scratch.writeScript("#!/bin/sh\n\(body)\n", to: git.url.appendingPathComponent(folder).appendingPathComponent(name), executable: executable)
    }

    var record: String { Scratch.directory.appendingPathComponent("hook.log").path }
    func recorded() -> String { (try? String(contentsOfFile: record, encoding: .utf8)) ?? "" }

    @Test func commitMsgEditsOrRefusesTheCommitsReleaseWrites() throws {
        let git = try flowRepository()
        try hook(git, "commit-msg", "printf '\\nReviewed-by: the hook\\n' >> \"$1\"")
        #expect(try release("promote", in: git).status == 0)
        #expect(try git.message("testing") == "Merge branch 'develop' into testing\n\nReviewed-by: the hook\n\n")
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        #expect(try git.message("master").contains("ChangeLog for release1.0.1-pro-20261121\n\nReviewed-by: the hook"))

        try git.git("checkout", "-q", "develop")
        try git.commit("feat: more")
        try hook(git, "commit-msg", "exit 3")
        try expectRefusedUntouched(git, "promote", mentioning: "the commit-msg hook")
        try hook(git, "commit-msg", "printf 'bin\\000ary' > \"$1\"")
        try expectRefusedUntouched(git, "promote", mentioning: "a NUL byte")
        #expect(try release("promote", "--no-verify", in: git).status == 0)
    }

    /// Starts `release arguments`, waits until a hook wrote its pid, sends `signal`, and returns
    /// release's stderr once it has ended; the hook is killed afterwards whatever happened.
    func interrupt(_ arguments: [String], in git: GitRepository, with signal: Int32) throws -> String {
        let log = Scratch.directory.appendingPathComponent("stderr.log")
        let process = try ReleaseBinary.start(arguments, in: git.url, environment: git.environment, stderr: log)
        defer { ReleaseBinary.kill(process) }
        let deadline = Date().addingTimeInterval(20)
        while recorded().isEmpty, Date() < deadline { usleep(10_000) }
        let hookPID = Int32(recorded().trimmingCharacters(in: .whitespacesAndNewlines))
        kill(process.processIdentifier, signal)
        // A hook git started outlives git itself; it is stopped here before waiting, since
        // Process waits for every holder of release's output.
        func said() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        while !said().contains("error:"), Date() < deadline { usleep(10_000) }
        let running = hookPID.map { kill($0, 0) == 0 } ?? false
        if let hookPID { kill(hookPID, SIGKILL) }
        process.waitUntilExit()
        return said() + (running ? "\n(hook still running)" : "")
    }

    @Test func anInterruptDuringAHookIsPassedOnAndNothingChanges() throws {
        let git = try flowRepository()
        try hook(git, "pre-release-promote", "echo $$ > \(record); exec sleep 30")
        let before = try git.snapshot()
        let stderr = try interrupt(["promote"], in: git, with: SIGINT)
        #expect(stderr.contains("the pre-release-promote hook (\(git.path)/.git/hooks/pre-release-promote) was interrupted (SIGINT); nothing was changed"), "\(stderr)")
        #expect(try git.snapshot() == before)
        #expect(!stderr.contains("(hook still running)"), "the hook was stopped")
    }

    @Test func anInterruptDuringThePushSaysTheLocalReleaseIsCompleteAndWhatToRun() throws {
        let git = try flowRepository()
        try hook(git, "pre-push", "echo $$ > \(record); exec sleep 30")
        #expect(try release("promote", in: git).status == 0)
        let stderr = try interrupt(["cut", "--date", "20261121", "--push"], in: git, with: SIGTERM)
        #expect(stderr.contains("was interrupted (SIGTERM); the local release is complete"), "\(stderr)")
        #expect(stderr.contains("release push master release1.0.1-pro-20261121"))
        #expect(try git.git("tag", "-l", "release1.0.1*") == "release1.0.1-pro-20261121\n")
        #expect(try origin(of: git).git("tag", "-l").isEmpty)
    }

    @Test func aHookWithoutShebangRunsWithShAsGitRunsIt() throws {
        let git = try flowRepository()
        try Scratch.writeScript("echo ran > \(record)\n", to: git.url.appendingPathComponent(".git/hooks/pre-release-promote"))
        let result = try release("promote", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(recorded() == "ran\n")
    }

    @Test func prePushGetsGitsArgumentsAndStdinAndNoVerifySkipsIt() throws {
        let git = try flowRepository()
        try hook(git, "pre-push", "echo \"$1 $2\" > \(record); cat >> \(record); [ -z \"$REFUSE\" ]")
        #expect(try release("promote", in: git).status == 0)
        #expect(try release("cut", "--date", "20261121", "--push", in: git).status == 0)
        let lines = recorded()
        #expect(lines.hasPrefix("origin \(origin(of: git).path)\n"), "\(lines)")
        #expect(lines.contains("refs/heads/master \(try git.id("master")) refs/heads/master"))
        #expect(lines.contains("refs/tags/release1.0.1-pro-20261121 \(try git.id("refs/tags/release1.0.1-pro-20261121"))"))

        var environment = git.environment
        environment["REFUSE"] = "1"
        try git.git("checkout", "-q", "develop")
        try git.commit("feat: more")
        #expect(try release("promote", in: git).status == 0)
        let refused = try release("push", "testing", in: git, environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("release push testing"))
        #expect(try origin(of: git).id("testing") != (try git.id("testing")))
        #expect(try release("push", "testing", "--no-verify", in: git, environment: environment).status == 0)
        #expect(try origin(of: git).id("testing") == (try git.id("testing")))
    }

    @Test func preAndPostReleaseHooksGetTheReleaseOnTheirEnvironmentAndStdin() throws {
        let git = try flowRepository()
        let dump = "env | grep ^RELEASE_ | sort >> \(record); echo '--stdin--' >> \(record); cat >> \(record); echo \"--tag: $(git tag -l 'release1.0.1*')\" >> \(record)"
        try hook(git, "pre-release-cut", dump)
        try hook(git, "post-release-cut", dump)
        #expect(try release("promote", in: git).status == 0)
        let master = try git.id("master")
        #expect(try release("cut", "--date", "20261121", "--dry-run", in: git).status == 0)
        #expect(recorded().contains("RELEASE_DRY_RUN=1"), "the pre hook runs in a dry run; the post hook does not")
        #expect(!recorded().contains("RELEASE_DRY_RUN=0"))
        try FileManager.default.removeItem(atPath: record)

        let result = try release("cut", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let runs = recorded().components(separatedBy: "RELEASE_COMMAND=")
        #expect(runs.count == 3, "pre, then post: \(recorded())")
        for run in runs.dropFirst() {
            #expect(run.hasPrefix("cut\n"))
            #expect(run.contains("RELEASE_TAG=release1.0.1-pro-20261121\n"))
            #expect(run.contains("RELEASE_VERSION=1.0.1\n"))
            #expect(run.contains("RELEASE_PREVIOUS_TAG=release1.0.0-pro-20200101\n"))
            #expect(run.contains("RELEASE_FROM=\(master)\n"))
            #expect(run.contains("RELEASE_TO=\(try git.id("master"))\n"))
            #expect(run.contains("RELEASE_DRY_RUN=0\n"))
            #expect(run.contains("RELEASE_OPERATOR="))
            #expect(run.contains("--stdin--\n## release1.0.1-pro-20261121"), "the ChangeLog section: \(run)")
        }
        #expect(runs[1].contains("--tag: \n"), "pre: before anything moved")
        #expect(runs[2].contains("--tag: release1.0.1-pro-20261121\n"), "post: after")
    }

    @Test func aRefusingPreHookChangesNothingAndAFailingPostHookUndoesNothing() throws {
        let git = try flowRepository()
        try hook(git, "pre-release-promote", "exit 1")
        try expectRefusedUntouched(git, "promote", mentioning: "the pre-release-promote hook")
        #expect(try release("promote", "--no-verify", in: git).status == 0)

        try hook(git, "post-release-cut", "echo 'chat is down'; exit 2")
        let result = try release("cut", "--date", "20261121", in: git)
        #expect(result.status == 0)
        #expect(result.stderr.contains("chat is down"))
        #expect(result.stderr.contains("warning: the post-release-cut hook"))
        #expect(try git.git("tag", "-l", "release1.0.1*") == "release1.0.1-pro-20261121\n")
    }

    @Test func hooksComeFromCoreHooksPathNeverFromACommittedFolderAlone() throws {
        let git = try flowRepository()
        try hook(git, "pre-release-promote", "echo committed > \(record); exit 1", folder: ".githooks")
        try git.git("add", ".githooks")
        try git.git("commit", "-q", "-m", "hooks")
        #expect(try release("promote", in: git).status == 0, "a committed hook does not run by itself")
        #expect(recorded().isEmpty)

        try git.git("config", "core.hooksPath", ".githooks")
        try git.git("checkout", "-q", "develop")
        try git.commit("feat: more")
        try expectRefusedUntouched(git, "promote", mentioning: "pre-release-promote hook (\(git.path)/.githooks/pre-release-promote)")

        try hook(git, "pre-release-promote", "exit 1", folder: ".githooks", executable: false)
        let result = try release("promote", in: git)
        #expect(result.status == 0)
        #expect(result.stderr.contains("hook was ignored because it is not executable"))
    }

    @Test func switchNginxRunsItsHooksInTheNginxRepository() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try hook(lab.config, "pre-release-switch-nginx", "env | grep ^RELEASE_ > \(record); [ -z \"$REFUSE\" ]")
        try hook(lab.config, "post-release-switch-nginx", "echo posted >> \(record)")
        var environment = lab.config.environment
        environment["REFUSE"] = "1"
        let refused = try ReleaseBinary.run(["switch-nginx", "app2", "--repo", lab.config.path], in: lab.root, environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pre-release-switch-nginx hook"))
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"])

        #expect(try switchNginx("switch-nginx", "app2", lab: lab).status == 0)
        #expect(recorded().contains("RELEASE_COMMAND=switch-nginx"))
        #expect(recorded().contains("RELEASE_TO=\(try lab.config.id("yun-app2"))"))
        #expect(recorded().hasSuffix("posted\n"))
    }
}
