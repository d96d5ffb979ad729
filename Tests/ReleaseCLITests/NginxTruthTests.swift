import Foundation
import NginxKit
import Testing
import TestSupport

/// The branch the nginx configuration repository has checked out.
func head(_ lab: NginxLab) throws -> String {
    try lab.config.git("symbolic-ref", "--short", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
}

/// What `release` reports must be what nginx runs: a commit added on the branch, a switch
/// killed or interrupted half-way, nginx not running, a stale pid file.
@Suite(.scratchDirectory, .serialized)
struct NginxTruthTests {
    @Test func aCommitOnTheCurrentBranchIsAppliedNotCalledNothingToDo() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        // The first switch records what nginx loads; the second has nothing to do.
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        #expect(try switchNginx("switch-nginx", "all", lab: lab).stdout.contains("already routes to all"))

        try lab.config.write("upstream.conf", "upstream backends {\n    server 127.0.0.1:\(lab.backendPorts["app1"]!);\n}\n")
        try lab.config.git("commit", "-q", "-am", "app1 only, on master")
        let status = try switchNginx("nginx", "status", lab: lab)
        #expect(status.stdout.contains("warning: the checked-out commit is not what nginx runs"), "\(status.stdout)")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"], "nginx still runs the old commit")

        let dry = try switchNginx("nginx", "apply", "--dry-run", lab: lab)
        #expect(dry.stdout.contains("would have nginx load master"), "\(dry.stdout)")
        let loaded = try lab.config.id("refs/release/nginx-applied")
        let applied = try switchNginx("nginx", "apply", lab: lab)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("(\(loaded.prefix(7)) → \(try lab.config.id("master").prefix(7)))"), "from what nginx ran: \(applied.stdout)")
        #expect(Set(answers(lab)) == ["app1 v1"])
        #expect(try switchNginx("nginx", "apply", lab: lab).stdout.contains("already routes to all"))

        // switch-nginx to the current target applies a new commit the same way.
        try lab.config.write("upstream.conf", "upstream backends {\n    server 127.0.0.1:\(lab.backendPorts["app2"]!);\n}\n")
        try lab.config.git("commit", "-q", "-am", "app2 only, on master")
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        #expect(Set(answers(lab)) == ["app2 v1"])
    }

    @Test func nginxNotRunningIsRefusedNeverNothingToDo() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        lab.stopFront()
        for target in ["all", "app2"] {
            expectRefusal(try switchNginx("switch-nginx", target, lab: lab), mentioning: "nginx is not running")
            expectRefusal(try switchNginx("switch-nginx", target, "--dry-run", lab: lab), mentioning: "nginx is not running")
        }
        #expect(try head(lab) == "master")
    }

    @Test func aPidFileNamingAnotherProcessSignalsNothing() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let real = try String(contentsOfFile: lab.pidFile, encoding: .utf8)
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["30"]
        try bystander.run()
        defer { bystander.terminate(); bystander.waitUntilExit() }
        try "\(bystander.processIdentifier)\n".write(toFile: lab.pidFile, atomically: true, encoding: .utf8)
        defer { try? real.write(toFile: lab.pidFile, atomically: true, encoding: .utf8) }
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        expectRefusal(result, mentioning: "names pid \(bystander.processIdentifier), which is not an nginx master")
        usleep(200_000)
        #expect(bystander.isRunning, "the bystander survives")
        #expect(try head(lab) == "master")
    }

    @Test func aKillBetweenCheckoutAndReloadIsSettledByTheNextSwitch() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        var environment = lab.config.environment
        environment["RELEASE_TEST_CRASH_AT"] = "nginx-checked-out"
        let killed = try ReleaseBinary.run(["switch-nginx", "app2", "--repo", lab.config.path], in: lab.root, environment: environment)
        #expect(killed.status != 0)
        #expect(try head(lab) == "yun-app2", "killed after the checkout")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"], "nginx never reloaded")
        let status = try switchNginx("nginx", "status", lab: lab)
        #expect(status.stdout.contains("warning: a switch master → yun-app2 was interrupted"), "\(status.stdout)")

        // Asking for app2 again settles it and really routes there, checked through nginx.
        let again = try switchNginx("switch-nginx", "app2", lab: lab)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("an interrupted switch master → yun-app2"))
        #expect(Set(answers(lab)) == ["app2 v1"])
        #expect(try head(lab) == "yun-app2")
        #expect(try lab.config.git("status", "--porcelain").isEmpty)
    }

    @Test func aValidateCommandThatCannotRunPutsTheRepositoryBack() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.git("config", "nginx.validate", "/nonexistent/nginx -t")
        let workers = lab.workerPIDs()
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        expectRefusal(result, mentioning: "validating failed: command not found: /nonexistent/nginx")
        #expect(try head(lab) == "master")
        #expect(try lab.config.git("status", "--porcelain").isEmpty)
        #expect(lab.workerPIDs() == workers)
        let log = try String(contentsOfFile: lab.config.path + "/.git/release-nginx.log", encoding: .utf8)
        #expect(log.contains("\"result\":\"rolled-back\""))
    }

    @Test func ctrlCDuringASwitchPutsTheRepositoryBack() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        // A validate that takes a second, so the interrupt lands in the middle of the switch.
        let validate = try lab.config.git("config", "nginx.validate").trimmingCharacters(in: .whitespacesAndNewlines)
        let slow = Scratch.directory.appendingPathComponent("slow-validate.sh")
        try Scratch.writeScript("#!/bin/sh\nsleep 1\nexec \(validate)\n", to: slow)
        try lab.config.git("config", "nginx.validate", slow.path)
        let workers = lab.workerPIDs()
        let log = Scratch.directory.appendingPathComponent("switch.log")
        let process = try ReleaseBinary.start(["switch-nginx", "app2", "--repo", lab.config.path], in: lab.root,
                                              environment: lab.config.environment, stderr: log)
        usleep(500_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        let said = try String(contentsOf: log, encoding: .utf8)
        #expect(said.contains("interrupted (signal 2); the nginx repository is back on master"), "\(said)")
        #expect(try head(lab) == "master")
        #expect(lab.workerPIDs() == workers, "nginx was not reloaded")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"])
    }

    @Test func untrackedFilesCountAsChanges() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.write("conf.d/extra.conf", "# would go live unrecorded\n")
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        expectRefusal(result, mentioning: "the nginx repository has untracked files: conf.d/extra.conf")
        #expect(try head(lab) == "master")
    }

    /// A branch that also listens on `port`, which `nginx -t` accepts whether it is free or not.
    func addListeningBranch(_ lab: NginxLab, port: UInt16, target: String) throws {
        let route = "location / { proxy_pass http://backends; }"
        let conf = try lab.config.read("nginx.conf").replacingOccurrences(
            of: route, with: "\(route)\n    }\n    server {\n        listen 127.0.0.1:\(port);\n        \(route)")
        try lab.addBranch("yun-\(target)", file: "nginx.conf", content: conf, target: target)
    }

    /// nginx retries a busy port for about 2.5 s: a port freed after one second is not a failure.
    @Test func aPortHeldForASecondDuringTheReloadIsNotAFailure() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let holder = try PortHolder()
        try addListeningBranch(lab, port: holder.port, target: "held")
        let workers = lab.workerPIDs()
        Thread.detachNewThread { usleep(1_000_000); holder.release() }
        let result = try switchNginx("switch-nginx", "held", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try head(lab) == "yun-held")
        #expect(Set(lab.workerPIDs()).isDisjoint(with: workers), "nginx applied it")
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
    }

    /// An operator's own reload still retrying a busy port when the switch starts: its messages
    /// are not blamed on the switch's reload.
    @Test func anEarlierReloadStillRetryingIsNotBlamedOnThisOne() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let holder = try PortHolder()
        defer { holder.release() }
        try addListeningBranch(lab, port: holder.port, target: "held")
        try lab.config.git("checkout", "-q", "yun-held")
        let reload = try lab.config.git("config", "nginx.reload").trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: " ").map(String.init)
        _ = try Command.run(reload[0], Array(reload.dropFirst()))
        let deadline = Date().addingTimeInterval(5)
        while !((try? String(contentsOfFile: lab.errorLog, encoding: .utf8))?.contains("bind() to 127.0.0.1:\(holder.port) failed") ?? false),
              Date() < deadline {
            usleep(20_000)
        }
        try lab.config.git("checkout", "-q", "master")
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(answers(lab)) == ["app2 v1"])
    }

    /// For nginx in a container (its processes out of sight), the error log and the probes decide.
    @Test(arguments: [true, false])
    func withoutSeeingWorkersTheOutcomeIsStillCertain(_ portBusy: Bool) throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.git("config", "nginx.checkWorkers", "false")
        guard portBusy else {
            let result = try switchNginx("switch-nginx", "app2", lab: lab)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Set(answers(lab)) == ["app2 v1"])
            return
        }
        let holder = try PortHolder()
        defer { holder.release() }
        try addListeningBranch(lab, port: holder.port, target: "busy")
        let result = try switchNginx("switch-nginx", "busy", lab: lab)
        expectRefusal(result, mentioning: "nginx could not apply the configuration: [emerg] bind() to 127.0.0.1:\(holder.port) failed")
        #expect(try head(lab) == "master")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"])
    }

    /// The runbook drains the backend it takes out, not every backend: a 20 s request on app2
    /// does not hold up taking app1 out.
    @Test func aDrainWaitsForTheRemovedBackendOnly() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let slow = LoadGenerator(url: lab.frontURL + "slow-app2", concurrency: 1, limit: 1)
        usleep(300_000)
        let result = try switchNginx("switch-nginx", "app2", "--drain", "15", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("drained: no request in flight to 127.0.0.1:\(lab.backendPorts["app1"]!)"), "\(result.stdout)")
        #expect(slow.served == 0 && slow.failures.isEmpty, "the slow request on app2 still runs")
        // Already routed: a drain asked again still checks what is in flight, and is done.
        let again = try switchNginx("switch-nginx", "app2", "--drain=5", lab: lab)
        #expect(again.status == 0 && again.stdout.contains("already routes to app2") && again.stdout.contains("drained"), "\(again.stdout)")
        lab.stop()
        slow.stop()
    }

    @Test func aTargetBranchBehindTheAllBranchIsShownWarnedAndCanBeRefused() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.write("nginx.conf", try lab.config.read("nginx.conf").replacingOccurrences(of: "http {", with: "http {\n    server_tokens off;"))
        try lab.config.git("commit", "-q", "-am", "hide the version, on master only")
        let status = try switchNginx("nginx", "status", lab: lab)
        #expect(status.stdout.contains("yun-app1    backends: 127.0.0.1:\(lab.backendPorts["app1"]!)  (1 commit(s) behind all)"), "\(status.stdout)")
        let warned = try switchNginx("switch-nginx", "app1", lab: lab)
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("warning: yun-app1 lacks 1 commit(s) of master"), "\(warned.stderr)")
        try lab.config.git("config", "nginx.requireUpToDate", "true")
        expectRefusal(try switchNginx("switch-nginx", "app2", lab: lab), mentioning: "yun-app2 lacks 1 commit(s) of master")
    }

    @Test func severalProbesWithHeadersAndBadValuesRefused() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.git("config", "--add", "nginx.probe", lab.frontURL + "?second")
        try lab.config.git("config", "--add", "nginx.probeHeader", "X-Canary: 1")
        try lab.config.git("config", "nginx.healthTimeout", "1.5")
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        try lab.config.git("config", "--add", "nginx.probeHeader", "no colon here")
        expectRefusal(try switchNginx("switch-nginx", "all", lab: lab), mentioning: "nginx.probeHeader = no colon here is not a header line")
        try lab.config.git("config", "--unset", "nginx.probeHeader", "no colon")
        try lab.config.git("config", "nginx.probeTimeout", "soon")
        expectRefusal(try switchNginx("switch-nginx", "all", lab: lab), mentioning: "nginx.probeTimeout = soon is not a number of seconds")
    }
}

