import Foundation
import GitKit
import NginxKit

/// A real nginx on 127.0.0.1 in front of real backends (nginx instances answering "app1 v1",
/// "app2 v1" after an optional delay), with its configuration in a git repository holding the
/// runbook's branches: master (all), and with `handKept`, yun-app1 and yun-app2. nginx logs
/// each request's `$status` and `$upstream_addr` to `accessLog`. Everything lives in a scratch
/// folder and `stop()` ends every process it started.
public final class NginxLab: @unchecked Sendable {
    public let root: URL
    public let frontPort: UInt16
    public private(set) var backendPorts: [String: UInt16] = [:]
    public let config: GitRepository
    public let delay: Double
    public let backends: [String]
    private let handKept: Bool
    private let lock = NSLock()
    private var backendVersions: [String: String] = [:]

    public static var nginx: String { Command.which("nginx") ?? "/usr/sbin/nginx" }
    static let echoModule = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

    public var frontURL: String { "http://127.0.0.1:\(frontPort)/" }
    public var frontFolder: URL { root.appendingPathComponent("front") }
    public var pidFile: String { frontFolder.appendingPathComponent("nginx.pid").path }
    public var errorLog: String { frontFolder.appendingPathComponent("error.log").path }
    public var accessLog: String { frontFolder.appendingPathComponent("access.log").path }

    /// How the configuration repository is laid out.
    public enum Layout: Sendable {
        /// nginx.conf includes upstream.conf; absolute pid and error_log paths.
        case flat
        /// Relative pid and error_log (against nginx's prefix, `-p`).
        case relativePaths
        /// Debian's: nginx.conf includes sites-enabled/*, links to sites-available files, the
        /// upstream's servers included from upstreams/servers.conf; a disabled site beside.
        case debian
    }

    public let layout: Layout

