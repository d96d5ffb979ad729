import Foundation
import NginxKit
import Testing
import TestSupport

/// A release repository with two releases, and an nginx lab whose instances run the first;
/// `release deploy` rolls the second out with the lab's publish script, which really stops
/// each instance and starts it again answering the new version.
struct DeployLab {
    static let previous = "release1.0.0-pro-20261101"
    static let tag = "release1.0.1-pro-20261122"
    let lab: NginxLab
    let repo: GitRepository

    /// `servers`: instances located by nginx.<instance>.server (generated targets); without,
    /// the hand-kept yun-app1 and yun-app2 branches are used.
    init(backends: [String] = ["app1", "app2"], servers: Bool = true, soak: Int = 1) throws {
        // Backends answering in 50 ms bound the load (a few hundred requests a second), so the
        // deploy tests do not starve the suites running beside them of CPU.
        lab = try NginxLab(in: Scratch.directory.appendingPathComponent("lab"), delay: 0.05, backends: backends,
                           version: Self.previous, handKept: !servers)
        do {
            repo = try GitRepository(at: Scratch.directory.appendingPathComponent("shop"))
            try repo.commit("initial shop", file: "app.txt")
            try repo.git("tag", "-a", Self.previous, "-m", Self.previous)
            try repo.commit("fix: rounding", file: "price.txt")
            try repo.git("tag", "-a", Self.tag, "-m", Self.tag)
            let config = lab.config
            for name in backends {
                try config.git("config", "--add", "deploy.instances", name)
                if servers { try config.git("config", "nginx.\(name).server", "127.0.0.1:\(lab.backendPorts[name]!)") }
            }
            try config.git("config", "deploy.publish", "\(try lab.writePublishScript()) {instance} {tag}")
            try config.git("config", "deploy.accessLog", lab.accessLog)
            try config.git("config", "deploy.soak", "\(soak)")
            try config.git("config", "deploy.drainTimeout", "20")
        } catch {
            lab.stop()
            throw error
        }
    }

    func deploy(_ arguments: String..., environment extra: [String: String] = [:]) throws -> CommandResult {
        try ReleaseBinary.run(["deploy"] + arguments + ["--repo", lab.config.path], in: repo.url,
                              environment: lab.config.environment.merging(extra) { $1 })
    }

    /// Starts `release deploy arguments` without waiting, and returns once what it printed on
    /// stderr (kept in `log`) holds `text`, or after 20 s.
    func start(_ arguments: String..., environment extra: [String: String] = [:], log: URL, waitingFor text: String) throws -> Process {
        let process = try ReleaseBinary.start(["deploy"] + arguments + ["--repo", lab.config.path], in: repo.url,
                                              environment: lab.config.environment.merging(extra) { $1 }, stderr: log)
        let deadline = Date().addingTimeInterval(20)
        while !((try? String(contentsOf: log, encoding: .utf8))?.contains(text) ?? false), Date() < deadline { usleep(20_000) }
        return process
    }

    /// Every answer through nginx, from `count` new connections.
    func answers(count: Int = 16) -> Set<String> {
        Set((0..<count).map { _ in
            guard case .success(let response) = HTTPProbe.get(lab.frontURL) else { return "failed" }
            return response.status == 200 ? response.body.trimmingCharacters(in: .whitespacesAndNewlines) : "HTTP \(response.status)"
        })
    }

    func everyInstance(on version: String) -> Set<String> { Set(lab.backends.map { "\($0) \(version)" }) }

