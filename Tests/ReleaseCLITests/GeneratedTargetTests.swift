import Foundation
import Testing
import TestSupport

/// `deploy.instances` with `nginx.<instance>.server`: release generates `without-<instance>`
/// from the all branch, and switches to it like to any target.
@Suite(.scratchDirectory, .serialized)
struct GeneratedTargetTests {
    func instances(_ lab: NginxLab) throws {
        try lab.config.git("config", "--add", "deploy.instances", "app1")
        try lab.config.git("config", "--add", "deploy.instances", "app2")
        for name in ["app1", "app2"] {
            try lab.config.git("config", "nginx.\(name).server", "127.0.0.1:\(lab.backendPorts[name]!)")
        }
    }

    @Test(arguments: [NginxLab.Layout.flat, .debian])
    func takingAnInstanceOutMarksItsServerDownOnABranchMadeFromAll(_ layout: NginxLab.Layout) throws {
        let lab = try NginxLab(in: Scratch.directory, layout: layout)
        defer { lab.stop() }
        try instances(lab)
        let dry = try switchNginx("switch-nginx", "without-app1", "--dry-run", lab: lab)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect((try? lab.config.id("release/without-app1")) == nil, "a dry run moves no branch")

        let result = try switchNginx("switch-nginx", "without-app1", lab: lab)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(answers(lab)) == ["app2 v1"])
        let generated = "release/without-app1"
        #expect(try lab.config.parents(generated) == [try lab.config.id("master")])
        let file = layout == .debian ? "upstreams/servers.conf" : "upstream.conf"
        let text = try lab.config.git("show", "\(generated):\(file)")
        #expect(text.contains("server 127.0.0.1:\(lab.backendPorts["app1"]!) down;"), "\(text)")
        #expect(text.contains("server 127.0.0.1:\(lab.backendPorts["app2"]!);"))
        #expect(try lab.config.git("diff", "--stat", "master", generated).contains("1 file changed, 1 insertion(+), 1 deletion(-)"))
        #expect(try switchNginx("nginx", "status", lab: lab).stdout.contains("without-app1"))
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        #expect(Set(answers(lab, count: 20)) == ["app1 v1", "app2 v1"])
    }

    @Test func aGeneratedBranchFollowsAllAndIsTheSameCommitForTheSameTip() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try instances(lab)
        #expect(try switchNginx("switch-nginx", "without-app2", lab: lab).status == 0)
        let first = try lab.config.id("release/without-app2")
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        #expect(try switchNginx("switch-nginx", "without-app2", lab: lab).status == 0)
        #expect(try lab.config.id("release/without-app2") == first, "same tip, same commit")

        // all moves while without-app2 is checked out: refused until nginx leaves it.
        try lab.config.git("checkout", "-q", "master")
        try lab.config.write("nginx.conf", try lab.config.read("nginx.conf") + "# tuned\n")
        try lab.config.git("commit", "-q", "-am", "tune")
        try lab.config.git("checkout", "-q", "release/without-app2")
        let refused = try switchNginx("switch-nginx", "without-app2", lab: lab)
        expectRefusal(refused, mentioning: "cannot be regenerated while checked out")
        #expect(try lab.config.id("release/without-app2") == first)
        #expect(try switchNginx("switch-nginx", "all", lab: lab).status == 0)
        #expect(try switchNginx("switch-nginx", "without-app2", lab: lab).status == 0)
        #expect(try lab.config.parents("release/without-app2") == [try lab.config.id("master")])
        #expect(try lab.config.read("nginx.conf").hasSuffix("# tuned\n"))
        #expect(Set(answers(lab)) == ["app1 v1"])
    }

    @Test func badInstancesAreRefusedAndTrafficStays() throws {
        let lab = try NginxLab(in: Scratch.directory)
        defer { lab.stop() }
        try lab.config.git("config", "--add", "deploy.instances", "t3")
        try lab.config.git("config", "nginx.t3.server", "127.0.0.1:1")
        expectRefusal(try switchNginx("switch-nginx", "without-t3", lab: lab), mentioning: "nginx.t3.server (127.0.0.1:1) appears in no upstream on master")

        try lab.config.git("config", "--add", "deploy.instances", "pair")
        try lab.config.git("config", "--add", "nginx.pair.server", "127.0.0.1:\(lab.backendPorts["app1"]!)")
        try lab.config.git("config", "--add", "nginx.pair.server", "127.0.0.1:\(lab.backendPorts["app2"]!)")
        expectRefusal(try switchNginx("switch-nginx", "without-pair", lab: lab), mentioning: "would leave http upstream backends with no server up")

        try lab.config.git("config", "nginx.t3.server", "not-an-address")
        expectRefusal(try switchNginx("switch-nginx", "without-t3", lab: lab), mentioning: "nginx.t3.server = not-an-address is not host:port")
        #expect(try lab.config.git("symbolic-ref", "--short", "HEAD") == "master\n")
        #expect(Set(answers(lab, count: 20)) == ["app1 v1", "app2 v1"])
    }
}
