import GitKit
@testable import NginxKit
import Testing

struct ConfiguredCommandTests {
    @Test(arguments: [
        ("nginx -t", ["nginx", "-t"]),
        ("  docker   exec web nginx -s reload ", ["docker", "exec", "web", "nginx", "-s", "reload"]),
        ("docker exec 'my web' nginx -t", ["docker", "exec", "my web", "nginx", "-t"]),
        (#"sh -c "echo \"hi\"""#, ["sh", "-c", #"echo "hi""#]),
        (#"a\ b c''d "" e"#, ["a b", "cd", "", "e"]),
        ("nginx -g 'daemon off; pid /run/x.pid;'", ["nginx", "-g", "daemon off; pid /run/x.pid;"]),
    ])
    func splitsLikeAShell(_ text: String, _ words: [String]) throws {
        #expect(try ConfiguredCommand(parsing: text, key: "nginx.reload").words == words)
    }

    @Test(arguments: ["nginx 'unterminated", #"nginx "open"#, "nginx \\", "", "   "])
    func refusesWhatAShellWouldNotRun(_ text: String) {
        #expect(throws: ActionableError.self) { try ConfiguredCommand(parsing: text, key: "nginx.reload") }
    }

    @Test func runsWithoutAShell() throws {
        let result = try ConfiguredCommand(words: ["/bin/echo", "$HOME", "; rm -rf /"]).run()
        #expect(result.status == 0)
        #expect(result.output == "$HOME ; rm -rf /")
        let missing = #expect(throws: ActionableError.self) { try ConfiguredCommand(words: ["no-such-command-here"]).run() }
        #expect(missing?.message.contains("command not found: no-such-command-here") == true)
    }
}

struct NginxConfigFileTests {
    @Test func upstreamsKeepTheirNamesAndStreamOnesStandApart() {
        let file = NginxConfigFile(text: """
            http {
                upstream web { server 10.0.0.1:80; server 10.0.0.2:80 down; }
                upstream api { server api.internal:8080 backup; }
            }
            stream {
                upstream db { server 10.0.0.9:5432; }
            }
            """)
        #expect(file.upstreams() == [
            .init(name: "web", context: "http", servers: ["10.0.0.1:80", "10.0.0.2:80 down"]),
            .init(name: "api", context: "http", servers: ["api.internal:8080 backup"]),
            .init(name: "db", context: "stream", servers: ["10.0.0.9:5432"]),
        ])
    }

    @Test func theMainFileOfADump() {
        let dump = "# configuration file /etc/nginx/nginx.conf:\npid run/nginx.pid;\ninclude a.conf;\n\n# configuration file /etc/nginx/a.conf:\npid other;\n"
        #expect(NginxConfigFile(text: NginxPaths.mainFile(of: dump)).topLevel("pid") == "run/nginx.pid")
    }
}

@Suite struct MarkingDownTests {
    @Test func marksOnlyTheInstancesServerLinesInUpstreams() throws {
        let text = """
            upstream backends {
                server 10.0.0.1:8080 weight=2;   # app1
                server 10.0.0.2:8080;
                server 10.0.0.3:8080 backup;
            }
            server { listen 80; location / { proxy_pass http://backends; } }
            stream { upstream db { server 10.0.0.1:8080 down; server 10.0.0.9:5432; } }

            """
        let result = try NginxConfigFile(text: text).markingDown(["10.0.0.1:8080"])
        #expect(result.marked == ["10.0.0.1:8080"])
        #expect(result.text.contains("server 10.0.0.1:8080 weight=2 down;   # app1"))
        #expect(result.text.contains("server 10.0.0.1:8080 down;"), "already down stays as it is")
        #expect(!result.text.contains("down down"))
        #expect(result.text.contains("server 10.0.0.2:8080;\n"))
        #expect(result.text.contains("listen 80;"))
    }

    @Test func serverLinesOfAnIncludedFileAndTheLastLiveBackend() throws {
        let included = try NginxConfigFile(text: "server 10.0.0.1:8080;\nserver 10.0.0.2:8080;\n").markingDown(["10.0.0.2:8080"])
        #expect(included.text == "server 10.0.0.1:8080;\nserver 10.0.0.2:8080 down;\n")
        let alone = "upstream backends { server 10.0.0.1:8080; server 10.0.0.3:8080 backup; }\n"
        #expect(throws: ActionableError.self) { try NginxConfigFile(text: alone).markingDown(["10.0.0.1:8080"]) }
    }
}