    func auditLines() -> [String] {
        ((try? String(contentsOfFile: lab.config.path + "/.git/release-nginx.log", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init).filter { $0.contains("\"deploy\"") }
    }
}

@Suite(.scratchDirectory, .serialized)
struct DeployTests {
    @Test func halvesOnTwoInstancesUnderLoadServesEveryRequest() throws {
        let deploy = try DeployLab()
        defer { deploy.lab.stop() }
        let load = LoadGenerator(url: deploy.lab.frontURL, concurrency: 6)
        let result = try deploy.deploy("--yes")
        load.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(load.failures.isEmpty, "\(load.failures.prefix(5))")
        #expect(load.served > 50)
        print("halves, 2 instances: \(load.served) requests served, \(load.failures.count) failed; \(result.stdout)")
        #expect(deploy.answers() == deploy.everyInstance(on: DeployLab.tag))
        #expect(result.stdout.contains("deployed \(DeployLab.tag) on app1, app2 (halves, 6 steps)"))
        #expect(result.stderr.contains("soak 1/1 s: 127.0.0.1:\(deploy.lab.backendPorts["app1"]!) (app1, new)"), "\(result.stderr)")
        // Traffic went to app2 alone through a generated target; every step is audited.
        #expect(try deploy.lab.config.git("branch", "--list", "release/*").contains("release/without-app1"))
        #expect(deploy.auditLines().count == 6)
        #expect(deploy.auditLines().allSatisfy { $0.contains("\"result\":\"done\"") && $0.contains(DeployLab.tag) })

        let status = try deploy.deploy("status")
        #expect(status.stdout.contains("deploy of \(DeployLab.tag) (halves)"), "\(status.stdout)")
        #expect(status.stdout.contains(": done"))
        #expect(status.stdout.contains("  app1  \(DeployLab.tag)"))
        // Deploying again: nothing in progress, and the previous version is now the tag itself's predecessor.
        expectRefusal(try deploy.deploy("--continue", "--yes"), mentioning: "no deploy to continue: the last one (\(DeployLab.tag)) is done")
    }

    @Test func oneByOneOnFourInstancesWithGeneratedTargetsOnly() throws {
        let deploy = try DeployLab(backends: ["t1", "t2", "t3", "t4"])
        defer { deploy.lab.stop() }
        #expect(try deploy.lab.config.git("branch", "--list") == "* master\n", "no hand-kept branch")
        let load = LoadGenerator(url: deploy.lab.frontURL, concurrency: 6)
        let result = try deploy.deploy("--yes", "--strategy", "one-by-one")
        load.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(load.failures.isEmpty, "\(load.failures.prefix(5))")
        print("one-by-one, 4 instances: \(load.served) requests served, \(load.failures.count) failed; \(result.stdout)")
        #expect(deploy.answers(count: 24) == deploy.everyInstance(on: DeployLab.tag))
        #expect(result.stdout.contains("(one-by-one, 15 steps)"), "\(result.stdout)")
        let generated = try deploy.lab.config.git("branch", "--list", "release/*")
        for name in ["t1", "t2", "t3", "t4"] { #expect(generated.contains("release/without-\(name)")) }
    }

    @Test func killedAtEveryStepAndContinuedServesEveryRequest() throws {
        // Hand-kept branches (yun-app1, yun-app2), as a team that has them keeps using them.
        let deploy = try DeployLab(servers: false)
        defer { deploy.lab.stop() }
        let load = LoadGenerator(url: deploy.lab.frontURL, concurrency: 6)
        // In the middle of each step, and inside the switches (after the checkout, after the reload).
        var crashes = ["nginx-checked-out", "deploy-step-1", "deploy-step-2", "nginx-reloaded"] + (3...6).map { "deploy-step-\($0)" }
        var first = true
        while let crash = crashes.first {
            crashes.removeFirst()
            let killed = try deploy.deploy(first ? "--yes" : "--continue", first ? "--strategy=halves" : "--yes",
                                           environment: ["RELEASE_TEST_CRASH_AT": crash])
            first = false
            #expect(killed.status == 137 || killed.status == 9 || killed.status == -9, "killed at \(crash): \(killed.status) \(killed.stderr)")
            let status = try deploy.deploy("status")
            #expect(status.stdout.contains("running"), "\(status.stdout)")
        }
        let finished = try deploy.deploy("--continue", "--yes")
        load.stop()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(load.failures.isEmpty, "\(load.failures.prefix(5))")
        print("killed at 8 points and continued: \(load.served) requests served, \(load.failures.count) failed")
        #expect(deploy.answers() == deploy.everyInstance(on: DeployLab.tag))
        #expect(try deploy.lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
    }

    @Test func aFailedPublishLeavesTrafficOnTheHealthyInstanceAndRollbackRestoresAll() throws {
        let deploy = try DeployLab(soak: 0)
        defer { deploy.lab.stop() }
        _ = FileManager.default.createFile(atPath: deploy.lab.root.appendingPathComponent("fail-app2").path, contents: Data())
        let load = LoadGenerator(url: deploy.lab.frontURL, concurrency: 6)
        let failed = try deploy.deploy("--yes")
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("deploy step 4 (publish \(DeployLab.tag) on app2) failed: deploy.publish exited with status 1"), "\(failed.stderr)")
        #expect(failed.stderr.contains("Traffic stays on app1."))
        #expect(deploy.answers() == ["app1 \(DeployLab.tag)"])
        let status = try deploy.deploy("status")
        #expect(status.stdout.contains("stopped"))
        #expect(status.stdout.contains("next  4. publish"), "\(status.stdout)")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "a deploy of \(DeployLab.tag) is in progress, at step 4 of 5")

        try FileManager.default.removeItem(at: deploy.lab.root.appendingPathComponent("fail-app2"))
        let rolledBack = try deploy.deploy("--rollback")
        load.stop()
        #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
        #expect(rolledBack.stdout.contains("rolled back to \(DeployLab.previous)"))
        #expect(load.failures.isEmpty, "\(load.failures.prefix(5))")
        print("failed publish, then rollback: \(load.served) requests served, \(load.failures.count) failed")
        #expect(deploy.answers() == deploy.everyInstance(on: DeployLab.previous))
        #expect(deploy.auditLines().contains { $0.contains("\"result\":\"failed\"") && $0.contains("publish") })
        #expect(deploy.auditLines().contains { $0.contains("rollback of \(DeployLab.tag)") })
    }

    @Test func fiveHundredsDuringTheSoakRollBackByThemselves() throws {
        let deploy = try DeployLab(soak: 5)
        defer { deploy.lab.stop() }
        // Without nginx.probe the switch itself does not see the 500s (with it, the switch to app1
        // is rolled back at once): the soak must.
        try deploy.lab.config.git("config", "--unset", "nginx.probe")
        _ = FileManager.default.createFile(atPath: deploy.lab.root.appendingPathComponent("broken-\(DeployLab.tag)").path, contents: Data())
        let load = LoadGenerator(url: deploy.lab.frontURL, concurrency: 4)
        let result = try deploy.deploy("--yes")
        load.stop()
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(DeployLab.tag) was rolled back: app1 answered"), "\(result.stderr)")
        #expect(result.stderr.contains("every instance runs \(DeployLab.previous) again"))
        print("5xx in the soak, automatic rollback: \(load.served) requests served, \(load.failures.count) failed (the broken version's 500s)")
        #expect(deploy.answers() == deploy.everyInstance(on: DeployLab.previous))
        #expect(try deploy.deploy("status").stdout.contains("rolled-back"))
    }

    @Test func aDryRunShowsEveryStepAndGeneratedConfigurationAndChangesNothing() throws {
        let deploy = try DeployLab(soak: 30)
        defer { deploy.lab.stop() }
        let before = try deploy.lab.config.snapshot()
        let result = try deploy.deploy("--dry-run", DeployLab.tag)
        #expect(result.status == 0, "\(result.stderr)")
        let port1 = deploy.lab.backendPorts["app1"]!
        for line in ["1. route traffic to app2 (target without-app1, branch release/without-app1)",
                     "- server 127.0.0.1:\(port1);", "+ server 127.0.0.1:\(port1) down;",
                     "2. publish \(DeployLab.tag) on app1: \(deploy.lab.root.path)/publish app1 \(DeployLab.tag)",
                     "4. soak app1 for 30 s, stopping and rolling back above 1.0% 5xx", "6. route traffic to app1, app2 (target all, branch master)"] {
            #expect(result.stdout.contains(line), "\(line)\n\(result.stdout)")
        }
        #expect(try deploy.lab.config.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: deploy.lab.config.path + "/.git/release-deploy.json"))
    }

    @Test func badInputIsRefusedWithTrafficUntouched() throws {
        let deploy = try DeployLab()
        defer { deploy.lab.stop() }
        let config = deploy.lab.config
        let before = try config.snapshot()
        expectRefusal(try deploy.deploy("release9.9.9-pro-20991231", "--yes"), mentioning: "no tag release9.9.9-pro-20991231 in")
        try deploy.repo.git("tag", "nightly")
        expectRefusal(try deploy.deploy("nightly", "--yes"), mentioning: "nightly is not a release tag")
        expectRefusal(try deploy.deploy(), mentioning: "there is no terminal to ask on")
        try config.git("config", "deploy.publish", "/nonexistent/publish {instance}")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.publish runs /nonexistent/publish, which is not an executable program")
        try config.git("config", "deploy.publish", "publish {instance} {host}")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.publish uses {host}, which release does not fill in")
        try config.git("config", "--unset", "deploy.publish")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.publish is not set")
        try config.git("config", "deploy.publish", "\(deploy.lab.root.path)/publish {instance} {tag}")
        try config.git("config", "nginx.app2.server", "127.0.0.1:1")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "nginx.app2.server (127.0.0.1:1) appears in no upstream on master")
        try config.git("config", "nginx.app2.server", "127.0.0.1:\(deploy.lab.backendPorts["app2"]!)")
        try config.git("config", "--unset", "deploy.accessLog")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.accessLog is not set")
        try config.git("config", "deploy.accessLog", deploy.lab.accessLog)
        try config.git("config", "deploy.strategy", "sideways")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.strategy = sideways is not a strategy")
        try config.git("config", "--unset", "deploy.strategy")
        try config.git("config", "--unset-all", "deploy.instances")
        try config.git("config", "deploy.instances", "app1")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.instances names only app1; a rolling deploy needs at least two")
        try config.git("config", "deploy.instances", "app1 app1")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.instances names app1 twice")
        try config.git("config", "deploy.instances", "app1 -rf")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.instances names '-rf', which is not an instance name")
        try config.git("config", "deploy.instances", "app1 app2")
        try config.git("config", "nginx.app2.server", "127.0.0.1:\(deploy.lab.backendPorts["app1"]!)")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "app1 and app2 have the same address")
        try config.git("config", "nginx.app2.server", "127.0.0.1:\(deploy.lab.backendPorts["app2"]!)")
        try config.git("config", "deploy.publish", "\(deploy.lab.root.path)/publish {instance {tag}")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "deploy.publish has an unmatched brace in {instance")
        try config.git("config", "deploy.publish", "\(deploy.lab.root.path)/publish {instance} {tag}")
        let combined = deploy.lab.root.appendingPathComponent("combined.log")
        try Data("127.0.0.1 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8\"\n".utf8).write(to: combined)
        try config.git("config", "deploy.accessLog", combined.path)
        expectRefusal(try deploy.deploy("--yes"), mentioning: "has no line with a status and a backend address")
        try config.git("config", "deploy.accessLog", deploy.lab.accessLog)
        expectRefusal(try deploy.deploy("--rollback"), mentioning: "no deploy to roll back")

