import Foundation
import NginxKit
import ReleaseKit
import Testing
import TestSupport

/// Runs `release` against the lab's nginx configuration repository.
func switchNginx(_ arguments: String..., lab: NginxLab) throws -> CommandResult {
    try ReleaseBinary.run(arguments + ["--repo", lab.config.path], in: lab.root, environment: lab.config.environment)
}

/// What nginx answers to `count` new connections.
func answers(_ lab: NginxLab, count: Int = 12) -> [String] {
    (0..<count).map { _ in
        guard case .success(let response) = HTTPProbe.get(lab.frontURL) else { return "failed" }
        return response.body.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite(.scratchDirectory, .serialized)
struct NginxSwitchTests {
    @Test func trafficFollowsEachSwitch() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"])

        let toApp2 = try switchNginx("switch-nginx", "app2", lab: lab)
        #expect(toApp2.status == 0, "\(toApp2.stderr)")
        #expect(toApp2.stdout.contains("nginx routes to app2: master → yun-app2"))
        #expect(Set(answers(lab)) == ["app2 v1"])
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "yun-app2\n")

        #expect(try switchNginx("switch-nginx", "app1", lab: lab).status == 0)
        #expect(Set(answers(lab)) == ["app1 v1"])
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        #expect(Set(answers(lab, count: 20)) == ["app1 v1", "app2 v1"])

        let again = try switchNginx("switch-nginx", "all", lab: lab)
        #expect(again.stdout.contains("already routes to all"))
        #expect(try lab.config.git("status", "--porcelain").isEmpty)
    }

    @Test func anInvalidConfigurationIsRefusedAndNginxKeepsServing() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.addBranch("yun-broken", file: "upstream.conf", content: "upstream backends { server 127.0.0.1:1 }\n", target: "broken")
        let master = lab.masterPID()
        let workers = lab.workerPIDs()
        let result = try switchNginx("switch-nginx", "broken", lab: lab)
        expectRefusal(result, mentioning: "nginx rejected the configuration on yun-broken")
        #expect(result.stderr.contains("upstream.conf"), "nginx's own message")
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
        #expect(try lab.config.git("status", "--porcelain").isEmpty)
        #expect(lab.masterPID() == master)
        #expect(lab.workerPIDs() == workers, "not reloaded")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"])
    }

    @Test func aConfigurationThatPassesTheTestButCannotBeAppliedIsRolledBack() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        // nginx -t does not bind ports, so listening on a busy one only fails at reload.
        let busy = "127.0.0.1:\(lab.backendPorts["app1"]!)"
        let conf = try lab.config.read("nginx.conf").replacingOccurrences(of: "location / {", with: "}\n    server { listen \(busy);\n        location / {")
        try lab.addBranch("yun-busy", file: "nginx.conf", content: conf, target: "busy")
        let master = lab.masterPID()
        let workers = lab.workerPIDs()
        let result = try switchNginx("switch-nginx", "busy", lab: lab)
        expectRefusal(result, mentioning: "nginx could not apply the configuration: [emerg] bind() to \(busy) failed")
        #expect(result.stderr.contains("switched back to master; nginx kept running it"))
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
        #expect(try lab.config.git("status", "--porcelain").isEmpty)
        #expect(lab.masterPID() == master)
        #expect(lab.workerPIDs() == workers, "the same workers serve the old configuration")
        #expect(Set(answers(lab)) == ["app1 v1", "app2 v1"])
    }

    @Test func aDirtyRepositoryIsRefusedUntouched() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.write("upstream.conf", "# hand edit\n")
        let workers = lab.workerPIDs()
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        expectRefusal(result, mentioning: "the nginx repository has uncommitted changes: upstream.conf")
        #expect(try lab.config.read("upstream.conf") == "# hand edit\n")
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
        #expect(lab.workerPIDs() == workers)
    }

    @Test func aTargetWhoseBackendsAreDownIsRefused() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.stopBackend("app2")
        let result = try switchNginx("switch-nginx", "app2", lab: lab)
        expectRefusal(result, mentioning: "no backend of app2 would be live")
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
        #expect(try switchNginx("switch-nginx", "app1", lab: lab).status == 0, "app1 still answers")
        let toAll = try switchNginx("switch-nginx", "all", lab: lab)
        #expect(toAll.status == 0)
        #expect(toAll.stderr.contains("warning: app2 backend"), "all proceeds while one backend answers")
    }

    @Test func badInputIsRefused() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        expectRefusal(try switchNginx("switch-nginx", "app3", lab: lab), mentioning: "unknown nginx target 'app3'")
        try lab.config.git("checkout", "-q", "-b", "experiment")
        expectRefusal(try switchNginx("switch-nginx", "app1", lab: lab), mentioning: "on 'experiment', which is no target's branch")
        try lab.config.git("checkout", "-q", "master")
        let plain = try Scratch.folder("plain")
        let missing = try ReleaseBinary.run(["switch-nginx", "app1", "--repo", plain.path], in: plain)
        expectRefusal(missing, mentioning: "is not a git repository")
        let none = try ReleaseBinary.run(["switch-nginx", "app1"], in: plain)
        expectRefusal(none, mentioning: "no nginx repository given")
        let app = try pipelineRepository()
        expectRefusal(try release("switch-nginx", "app1", in: app), mentioning: "no nginx repository given")
        // Run inside the nginx repository itself, it is the one.
        let inside = try ReleaseBinary.run(["switch-nginx", "app2"], in: lab.config.url.appendingPathComponent("."), environment: lab.config.environment)
        #expect(inside.status == 0, "\(inside.stderr)")
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "yun-app2\n")
    }

    @Test func releaseStatusShowsNginxWhenConfigured() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let app = try pipelineRepository()
        try app.git("config", "nginx.repo", lab.config.path)
        let status = try release("status", in: app)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("nginx         master → all · master \(lab.masterPID()!), 2 worker(s)"))
        try app.git("config", "nginx.repo", "/nonexistent")
        let broken = try release("status", in: app)
        #expect(broken.status == 0)
        #expect(broken.stdout.contains("warning: nginx.repo /nonexistent"))
    }

    @Test func dryRunAndStatusAndAuditLog() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let workers = lab.workerPIDs()
        let dry = try switchNginx("switch-nginx", "app2", "--dry-run", lab: lab)
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("dry run: nothing was changed"))
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
        #expect(lab.workerPIDs() == workers)

        #expect(try switchNginx("switch-nginx", "app2", lab: lab).status == 0)
        let status = try switchNginx("nginx", "status", lab: lab)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("on yun-app2"))
        #expect(status.stdout.contains("app2  yun-app2    backends: 127.0.0.1:\(lab.backendPorts["app2"]!)  ← current"), "\(status.stdout)")
        #expect(status.stdout.contains("all   master      backends: 127.0.0.1:\(lab.backendPorts["app1"]!), 127.0.0.1:\(lab.backendPorts["app2"]!)"))
        #expect(status.stdout.contains("http://127.0.0.1:\(lab.backendPorts["app1"]!)/health  ok (HTTP 200)"))
        #expect(status.stdout.contains("processes  master \(lab.masterPID()!)"))

        let log = try String(contentsOfFile: lab.config.url.appendingPathComponent(".git/release-nginx.log").path, encoding: .utf8)
        let entry = try #require(try JSONSerialization.jsonObject(with: Data(log.split(separator: "\n").last!.utf8)) as? [String: Any])
        #expect(entry["result"] as? String == "switched")
        #expect((entry["from"] as? [String: String])?["branch"] == "master")
        #expect((entry["to"] as? [String: String])?["commit"] == (try lab.config.id("yun-app2")))
        #expect(entry["operator"] != nil && entry["host"] != nil && entry["time"] != nil)

        let json = try switchNginx("nginx", "status", "--json", lab: lab)
        let parsed = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])
        #expect(parsed["branch"] as? String == "yun-app2")
    }
}