/// nginx's own view of its configuration: relative paths against its prefix, Debian's
/// sites-enabled links, includes inside upstream blocks.
@Suite(.scratchDirectory, .serialized)
struct NginxLayoutTests {
    @Test func relativePidAndErrorLogAreResolvedAgainstNginxsPrefix() throws {
        let lab = try NginxLab(in: Scratch.directory, layout: .relativePaths)
        defer { lab.stop() }
        let workers = lab.workerPIDs()
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("workers \(workers.map(String.init).joined(separator: " ")) →"), "confirmed by the workers: \(result.stdout)")
        #expect(Set(answers(lab)) == ["app2 v1"])
        let status = try switchNginx("nginx", "status", lab: lab)
        #expect(status.stdout.contains("processes  master \(lab.masterPID()!)"), "\(status.stdout)")
    }

    @Test func aDebianLayoutIsReadThroughItsIncludesAndLinks() throws {
        let lab = try NginxLab(in: Scratch.directory, layout: .debian)
        defer { lab.stop() }
        let status = try switchNginx("nginx", "status", lab: lab)
        let (app1, app2) = (lab.backendPorts["app1"]!, lab.backendPorts["app2"]!)
        #expect(status.stdout.contains("all   master      backends: 127.0.0.1:\(app1), 127.0.0.1:\(app2)  ← current"), "\(status.stdout)")
        #expect(status.stdout.contains("app2  yun-app2    backends: 127.0.0.1:\(app2)\n"), "\(status.stdout)")
        #expect(!status.stdout.contains("127.0.0.1:1"), "a disabled site does not count")
        let result = try switchNginx("switch-nginx", "app2", "--drain", "10", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("drained: no request in flight to 127.0.0.1:\(app1)"), "\(result.stdout)")
        #expect(Set(answers(lab)) == ["app2 v1"])
    }
}