    public init(in root: URL, delay: Double = 0, layout: Layout = .flat, backends: [String] = ["app1", "app2"],
                version: String = "v1", handKept: Bool = true) throws {
        self.root = root
        self.delay = delay
        self.layout = layout
        self.backends = backends
        self.handKept = handKept
        frontPort = try NginxLab.freePort()
        for name in backends { backendPorts[name] = try NginxLab.freePort() }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("front"), withIntermediateDirectories: true)
        config = try GitRepository(at: root.appendingPathComponent("conf"))
        // A lab that fails half-way stops what it started: the test never gets it to stop.
        do {
            for name in backends { try startBackend(name, version: version) }
            try writeConfiguration()
            try Command.succeed([NginxLab.nginx, "-p", frontFolder.path + "/", "-c", config.url.appendingPathComponent("nginx.conf").path])
            try waitUntil("the front nginx answers") { if case .success = HTTPProbe.get(self.frontURL, timeout: self.delay + 2) { true } else { false } }
        } catch {
            stop()
            throw error
        }
    }

    /// The front nginx's configuration repository, its three branches, and the host keys
    /// `release` reads from its `.git/config`.
    private func writeConfiguration() throws {
        let conf = config.url.appendingPathComponent("nginx.conf").path
        // Two paths straight to one backend, for the tests that need them.
        let direct = backendPorts["app1"].flatMap { app1 in backendPorts["app2"].map { app2 in """
                    location /slow-app2 { proxy_pass http://127.0.0.1:\(app2)/slow; }
                    location /app1 { proxy_pass http://127.0.0.1:\(app1)/; }
            """ } } ?? ""
        let server = """
                server {
                    listen 127.0.0.1:\(frontPort);
                    location / { proxy_pass http://backends; }
            \(direct)
                }
            """
        let paths = layout == .relativePaths ? "pid nginx.pid;\nerror_log error.log;" : "pid \(pidFile);\nerror_log \(errorLog);"
        let http = layout == .debian ? "include \(config.path)/sites-enabled/*;" : "include upstream.conf;\n\(server)"
        try config.write("nginx.conf", """
            \(paths)
            worker_processes 2;
            events { worker_connections 1024; }
            http {
                log_format upstreams '$remote_addr [$time_local] "$request" $status $body_bytes_sent $upstream_addr';
                access_log \(accessLog) upstreams;
                \(http)
            }

            """)
        func servers(_ names: [String]) -> String {
            names.map { "    server 127.0.0.1:\(backendPorts[$0]!);\n" }.joined()
        }
        let upstreamFile = layout == .debian ? "upstreams/servers.conf" : "upstream.conf"
        func upstream(_ names: [String]) -> String {
            layout == .debian ? servers(names) : "upstream backends {\n" + servers(names) + "}\n"
        }
        if layout == .debian {
            try config.write("sites-available/front.conf", "upstream backends {\n    include upstreams/servers.conf;\n}\n\(server)\n")
            try config.write("sites-available/disabled.conf", "upstream old { server 127.0.0.1:1; }\n")
            try FileManager.default.createDirectory(at: config.url.appendingPathComponent("sites-enabled"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: config.path + "/sites-enabled/front.conf", withDestinationPath: "../sites-available/front.conf")
        }
        try config.write(upstreamFile, upstream(backends))
        try config.git("add", ".")
        try config.git("commit", "-q", "-m", "all backends")
        for name in handKept ? backends : [] {
            try config.git("checkout", "-q", "-b", "yun-\(name)", "master")
            try config.write(upstreamFile, upstream([name]))
            try config.git("commit", "-q", "-am", "only \(name)")
        }
        try config.git("checkout", "-q", "master")
        let prefix = ["-p", frontFolder.path + "/", "-c", conf]
        try config.git("config", "nginx.validate", ([NginxLab.nginx, "-t", "-q"] + prefix).joined(separator: " "))
        try config.git("config", "nginx.reload", ([NginxLab.nginx, "-s", "reload"] + prefix).joined(separator: " "))
        for name in backends {
            try config.git("config", "nginx.\(name).health", "http://127.0.0.1:\(backendPorts[name]!)/health")
            try config.git("config", "nginx.\(name).answer", name)
        }
        try config.git("config", "nginx.probe", frontURL)
    }

    /// Adds a branch whose upstream.conf (or whole nginx.conf) is `content`, for failure tests.
    public func addBranch(_ branch: String, file: String, content: String, target: String) throws {
        try config.git("checkout", "-q", "-b", branch, "master")
        try config.write(file, content)
        try config.git("commit", "-q", "-am", "branch \(branch)")
        try config.git("checkout", "-q", "master")
        try config.git("config", "nginx.\(target).branch", branch)
    }

    // MARK: - Backends

    private func backendFolder(_ name: String) -> URL { root.appendingPathComponent("backend-\(name)") }

    public func startBackend(_ name: String, version: String) throws {
        let folder = backendFolder(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sleep = delay > 0 ? "echo_sleep \(delay); " : ""
        // The publish script writes nginx.conf from this template with another answer.
        let template = """
            load_module \(NginxLab.echoModule);
            pid \(folder.path)/nginx.pid;
            error_log \(folder.path)/error.log;
            worker_processes 1;
            events { worker_connections 1024; }
            http {
                access_log off;
                server {
                    listen 127.0.0.1:\(backendPorts[name]!);
                    location /health { echo ok; }
                    location /slow { echo_sleep 20; echo slow; }
                    location / { \(sleep)@ANSWER@ }
                }
            }

            """
        try Data(template.utf8).write(to: folder.appendingPathComponent("nginx.conf.in"))
        try Data(template.replacingOccurrences(of: "@ANSWER@", with: "echo \"\(name) \(version)\";").utf8)
            .write(to: folder.appendingPathComponent("nginx.conf"))
        try Command.succeed([NginxLab.nginx, "-p", folder.path, "-c", folder.appendingPathComponent("nginx.conf").path])
        lock.withLock { backendVersions[name] = version }
        try waitUntil("backend \(name) answers") {
            if case .success = HTTPProbe.get("http://127.0.0.1:\(self.backendPorts[name]!)/health") { true } else { false }
        }
    }

    /// A deploy.publish for this lab: `publish INSTANCE TAG` stops the instance gracefully and
    /// starts it again answering "INSTANCE TAG". It fails (leaving the instance stopped) when a
    /// file `fail-INSTANCE` is in the lab's folder, and the new version answers 500 when a file
    /// `broken-TAG` is.
    public func writePublishScript() throws -> String {
        let url = root.appendingPathComponent("publish")
        try Scratch.writeScript("""
            #!/bin/sh
            name=$1 tag=$2 lab='\(root.path)'
            dir="$lab/backend-$name"
            [ -f "$dir/nginx.conf.in" ] || { echo "publish: no instance $name" >&2; exit 2; }
            run() { '\(NginxLab.nginx)' -p "$dir" -c "$dir/nginx.conf" "$@"; }
            if [ -f "$dir/nginx.pid" ]; then
                run -s quit
                tries=0
                while [ -f "$dir/nginx.pid" ] && [ $tries -lt 600 ]; do sleep 0.05; tries=$((tries + 1)); done
            fi
            [ -f "$lab/fail-$name" ] && { echo "publish: $name would not start" >&2; exit 1; }
            answer="echo \\"$name $tag\\";"
            [ -f "$lab/broken-$tag" ] && answer="return 500 \\"$name $tag broken\\";"
            sed "s|@ANSWER@|$answer|" "$dir/nginx.conf.in" > "$dir/nginx.conf"
            run
            """, to: url)
        return url.path
    }

    /// Stops a backend the way a deploy does: gracefully, letting requests in flight finish.
    public func stopBackend(_ name: String) throws {
        try stopNginx(in: backendFolder(name))
    }

    // MARK: - Processes

    public func masterPID() -> Int32? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    public func workerPIDs() -> [Int32] {
        NginxProcesses.read(pidFile: pidFile)?.workers ?? []
    }

    /// Stops the front nginx, as an outage would.
    public func stopFront() {
        try? stopNginx(in: frontFolder, graceful: false)
    }

    /// Ends every nginx this lab started, gracefully first, then for certain.
    public func stop() {
        for folder in [frontFolder] + backends.map(backendFolder) {
            try? stopNginx(in: folder, graceful: false)
        }
    }

    private func stopNginx(in folder: URL, graceful: Bool = true) throws {
        let pidPath = folder.appendingPathComponent("nginx.pid").path
        guard let text = try? String(contentsOfFile: pidPath, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        kill(pid, graceful ? SIGQUIT : SIGTERM)
        let deadline = Date().addingTimeInterval(graceful ? 30 : 5)
        while NginxProcesses.read(pidFile: pidPath) != nil, Date() < deadline { usleep(10_000) }
        if let running = NginxProcesses.read(pidFile: pidPath) {
            (running.workers + [running.master]).forEach { kill($0, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: pidPath)
    }

    private func waitUntil(_ what: String, _ condition: @escaping () -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while !condition() {
            guard Date() < deadline else { throw CommandFailed(command: "wait until \(what)", result: CommandResult(status: 1, stdout: "", stderr: "timed out", stdoutBytes: Data())) }
            usleep(10_000)
        }
    }

    /// A port nothing listens on right now, never handed out twice by this process, and below
    /// the kernel's ephemeral range (32768 and up), where every outgoing connection of the
    /// tests (probes, git, ssh) takes its local port: a port picked there can be taken by one
    /// of those before the server that wants it binds it.
    public static func freePort() throws -> UInt16 {
        for _ in 0..<2_000 {
            let port = ports.next()
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if bound { return port }
        }
        throw CommandFailed(command: "find a free port", result: CommandResult(status: 1, stdout: "", stderr: "", stdoutBytes: Data()))
    }

    private static let ports = PortSequence()
}

/// A bounded stream of new connections through nginx from several threads, counting every
/// request served and every request that failed.
public final class LoadGenerator: @unchecked Sendable {
    private let url: String
    private let lock = NSLock()
    private var running = true
    private var threads: [Thread] = []
    private var finished = 0
    public private(set) var served = 0
    public private(set) var failures: [String] = []
    public private(set) var answers: [String: Int] = [:]

    public init(url: String, concurrency: Int = 8, limit: TimeInterval = 120) {
        self.url = url
        let deadline = Date().addingTimeInterval(limit)
        for _ in 0..<concurrency {
            let thread = Thread { [self] in
                while lock.withLock({ running }) && Date() < deadline {
                    let outcome = HTTPProbe.get(url, timeout: 10)
                    lock.withLock {
                        switch outcome {
                        case .success(let response) where response.status == 200:
                            served += 1
                            answers[response.body.trimmingCharacters(in: .whitespacesAndNewlines), default: 0] += 1
                        case .success(let response):
                            failures.append("HTTP \(response.status): \(response.body.prefix(80))")
                        case .failure(let failure):
                            failures.append(failure.description)
                        }
                    }
                }
                lock.withLock { finished += 1 }
            }
            threads.append(thread)
            thread.start()
        }
    }

    /// Stops every thread and waits for them.
    public func stop() {
        lock.withLock { running = false }
        while lock.withLock({ finished < threads.count }) { usleep(5_000) }
    }
}

/// A TCP port on 127.0.0.1 held open until released.
public final class PortHolder: @unchecked Sendable {
    public let port: UInt16
    private let descriptor: Int32
    private let lock = NSLock()
    private var open = true

    public init() throws {
        // Not inherited by the programs the test starts, which would keep the port busy.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw CommandFailed(command: "hold a port", result: CommandResult(status: 1, stdout: "", stderr: "", stdoutBytes: Data())) }
        port = UInt16(bigEndian: address.sin_port)
    }

    public func release() {
        lock.withLock {
            if open { close(descriptor) }
            open = false
        }
    }
}

/// Ports 20000–31999 in turn, starting where this process's id points, so two test processes
/// rarely try the same ones.
private final class PortSequence: @unchecked Sendable {
    private let lock = NSLock()
    private var upcoming = 20_000 + Int(getpid() % 60) * 200

    func next() -> UInt16 {
        lock.withLock {
            defer { upcoming = upcoming >= 31_999 ? 20_000 : upcoming + 1 }
            return UInt16(upcoming)
        }
    }
}
