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
