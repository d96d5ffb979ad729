import Foundation
import GitKit

/// A real OpenSSH server on 127.0.0.1 and a free port, run from a scratch folder (its own host
/// key, authorized keys and pid file) as the current user: `git` reaches repositories on it
/// as `ssh://<user>@127.0.0.1:<port>/<absolute path>`.
public final class SSHServer: @unchecked Sendable {
    public let folder: URL
    public let port: UInt16
    /// The client key the server accepts (`clientKey.pub` beside it).
    public let clientKey: String
    /// The line for a known_hosts file that trusts this server.
    public let knownHostsLine: String
    public let user: String
    public static let sshd = "/usr/sbin/sshd"

    public init(in folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try NginxLab.freePort()
        user = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let hostKey = folder.appendingPathComponent("host_key").path
        clientKey = folder.appendingPathComponent("client_key").path
        for key in [hostKey, clientKey] { try Command.succeed(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "release-tests", "-f", key]) }
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: folder.appendingPathComponent("authorized_keys").path)
        let hostPublic = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        knownHostsLine = "[127.0.0.1]:\(port) \(hostPublic)\n"
        try """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            AuthorizedKeysFile \(folder.path)/authorized_keys
            PidFile \(folder.path)/sshd.pid
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password

            """.write(to: folder.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
        // As root, sshd wants the privilege separation folder its service unit would make.
        if geteuid() == 0 { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        // Without -D sshd detaches once it listens; the pid file tells where it is.
        try Command.succeed([Self.sshd, "-f", folder.appendingPathComponent("sshd_config").path, "-E", folder.appendingPathComponent("sshd.log").path])
    }

    public func url(_ repository: URL) -> String { "ssh://\(user)@127.0.0.1:\(port)\(repository.path)" }

    public func stop() {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("sshd.pid"), encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        // The test process may block SIGTERM, and its children inherit that.
        kill(pid, SIGKILL)
    }

    deinit { stop() }

    /// Variables that make ssh (which takes `~` from the password database, not from HOME) see
    /// `home` as the user's home, through nss_wrapper: `~/.ssh/config` and keys there are used.
    public func homeVariables(_ home: URL) throws -> [String: String] {
        let passwd = folder.appendingPathComponent("passwd")
        let group = folder.appendingPathComponent("group")
        try "\(user):x:\(getuid()):\(getgid()):\(user):\(home.path):/bin/sh\n".write(to: passwd, atomically: true, encoding: .utf8)
        try "\(user):x:\(getgid()):\n".write(to: group, atomically: true, encoding: .utf8)
        return ["LD_PRELOAD": "libnss_wrapper.so", "NSS_WRAPPER_PASSWD": passwd.path, "NSS_WRAPPER_GROUP": group.path,
                "HOME": home.path]
    }
}

/// A real smart-HTTP git server: `git http-backend` through `fcgiwrap` behind nginx on
/// 127.0.0.1, with basic authentication (one user), and a second nginx server that forwards
/// plain-HTTP proxy requests to it and logs them, and a third that only asks for Negotiate.
public final class GitHTTPServer: @unchecked Sendable {
    public let folder: URL
    public let port: UInt16
    public let proxyPort: UInt16
    /// A server that only ever asks for Negotiate (Kerberos) authentication.
    public let negotiatePort: UInt16
    public let user = "releaser"
    public let password = "s3cret-token"
    public var repositories: URL { folder.appendingPathComponent("repos") }
    public var proxyLog: URL { folder.appendingPathComponent("proxy.log") }
    private let wrapper = Process()

