import Foundation
import Testing
import TestSupport

/// Pushes and fetches go through the user's own git, so ssh config, keys, agents, credential
/// helpers, headers and proxies work as they do for git: each tried against a real sshd or a
/// real smart-HTTP server on 127.0.0.1.
@Suite(.scratchDirectory)
struct SSHTransportTests {
    /// A flow repository whose origin is reached over ssh, and a home folder for ssh to use.
    func setUp(_ server: SSHServer, remote: (SSHServer, URL) -> String) throws -> (GitRepository, URL, [String: String]) {
        let git = try flowRepository()
        try git.git("remote", "set-url", "origin", remote(server, origin(of: git).url))
        let home = try Scratch.folder("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        var environment = git.environment
        environment.merge(try server.homeVariables(home)) { $1 }
        environment["SSH_AUTH_SOCK"] = nil
        return (git, home, environment)
    }

    func write(_ text: String, _ file: URL, mode: Int = 0o600) throws {
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
    }

    @Test func sshConfigAliasPortAndIdentityFileWorkWithoutAnAgent() throws {
        let server = try SSHServer(in: Scratch.folder("sshd"))
        defer { server.stop() }
        let (git, home, environment) = try setUp(server) { _, origin in "shop-git:\(origin.path)" }
        let ssh = home.appendingPathComponent(".ssh")
        try FileManager.default.copyItem(atPath: server.clientKey, toPath: ssh.appendingPathComponent("deploy_key").path)
        try write("Host shop-git\n  HostName 127.0.0.1\n  Port \(server.port)\n  User \(server.user)\n  IdentityFile ~/.ssh/deploy_key\n",
                  ssh.appendingPathComponent("config"))
        try write(server.knownHostsLine, ssh.appendingPathComponent("known_hosts"))

        #expect(try release("promote", in: git, environment: environment).status == 0)
        let result = try release("cut", "--date", "20261121", "--push", in: git, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try origin(of: git).id("master") == (try git.id("master")))
        #expect(try origin(of: git).id("release1.0.1-pro-20261121") == (try git.id("release1.0.1-pro-20261121")))
    }

    @Test func anAgentHoldsTheKey() throws {
        let server = try SSHServer(in: Scratch.folder("sshd"))
        defer { server.stop() }
        var (git, home, environment) = try setUp(server) { server, origin in server.url(origin) }
        try write(server.knownHostsLine, home.appendingPathComponent(".ssh/known_hosts"))
        let socket = Scratch.directory.appendingPathComponent("agent.sock").path
        let agent = try Command.run(Command.which("ssh-agent")!, ["-a", socket, "-s"])
        let pid = agent.stdout.split(whereSeparator: { $0 == ";" || $0 == "\n" }).first { $0.hasPrefix("SSH_AGENT_PID=") }.flatMap { Int32($0.dropFirst(14)) }
        defer { if let pid { kill(pid, SIGKILL) } }
        environment["SSH_AUTH_SOCK"] = socket
        #expect(try Command.run(Command.which("ssh-add")!, ["-q", server.clientKey], environment: environment).succeeded)

        let result = try release("promote", "--push", in: git, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try origin(of: git).id("testing") == (try git.id("testing")))
    }

    @Test func coreSshCommandAndGitSSHCommandAreHonoured() throws {
        let server = try SSHServer(in: Scratch.folder("sshd"))
        defer { server.stop() }
        let (git, home, environment) = try setUp(server) { server, origin in server.url(origin) }
        let knownHosts = home.appendingPathComponent("hosts")
        try write(server.knownHostsLine, knownHosts)
        try git.git("config", "core.sshCommand", "ssh -i \(server.clientKey) -o UserKnownHostsFile=\(knownHosts.path)")
        let pushed = try release("promote", "--push", in: git, environment: environment)
        #expect(pushed.status == 0, "\(pushed.stderr)")

        // GIT_SSH_COMMAND wins over core.sshCommand, as in git: here with a key the server refuses.
        let stranger = Scratch.directory.appendingPathComponent("stranger").path
        #expect(try Command.run(Command.which("ssh-keygen")!, ["-q", "-t", "ed25519", "-N", "", "-f", stranger]).succeeded)
        var refused = environment
        refused["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o IdentitiesOnly=yes -i \(stranger) -o UserKnownHostsFile=\(knownHosts.path)"
        try git.git("commit", "--allow-empty", "-q", "-m", "more")
        try git.git("checkout", "-q", "develop")
        try git.commit("feat: more")
        let before = try git.snapshot()
        let result = try release("promote", "--push", in: git, environment: refused)
        expectRefusal(result, mentioning: "authentication failed")
        #expect(result.stderr.contains("nothing was changed"), "fetching first fails before anything moves")
        #expect(try git.snapshot() == before)
    }

    @Test func anUnknownHostKeyIsRefusedNeverAccepted() throws {
        let server = try SSHServer(in: Scratch.folder("sshd"))
        defer { server.stop() }
        let (git, home, environment) = try setUp(server) { server, origin in server.url(origin) }
        try git.git("config", "core.sshCommand", "ssh -o BatchMode=yes -i \(server.clientKey)")
        #expect(try release("promote", in: git, environment: environment).status == 0)
        let before = try git.snapshot()
        let result = try release("cut", "--date", "20261121", "--push", in: git, environment: environment)
        expectRefusal(result, mentioning: "host key is unknown (ssh refused it)")
        #expect(try git.snapshot() == before)
        let pushed = try release("push", "testing", in: git, environment: environment)
        expectRefusal(pushed, mentioning: "host key is unknown (ssh refused it)")
        let knownHosts = (try? String(contentsOf: home.appendingPathComponent(".ssh/known_hosts"), encoding: .utf8)) ?? ""
        #expect(knownHosts.isEmpty, "the key was not accepted behind the user's back")
        #expect(try origin(of: git).id("testing") != (try git.id("testing")))
    }

    @Test func anUnreachableServerIsNamed() throws {
        let git = try flowRepository()
        let port = try NginxLab.freePort()
        try git.git("remote", "set-url", "origin", "ssh://git@127.0.0.1:\(port)/srv/shop.git")
        #expect(try release("promote", in: git).status == 0)
        let result = try release("push", "testing", in: git)
        expectRefusal(result, mentioning: "could not be reached")
        #expect(result.stderr.contains("release push testing"))
    }
}

@Suite(.scratchDirectory)
struct HTTPTransportTests {
    /// A flow repository whose origin is served by git http-backend behind nginx.
    func setUp(_ server: GitHTTPServer) throws -> GitRepository {
        let git = try flowRepository()
        let served = try server.repository("shop.git")
        try git.git("push", "-q", served.path, "master", "develop", "testing", "--tags")
        try git.git("remote", "set-url", "origin", server.url("shop.git"))
        return git
    }

    @Test func credentialHelpersStoreAndScript() throws {
        let server = try GitHTTPServer(in: Scratch.folder("http"))
        defer { server.stop() }
        let git = try setUp(server)
        let served = GitRepository(existing: server.repositories.appendingPathComponent("shop.git"))

        // Without credentials: refused, named, nothing changed.
        var environment = git.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        let refused = try release("promote", "--push", in: git, environment: environment)
        expectRefusal(refused, mentioning: "authentication failed")

        // credential.helper store, reading ~/.git-credentials.
        let home = try Scratch.folder("home")
        environment["HOME"] = home.path
        try "http://\(server.user):\(server.password)@127.0.0.1:\(server.port)\n".write(to: home.appendingPathComponent(".git-credentials"), atomically: true, encoding: .utf8)
        try git.git("config", "credential.helper", "store")
        let stored = try release("promote", "--push", in: git, environment: environment)
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(try served.id("testing") == (try git.id("testing")))
        #expect(!stored.stdout.contains(server.password) && !stored.stderr.contains(server.password))

        // A helper script.
        try FileManager.default.removeItem(at: home.appendingPathComponent(".git-credentials"))
        try git.git("config", "credential.helper", "!f() { echo username=\(server.user); echo password=\(server.password); }; f")
        #expect(try release("cut", "--date", "20261121", "--push", in: git, environment: environment).status == 0)
        #expect(try served.id("release1.0.1-pro-20261121") == (try git.id("release1.0.1-pro-20261121")))
    }

    @Test func anExtraHeaderCarriesTheTokenAndAProxyIsUsed() throws {
        let server = try GitHTTPServer(in: Scratch.folder("http"))
        defer { server.stop() }
        let git = try setUp(server)
        let token = Data("\(server.user):\(server.password)".utf8).base64EncodedString()
        var environment = git.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        // How CI hands over a token: on the command line's config, never in a file.
        environment["GIT_CONFIG_COUNT"] = "2"
        environment["GIT_CONFIG_KEY_0"] = "http.extraHeader"
        environment["GIT_CONFIG_VALUE_0"] = "Authorization: Basic \(token)"
        environment["GIT_CONFIG_KEY_1"] = "http.proxy"
        environment["GIT_CONFIG_VALUE_1"] = "http://127.0.0.1:\(server.proxyPort)"
        let result = try release("promote", "--push", in: git, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try GitRepository(existing: server.repositories.appendingPathComponent("shop.git")).id("testing") == (try git.id("testing")))
        let proxied = (try? String(contentsOf: server.proxyLog, encoding: .utf8)) ?? ""
        #expect(proxied.contains("git-receive-pack"), "the push went through the proxy: \(proxied)")
        #expect(!(try git.git("config", "--list")).contains(token), "the token is written nowhere")
    }

    @Test func aServerThatRefusesPushesIsNamedAsSuch() throws {
        let server = try GitHTTPServer(in: Scratch.folder("http"))
        defer { server.stop() }
        let git = try setUp(server)
        try GitRepository(existing: server.repositories.appendingPathComponent("shop.git")).git("config", "http.receivepack", "false")
        try git.git("remote", "set-url", "origin", server.url("shop.git", credentials: true))
        expectRefusal(try release("promote", "--push", "--no-fetch", in: git), mentioning: "the server refused access (HTTP 403)")
    }
}

/// What the server and git say when a push fails, and what release makes of it.
@Suite(.scratchDirectory)
struct PushFailureTests {
    @Test func aServerHookRejectionLeavesNeitherBranchNorTagAndQuotesTheServer() throws {
        let git = try flowRepository()
        let remote = origin(of: git)
        try Scratch.writeScript("#!/bin/sh\necho 'master is frozen until Monday' >&2\nexit 1\n",
                                to: remote.url.appendingPathComponent("hooks/pre-receive"))
        let remoteBefore = try remote.refs()
        #expect(try release("promote", in: git).status == 0)
        let result = try release("cut", "--date", "20261121", "--push", in: git)
        expectRefusal(result, mentioning: "master is frozen until Monday")
        #expect(result.stderr.contains("the local release is complete"))
        #expect(result.stderr.contains("then run: release push master release1.0.1-pro-20261121"))
        #expect(try remote.refs() == remoteBefore, "atomic: neither the branch nor the tag arrived")
    }

    @Test func anUpdateHookOnABareLocalRemoteRuns() throws {
        let git = try flowRepository()
        let hook = origin(of: git).url.appendingPathComponent("hooks/update")
        try Scratch.writeScript("#!/bin/sh\n[ \"$1\" = refs/heads/testing ] && { echo \"testing is protected\"; exit 1; }\nexit 0\n", to: hook)
        expectRefusal(try release("promote", "--push", in: git), mentioning: "testing is protected")
    }

    @Test func onlyTheNamedReferencesAreSentWhateverPushSettingsSay() throws {
        let git = try flowRepository()
        try git.git("config", "push.followTags", "true")
        try git.git("tag", "-a", "local-note", "-m", "not for the remote", "develop")
        #expect(try release("promote", "--push", in: git).status == 0)
        #expect(try origin(of: git).git("tag", "-l").isEmpty, "push.followTags adds nothing")
        try git.git("tag", "-a", "testing", "-m", "same name as the branch")
        expectRefusal(try release("push", "testing", in: git), mentioning: "'testing' is both a branch and a tag")
        #expect(try release("push", "refs/heads/testing", in: git).status == 0)
    }

    @Test func aMirrorRemoteIsRefusedBeforeAnythingMoves() throws {
        let git = try flowRepository()
        try git.git("config", "remote.origin.mirror", "true")
        try expectRefusedUntouched(git, "promote", "--push", mentioning: "the remote 'origin' is a mirror")
        expectRefusal(try release("push", "develop", in: git), mentioning: "is a mirror")
    }

    @Test func severalPushURLsAreReportedEachAndNeverAsNothingPushed() throws {
        let git = try flowRepository()
        let second = try GitRepository(at: Scratch.directory.appendingPathComponent("second.git"), bare: true)
        try git.git("push", "-q", second.path, "master", "develop")
        try git.git("config", "remote.origin.pushurl", origin(of: git).path)
        try git.git("config", "--add", "remote.origin.pushurl", second.path)
        let result = try release("promote", "--push", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\(origin(of: git).path), \(second.path)"), "\(result.stdout)")
        #expect(try second.id("testing") == (try git.id("testing")))

        // The second one has moved on: the first takes the push, and the report says so.
        let clone = try GitRepository(at: Scratch.directory.appendingPathComponent("other"))
        try clone.git("fetch", "-q", second.path, "testing:testing")
        try clone.git("checkout", "-q", "testing")
        try clone.commit("someone else's")
        try clone.git("push", "-q", second.path, "testing")
        try git.git("checkout", "-q", "develop")
        try git.commit("feat: more")
        let partial = try release("promote", "--push", in: git)
        expectRefusal(partial, mentioning: "someone pushed to testing on \(second.path) meanwhile")
        #expect(partial.stderr.contains("\(origin(of: git).path) took the push already"))
        #expect(!partial.stderr.contains("nothing was pushed"))
    }

    @Test func urlsInWhatGitOrAHookSaysAreRedacted() throws {
        let git = try flowRepository()
        let hook = git.url.appendingPathComponent(".git/hooks/pre-push")
        try Scratch.writeScript("#!/bin/sh\necho 'refusing http://releaser:s3cret@127.0.0.1:9/shop.git' >&2\nexit 1\n", to: hook)
        let result = try release("push", "master", in: git)
        expectRefusal(result, mentioning: "refusing http://releaser:***@127.0.0.1:9/shop.git")
        #expect(!result.stderr.contains("s3cret"))
    }

    @Test func aNonFastForwardSaysSomeonePushedAndWhatToRun() throws {
        let git = try flowRepository()
        let clone = Scratch.directory.appendingPathComponent("colleague")
        try git.git("clone", "-q", origin(of: git).path, clone.path)
        let colleague = GitRepository(existing: clone)
        try colleague.git("checkout", "-q", "master")
        try colleague.commit("someone else's fix")
        try colleague.git("push", "-q", "origin", "master")
        #expect(try release("promote", in: git).status == 0)
        let result = try release("cut", "--date", "20261121", "--push", "--no-fetch", "--json", in: git)
        expectRefusal(result, mentioning: "someone pushed to master on origin meanwhile")
        #expect(result.stderr.contains("release push master release1.0.1-pro-20261121"))
        #expect(try origin(of: git).git("tag", "-l").isEmpty, "nothing half-pushed")
        let answer = try JSONSerialization.jsonObject(with: result.stdoutBytes) as? [String: Any]
        #expect(answer?["exitCode"] as? Int == 1, "one JSON document, the error: \(result.stdout)")
        #expect((answer?["error"] as? String)?.contains("the local release is complete") == true)
    }
}