@Suite(.scratchDirectory, .serialized)
struct NginxSmallerPointsTests {
    @Test func failuresAreJSONWithJSONAndHintsNameOnlyPossibleKeys() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let failed = try switchNginx("switch-nginx", "app3", "--json", lab: lab)
        #expect(failed.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: failed.stdoutBytes) as? [String: Any])
        #expect(object["error"] as? String == "unknown nginx target 'app3'")
        #expect((object["hint"] as? String)?.contains("add one with nginx.app3.branch") == true)
        #expect(object["exitCode"] as? Int == 1)
        let usage = try ReleaseBinary.run(["switch-nginx", "--json"], in: lab.root, environment: lab.config.environment)
        #expect(usage.status == 2)
        #expect((try JSONSerialization.jsonObject(with: usage.stdoutBytes) as? [String: Any])?["exitCode"] as? Int == 2)
        let odd = try switchNginx("switch-nginx", "a.b c", lab: lab)
        expectRefusal(odd, mentioning: "unknown nginx target 'a.b c'")
        #expect(!odd.stderr.contains("nginx.a.b c.branch"))
    }

    @Test func targetsWithoutABranchAreNotShownAsIfTheyExisted() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.git("config", "nginx.canary.branch", "yun-canary")
        let status = try switchNginx("nginx", "status", lab: lab)
        #expect(status.stdout.contains("canary  yun-canary  (no such branch)"), "\(status.stdout)")
        expectRefusal(try switchNginx("switch-nginx", "canary", lab: lab), mentioning: "has no branch yun-canary")
    }

    @Test func aRepositoryOwnedByAnotherUserGetsTheSafeDirectoryHint() throws {
        guard getuid() == 0 else { return }  // Needs root to give the repository away.
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        _ = try Command.run("/bin/chown", ["-R", "65534:65534", lab.config.path])
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        expectRefusal(result, mentioning: "dubious ownership: \(lab.config.path)")
        #expect(result.stderr.contains("safe.directory \(lab.config.path)"))
    }

    @Test func commandsLeaveNoTemporaryFiles() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let temporary = Scratch.directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        var environment = lab.config.environment
        environment["TMPDIR"] = temporary.path
        for target in ["app2", "all"] {
            let result = try ReleaseBinary.run(["switch-nginx", target, "--repo", lab.config.path], in: lab.root, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }
}