    public init(in folder: URL) throws {
        self.folder = folder
        port = try NginxLab.freePort()
        proxyPort = try NginxLab.freePort()
        negotiatePort = try NginxLab.freePort()
        try FileManager.default.createDirectory(at: repositories, withIntermediateDirectories: true)
        let socket = folder.appendingPathComponent("fcgiwrap.sock").path
        try "\(user):{PLAIN}\(password)\n".write(to: folder.appendingPathComponent("htpasswd"), atomically: true, encoding: .utf8)
        let backend = ["/usr/lib/git-core/git-http-backend", "/usr/libexec/git-core/git-http-backend"]
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "git-http-backend"
        let parameters = [
            ("SCRIPT_FILENAME", backend), ("GIT_PROJECT_ROOT", repositories.path), ("GIT_HTTP_EXPORT_ALL", "1"),
            ("PATH_INFO", "$uri"), ("REMOTE_USER", "$remote_user"), ("QUERY_STRING", "$query_string"),
            ("REQUEST_METHOD", "$request_method"), ("CONTENT_TYPE", "$content_type"), ("CONTENT_LENGTH", "$content_length"),
            ("HTTP_GIT_PROTOCOL", "$http_git_protocol"),
        ].map { "            fastcgi_param \($0.0) \"\($0.1)\";\n" }.joined()
        try """
            pid \(folder.path)/nginx.pid;
            error_log \(folder.path)/error.log;
            \(geteuid() == 0 ? "user root;" : "")
            events { worker_connections 64; }
            http {
                access_log off;
                client_max_body_size 0;
                server {
                    listen 127.0.0.1:\(port);
                    location / {
                        auth_basic "git";
                        auth_basic_user_file \(folder.path)/htpasswd;
                        fastcgi_pass unix:\(socket);
            \(parameters)        }
                }
                server {
                    listen 127.0.0.1:\(negotiatePort);
                    location / {
                        add_header WWW-Authenticate Negotiate always;
                        return 401;
                    }
                }
                server {
                    listen 127.0.0.1:\(proxyPort);
                    access_log \(proxyLog.path);
                    location / {
                        proxy_pass http://127.0.0.1:\(port);
                        proxy_set_header Authorization $http_authorization;
                    }
                }
            }

            """.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        wrapper.executableURL = URL(fileURLWithPath: Command.which("fcgiwrap") ?? "/usr/sbin/fcgiwrap")
        wrapper.arguments = ["-s", "unix:\(socket)"]
        wrapper.standardOutput = FileHandle.nullDevice
        wrapper.standardError = FileHandle.nullDevice
        try wrapper.run()
        do {
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: socket), Date() < deadline { usleep(10_000) }
            try Command.succeed([NginxLab.nginx, "-p", folder.path + "/", "-c", folder.appendingPathComponent("nginx.conf").path])
        } catch {
            stop()
            throw error
        }
    }

    /// A new bare repository served at `url(name)`, taking pushes.
    public func repository(_ name: String) throws -> GitRepository {
        let repository = try GitRepository(at: repositories.appendingPathComponent(name), bare: true)
        try repository.git("config", "http.receivepack", "true")
        return repository
    }

    public func url(_ name: String, credentials: Bool = false) -> String {
        "http://\(credentials ? "\(user):\(password)@" : "")127.0.0.1:\(port)/\(name)"
    }

    public var negotiateURL: String { "http://127.0.0.1:\(negotiatePort)/any.git" }

    public func stop() {
        if let text = try? String(contentsOf: folder.appendingPathComponent("nginx.pid"), encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while kill(pid, 0) == 0, Date() < deadline { usleep(10_000) }
        }
        if wrapper.isRunning {
            // It inherits the test process's blocked SIGTERM.
            kill(wrapper.processIdentifier, SIGKILL)
            wrapper.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A scratch GnuPG home with one signing key (no passphrase), and its agent stopped afterwards.
public final class GPGHome: @unchecked Sendable {
    public let folder: URL
    public let email = "signer@example.com"
    public private(set) var fingerprint = ""

    public init(in folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = try gpg("--batch", "--passphrase", "", "--quick-generate-key", "Release Signer <\(email)>", "ed25519", "sign", "never")
        let listing = try gpg("--with-colons", "--list-secret-keys", email)
        fingerprint = listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }.map { String($0.split(separator: ":", omittingEmptySubsequences: false)[9]) } ?? ""
    }

    public var variables: [String: String] { ["GNUPGHOME": folder.path] }

    @discardableResult
    public func gpg(_ arguments: String...) throws -> String {
        var environment = TestEnvironment.variables()
        environment["GNUPGHOME"] = folder.path
        let result = try Command.run(Command.which("gpg") ?? "/usr/bin/gpg", arguments, environment: environment)
        guard result.succeeded else { throw CommandFailed(command: "gpg " + arguments.joined(separator: " "), result: result) }
        return result.stdout
    }

    public func stop() {
        var environment = TestEnvironment.variables()
        environment["GNUPGHOME"] = folder.path
        _ = try? Command.run(Command.which("gpgconf") ?? "/usr/bin/gpgconf", ["--kill", "all"], environment: environment)
    }

    deinit { stop() }
}