@Suite(.scratchDirectory, .serialized)
struct NginxUnderLoadTests {
    @Test func switchesUnderLoadFailNoRequest() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        let load = LoadGenerator(url: lab.frontURL, concurrency: 8)
        defer { load.stop() }
        usleep(200_000)
        for target in ["app2", "app1", "all", "app2", "all", "app1", "all"] {
            let result = try switchNginx("switch-nginx", target, lab: lab)
            #expect(result.status == 0, "\(target): \(result.stderr)")
            usleep(100_000)
        }
        load.stop()
        print("switches under load: \(load.served) requests served, \(load.failures.count) failed")
        #expect(load.failures.isEmpty, "\(load.failures.prefix(5))")
        #expect(load.served > 100)
    }

    @Test func aRollingDeployWithDrainFailsNoRequestEvenWithSlowBackends() throws {
        let lab = try NginxLab(in: Scratch.directory, delay: 0.3)
        defer { lab.stop() }
        let load = LoadGenerator(url: lab.frontURL, concurrency: 32)
        defer { load.stop() }
        usleep(500_000)
        // The runbook: route to app2, replace app1, route to app1, replace app2, route to all.
        let toApp2 = try switchNginx("switch-nginx", "app2", "--drain", lab: lab)
        #expect(toApp2.status == 0, "\(toApp2.stderr)")
        #expect(toApp2.stdout.contains("drained"))
        try lab.stopBackend("app1")
        try lab.startBackend("app1", version: "v2")
        #expect(try switchNginx("switch-nginx", "app1", "--drain=30", lab: lab).status == 0)
        try lab.stopBackend("app2")
        try lab.startBackend("app2", version: "v2")
        #expect(try switchNginx("switch-nginx", "all", "--drain", lab: lab).status == 0)
        usleep(800_000)
        load.stop()
        print("rolling deploy with 300 ms backends: \(load.served) requests served, \(load.failures.count) failed, answers \(load.answers)")
        #expect(load.failures.isEmpty, "\(load.failures.prefix(5))")
        #expect(load.answers["app1 v2", default: 0] > 0 && load.answers["app2 v2", default: 0] > 0)
        #expect(Set(answers(lab, count: 12)) == ["app1 v2", "app2 v2"])
    }
}