@Suite(.scratchDirectory, .serialized)
struct NginxDrainTests {
    /// Requests in flight to the backend taken out keep the drain waiting until they end.
    @Test func aDrainWaitsForRequestsInFlightToTheRemovedBackend() throws {
        let lab = try NginxLab(in: Scratch.directory, delay: 3)
        defer { lab.stop() }
        // No probes: the switch itself then takes milliseconds, and requests stay in flight.
        try lab.config.git("config", "--unset", "nginx.probe")
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        // Requests nginx sends to app1 for certain (its own location), each taking 3 s.
        let load = LoadGenerator(url: lab.frontURL + "app1", concurrency: 4, limit: 1)
        // Until nginx holds requests open to app1 (the kernel's table shows them established).
        let app1 = String(format: ":%04X 01 ", Int(lab.backendPorts["app1"]!))
        let deadline = Date().addingTimeInterval(8)
        while !(kernelTable().contains(app1)), Date() < deadline {
            usleep(20_000)
        }
        let result = try switchNginx("switch-nginx", "app2", "--drain", "15", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:\(lab.backendPorts["app1"]!): "), "progress names the backend: \(result.stderr)")
        #expect(result.stdout.contains("drained: no request in flight to 127.0.0.1:\(lab.backendPorts["app1"]!)"))
        load.stop()
        #expect(load.failures.isEmpty, "\(load.failures)")
        #expect(load.answers["app1 v1", default: 0] > 0, "requests to app1 finished during the drain")
    }
}

/// The kernel's TCP table, read to its end (Foundation's readers stop short of long /proc files).
func kernelTable() -> String {
    (try? Command.run("/bin/cat", ["/proc/net/tcp"]).stdout) ?? ""
}

/// Found by an adversarial trial: outcomes that could not be known, interrupts, odd values.
@Suite(.scratchDirectory, .serialized)
struct NginxCertaintyTests {
    @Test func aReloadNothingHereCanConfirmIsRefusedBeforeAnythingMoves() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.git("config", "nginx.checkWorkers", "false")
        try lab.config.git("config", "nginx.errorLog", "")
        try lab.config.git("config", "--unset", "nginx.probe")
        expectRefusal(try switchNginx("switch-nginx", "app2", lab: lab), mentioning: "release cannot tell here whether nginx applies the reload")
        #expect(try head(lab) == "master")
        #expect(try lab.config.git("for-each-ref", "refs/release/").isEmpty, "nothing recorded")
    }