        try deploy.lab.stopBackend("app1")
        try deploy.lab.stopBackend("app2")
        expectRefusal(try deploy.deploy("--yes"), mentioning: "no instance answers its health URL")
        try deploy.lab.startBackend("app1", version: DeployLab.previous)
        try deploy.lab.startBackend("app2", version: DeployLab.previous)
        #expect(try config.snapshot() == before)
        #expect(deploy.answers() == deploy.everyInstance(on: DeployLab.previous))

        deploy.lab.stopFront()
        expectRefusal(try deploy.deploy("--yes"), mentioning: "nginx is not running")
        #expect(!FileManager.default.fileExists(atPath: config.path + "/.git/release-deploy.json"))
    }

    @Test func aHangingPublishIsStoppedWithTrafficOnTheOtherInstance() throws {
        let deploy = try DeployLab(soak: 0)
        defer { deploy.lab.stop() }
        let hang = deploy.lab.root.appendingPathComponent("hang")
        try Scratch.writeScript("#!/bin/sh\nexec sleep 30\n", to: hang)
        try deploy.lab.config.git("config", "deploy.publish", "\(hang.path) {instance}")
        try deploy.lab.config.git("config", "deploy.publishTimeout", "1")
        let result = try deploy.deploy("--yes")
        #expect(result.status == 1)
        #expect(result.stderr.contains("did not finish within 1 s"), "\(result.stderr)")
        #expect(result.stderr.contains("Traffic stays on app2."))
        #expect(deploy.answers() == ["app2 \(DeployLab.previous)"])
        // Ctrl-C while the publish runs: passed on to it, and the deploy stops there, resumable.
        try deploy.lab.config.git("config", "deploy.publishTimeout", "60")
        let interruptedLog = deploy.lab.root.appendingPathComponent("interrupted.log")
        let interrupted = try deploy.start("--continue", "--yes", log: interruptedLog, waitingFor: "publishing")
        usleep(200_000)
        kill(interrupted.processIdentifier, SIGINT)
        interrupted.waitUntilExit()
        #expect(interrupted.terminationStatus == 1)
        let said = try String(contentsOf: interruptedLog, encoding: .utf8)
        #expect(said.contains("publish \(DeployLab.tag) on app1 was interrupted (SIGINT); the deploy stopped at step 2 of 5"), "\(said)")
        #expect(try deploy.deploy("status").stdout.contains(": stopped"))
        #expect(deploy.answers() == ["app2 \(DeployLab.previous)"])

        // Continued with a publish that works; a second deploy meanwhile is refused, naming the first.
        try deploy.lab.config.git("config", "deploy.publish", "\(deploy.lab.root.path)/publish {instance} {tag}")
        let log = deploy.lab.root.appendingPathComponent("paused.log")
        let paused = try deploy.start("--continue", "--yes", environment: ["RELEASE_TEST_PAUSE_AT": "deploy-step-2"], log: log, waitingFor: "paused at")
        expectRefusal(try deploy.deploy("--continue", "--yes"), mentioning: "another release command is changing this repository: release deploy, pid \(paused.processIdentifier)")
        ReleaseBinary.kill(paused)
        let finished = try deploy.deploy("--continue", "--yes")
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(deploy.answers() == deploy.everyInstance(on: DeployLab.tag))
    }

    @Test func halvesOnFourInstancesTakesTwoOutThroughOneGeneratedTarget() throws {
        let deploy = try DeployLab(backends: ["t1", "t2", "t3", "t4"], soak: 0)
        defer { deploy.lab.stop() }
        let dry = try deploy.deploy("--dry-run")
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("1. route traffic to t3, t4 (target without-t1+t2, branch release/without-t1+t2)"), "\(dry.stdout)")
        #expect(dry.stdout.contains("4. route traffic to t1, t2 (target without-t3+t4, branch release/without-t3+t4)"))
        let load = LoadGenerator(url: deploy.lab.frontURL, concurrency: 4)
        let result = try deploy.deploy("--yes")
        load.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(load.failures.isEmpty, "\(load.failures.prefix(5))")
        #expect(deploy.answers(count: 24) == deploy.everyInstance(on: DeployLab.tag))
        let text = try deploy.lab.config.git("show", "release/without-t1+t2:upstream.conf")
        #expect(text.components(separatedBy: " down;").count == 3, "\(text)")
        // deploy.instances changed under a deploy in progress: refused, naming both.
        try deploy.lab.config.git("config", "--replace-all", "deploy.instances", "t1 t2 t3")
        expectRefusal(try deploy.deploy("--rollback"), mentioning: "deploy.instances changed since the deploy of \(DeployLab.tag) started")
    }

    @Test func promotePublishRunsThePublishTestCommandAfterPromoting() throws {
        let git = try flowRepository()
        let record = Scratch.directory.appendingPathComponent("published")
        let script = Scratch.directory.appendingPathComponent("publish-test")
        try Scratch.writeScript("#!/bin/sh\necho \"$@\" > \(record.path)\n[ -z \"$FAIL\" ]\n", to: script)
        expectRefusal(try ReleaseBinary.run(["promote", "--publish"], in: git.url, environment: git.environment),
                      mentioning: "--publish runs deploy.publishTest, which is not set")
        // A committed file cannot set it.
        try git.write(".gitrelease", "[deploy]\n\tpublishTest = \(script.path) {tag}\n")
        let committed = try ReleaseBinary.run(["promote", "--publish"], in: git.url, environment: git.environment)
        #expect(committed.status == 1)
        #expect(committed.stderr.contains("deploy.publishtest in .gitrelease is ignored"), "\(committed.stderr)")
        #expect(committed.stderr.contains("error: --publish runs deploy.publishTest, which is not set"))
        try FileManager.default.removeItem(at: git.url.appendingPathComponent(".gitrelease"))
        try git.git("config", "deploy.publishTest", "\(script.path) {tag} {commit}")
        let promoted = try ReleaseBinary.run(["promote", "--publish"], in: git.url, environment: git.environment)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        let published = try String(contentsOf: record, encoding: .utf8)
        #expect(published.hasPrefix("release1.0.1-pro-"), "\(published)")
        #expect(published.hasSuffix(" \(try git.id("testing"))\n"))

        try git.commit("feat: more", file: "more.txt")
        var environment = git.environment
        environment["FAIL"] = "1"
        let failed = try ReleaseBinary.run(["promote", "--publish"], in: git.url, environment: environment)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("error: testing was promoted, but deploy.publishTest exited with status 1"), "\(failed.stderr)")
        #expect(try git.id("testing") != (try git.id("master")))
    }
}