    /// From yun-app1 to all, app1's answers are valid for both: the probes cannot tell the old
    /// configuration from the new, so the error log decides — and nginx gave up on a busy port.
    @Test func probesThatCannotTellOldFromNewDoNotConfirm() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.git("config", "nginx.checkWorkers", "false")
        #expect(try switchNginx("switch-nginx", "app1", lab: lab).status == 0)
        let holder = try PortHolder()
        defer { holder.release() }
        try lab.config.git("checkout", "-q", "master")
        let route = "location / { proxy_pass http://backends; }"
        try lab.config.write("nginx.conf", try lab.config.read("nginx.conf").replacingOccurrences(
            of: route, with: "\(route)\n    }\n    server {\n        listen 127.0.0.1:\(holder.port);\n        \(route)"))
        try lab.config.git("commit", "-q", "-am", "another listener")
        try lab.config.git("checkout", "-q", "yun-app1")
        let result = try switchNginx("switch-nginx", "all", lab: lab)
        expectRefusal(result, mentioning: "bind() to 127.0.0.1:\(holder.port) failed")
        #expect(try head(lab) == "yun-app1")
        #expect(Set(answers(lab)) == ["app1 v1"])
    }

    @Test func anInterruptDuringTheReloadEndsWithAnErrorAndJSON() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let reload = try lab.config.git("config", "nginx.reload").trimmingCharacters(in: .whitespacesAndNewlines)
        let slow = Scratch.directory.appendingPathComponent("slow-reload.sh")
        try Scratch.writeScript("#!/bin/sh\n\(reload)\nsleep 2\n", to: slow)
        try lab.config.git("config", "nginx.reload", slow.path)
        let output = Scratch.directory.appendingPathComponent("switch.json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ReleaseBinary.path)
        process.arguments = ["switch-nginx", "app2", "--repo", lab.config.path, "--json"]
        process.environment = lab.config.environment
        try Data().write(to: output)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(700_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "exit 1, not killed by the signal")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        #expect((object["error"] as? String)?.contains("interrupted") == true, "\(object)")
        #expect(try head(lab) == "master")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"])
    }

    @Test func oddValuesAndAStoppedNginxAreSaidPlainly() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        try lab.config.git("config", "nginx.probeRequests", "100000000")
        expectRefusal(try switchNginx("switch-nginx", "app2", lab: lab), mentioning: "nginx.probeRequests = 100000000 is not a number from 1 to 64")
        try lab.config.git("config", "--unset", "nginx.probeRequests")
        try lab.config.git("config", "nginx.checkWorkers", "maybe")
        expectRefusal(try switchNginx("switch-nginx", "app2", lab: lab), mentioning: "nginx.checkWorkers = maybe is not a boolean")
        try lab.config.git("config", "--unset", "nginx.checkWorkers")
        lab.stopFront()
        let status = try switchNginx("nginx", "status", lab: lab)
        #expect(status.stdout.contains("nginx runs        nothing: nginx is not running"), "\(status.stdout)")
    }
}
