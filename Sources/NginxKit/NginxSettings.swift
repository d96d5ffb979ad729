import Foundation
import GitKit

/// How `release` drives one host's nginx. Read only from the host's own configuration — the
/// nginx repository's `.git/config` and the user's and system git config — never from a
/// committed file: a cloned repository must not be able to make `release` run a command.
public struct NginxSettings: Sendable {
    public struct Target: Sendable, Equatable, Codable {
        public let name: String
        public let branch: String
        /// URLs of the target's backends that must answer 2xx before traffic moves to them.
        public let health: [String]
        /// Text that responses served by this target's backends contain, for traffic probes.
        public let answer: String?
    }

    /// One deployable backend (or several addresses deployed together), as the nginx
    /// configuration names it in `upstream` blocks.
    public struct Instance: Sendable, Equatable, Codable {
        public let name: String
        /// `host:port` as written in the `server` lines.
        public let servers: [String]
        public let health: [String]
        /// `nginx.<instance>.answer`, for probes.
        public let answer: String?

        /// The instance as a member of a target, for health checks and probes.
        var asTarget: Target { Target(name: name, branch: "", health: health, answer: answer) }
    }

    public var validate = try! ConfiguredCommand(parsing: "nginx -t", key: "nginx.validate")
    public var reload = try! ConfiguredCommand(parsing: "nginx -s reload", key: "nginx.reload")
    public var targets: [Target] = []
    /// `deploy.instances`, in order, each located by `nginx.<instance>.server`.
    public var instances: [Instance] = []
    public var pidFile = "/run/nginx.pid"
    public var errorLog: String?
    public var auditLog: String
    /// Whether a reload is confirmed by watching worker processes change (off for nginx in a
    /// container whose pids the host cannot see).
    public var checkWorkers = true
    /// URLs served through nginx; after a switch their answers must come from the target only.
    public var probes: [String] = []
    /// Headers sent with every probe (`X-Canary: 1`), for a target routed by header.
    public var probeHeaders: [String] = []
    public var probeRequests = 8
    /// Seconds a health check and a probe may take, from connecting to the last byte.
    public var healthTimeout: TimeInterval = 2
    public var probeTimeout: TimeInterval = 2
    public var reloadTimeout: TimeInterval = 10
    /// Refuse to switch to a target branch that lacks commits of the `all` branch.
    public var requireUpToDate = false
    /// Unknown `nginx.*` keys, one warning line each.
    public var warnings: [String] = []
    /// What the user should know about how reloads are confirmed here.
    public var notes: [String] = []

    static let knownKeys = ["repo", "validate", "reload", "pidFile", "errorLog", "auditLog", "checkWorkers",
                            "probe", "probeHeader", "probeRequests", "probeTimeout", "healthTimeout", "reloadTimeout",
                            "requireUpToDate"].map { "nginx." + $0 }
    static let targetKeys = ["branch", "health", "answer", "server"]

    public static let defaultTargets = [("all", "master"), ("app1", "yun-app1"), ("app2", "yun-app2")]

    init(repository: Repository) throws {
        let config = try repository.config()
        func string(_ key: String) throws -> String? { try config.string("nginx." + key) }
        auditLog = repository.gitDirectory + "release-nginx.log"
        if let text = try string("validate") { validate = try ConfiguredCommand(parsing: text, key: "nginx.validate") }
        if let text = try string("reload") { reload = try ConfiguredCommand(parsing: text, key: "nginx.reload") }

        var names = NginxSettings.defaultTargets.map(\.0)
        for entry in try config.entries(matching: "^nginx\\..+\\.branch$") {
            let name = String(entry.name.dropFirst("nginx.".count).dropLast(".branch".count))
            if !names.contains(name) { names.append(name) }
        }
        targets = try names.map { name in
            let fallback = NginxSettings.defaultTargets.first { $0.0 == name }?.1
            guard let branch = try string("\(name).branch") ?? fallback else {
                throw ActionableError("nginx target '\(name)' has no branch", hint: "Set nginx.\(name).branch.")
            }
            return Target(name: name, branch: branch, health: try config.strings("nginx.\(name).health"),
                          answer: try string("\(name).answer"))
        }

        instances = try config.strings("deploy.instances").flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "," }) }.map { word in
            let name = String(word)
            // Never option-like: the name is handed to the publish command as an argument.
            guard let first = name.first, first.isLetter || first.isNumber,
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ActionableError("deploy.instances names '\(name.clipped)', which is not an instance name", hint: "Use letters, digits, - and _, starting with a letter or digit, e.g. app1 or t3.")
            }
            let servers = try config.strings("nginx.\(name).server")
            for server in servers where server.split(separator: ":").count < 2 || server.contains(" ") {
                throw ActionableError("nginx.\(name).server = \(server.clipped) is not host:port", hint: "Write it as in the upstream's server line, e.g. 127.0.0.1:8081.")
            }
            return Instance(name: name, servers: servers, health: try config.strings("nginx.\(name).health"), answer: try string("\(name).answer"))
        }
        var instanceNames = Set<String>(), owners: [String: String] = [:]
        for instance in instances {
            guard instanceNames.insert(instance.name).inserted else {
                throw ActionableError("deploy.instances names \(instance.name) twice", hint: "List each instance once, in deploy order.")
            }
            for server in instance.servers {
                if let other = owners[server], other != instance.name {
                    throw ActionableError("\(other) and \(instance.name) have the same address \(server) (nginx.<instance>.server)",
                                          hint: "Each instance is its own backend: taking one out must not take the other.")
                }
                owners[server] = instance.name
            }
        }
        for instance in instances where !instance.servers.isEmpty {
            let generated = generatedTarget(without: [instance])
            if !targets.contains(where: { $0.name == generated.name }) { targets.append(generated) }
        }

        let pidKey = try string("pidFile")
        let errorLogKey = try string("errorLog")
        // An empty nginx.errorLog says there is none to watch.
        let noErrorLog = errorLogKey?.isEmpty == true
        // Through nginx itself when the validate command can dump the configuration; else from
        // the repository's own nginx.conf (absolute paths only), else Debian's defaults.
        let resolved = pidKey != nil && errorLogKey != nil ? nil : NginxPaths.resolve(validate: validate)
        let main = repository.workingDirectory.map {
            NginxConfigFile(text: (try? String(contentsOfFile: $0 + "nginx.conf", encoding: .utf8)) ?? "")
        }
        func absolute(_ directive: String) -> String? { main?.topLevel(directive).flatMap { $0.hasPrefix("/") ? $0 : nil } }
        pidFile = pidKey ?? resolved?.pidFile ?? absolute("pid") ?? pidFile
        errorLog = noErrorLog ? nil : errorLogKey ?? resolved?.errorLog ?? (resolved == nil ? absolute("error_log") : nil)
            ?? (resolved == nil && FileManager.default.fileExists(atPath: "/var/log/nginx/error.log") ? "/var/log/nginx/error.log" : nil)
        if errorLogKey == nil, let note = resolved?.note { notes.append(note) }
        auditLog = try string("auditLog") ?? auditLog
        func bool(_ key: String) throws -> Bool? {
            do {
                return try config.bool("nginx." + key)
            } catch {
                throw ActionableError("nginx.\(key) = \((try? string(key))?.clipped ?? "?") is not a boolean", hint: "Use true or false.")
            }
        }
        checkWorkers = try bool("checkWorkers") ?? true
        requireUpToDate = try bool("requireUpToDate") ?? false
        probes = try config.strings("nginx.probe")
        probeHeaders = try config.strings("nginx.probeHeader")
        for header in probeHeaders where !header.contains(":") || header.contains("\r") || header.contains("\n") {
            throw ActionableError("nginx.probeHeader = \(header.clipped) is not a header line", hint: "Write it as Name: value, e.g. X-Canary: 1.")
        }
        if let text = try string("probeRequests") {
            guard let count = Int(text), (1...64).contains(count) else {
                throw ActionableError("nginx.probeRequests = \(text.clipped) is not a number from 1 to 64", hint: "Use e.g. 8.")
            }
            probeRequests = count
        }
        for (key, keyPath) in [("healthTimeout", \NginxSettings.healthTimeout), ("probeTimeout", \NginxSettings.probeTimeout)] {
            guard let text = try string(key) else { continue }
            guard let seconds = TimeInterval(text), seconds > 0, seconds <= 600 else {
                throw ActionableError("nginx.\(key) = \(text.clipped) is not a number of seconds", hint: "Use e.g. 2.")
            }
            self[keyPath: keyPath] = seconds
        }
        if let text = try string("reloadTimeout") {
            guard let seconds = TimeInterval(text), seconds > 0 else {
                throw ActionableError("nginx.reloadTimeout = \(text) is not a number of seconds", hint: "Use e.g. 10.")
            }
            reloadTimeout = seconds
        }
        warnings = try UnknownKeys.warnings(in: config, section: "nginx", known: NginxSettings.knownKeys + (targets.map(\.name) + instances.map(\.name)).flatMap { name in
            NginxSettings.targetKeys.map { "nginx.\(name).\($0)" }
        }) { _, key in NginxSettings.targetKeys.map { $0.lowercased() }.contains(key) }
    }

    /// The target `release` generates to route to every instance but `excluded`: `without-t1`,
    /// or `without-t1+t2` for several, on the branch `release/<name>`.
    public func generatedTarget(without excluded: [Instance]) -> Target {
        let name = "without-" + excluded.map(\.name).joined(separator: "+")
        let others = instances.filter { instance in !excluded.contains { $0.name == instance.name } }
        return Target(name: name, branch: "release/" + name, health: others.flatMap(\.health), answer: nil)
    }

    /// The instances a generated target takes out, nil for other targets.
    public func instances(takenOutBy target: Target) -> [Instance]? {
        guard target.name.hasPrefix("without-"), target.branch == "release/" + target.name else { return nil }
        let names = target.name.dropFirst("without-".count).split(separator: "+", omittingEmptySubsequences: false)
        let found = names.compactMap { name in instances.first { $0.name == name && !$0.servers.isEmpty } }
        return found.count == names.count ? found : nil
    }

    /// A configured target, or a generated one for several instances (`without-t1+t2`).
    func knownTarget(_ name: String) -> Target? {
        if let target = targets.first(where: { $0.name == name }) { return target }
        guard name.hasPrefix("without-"),
              let excluded = instances(takenOutBy: Target(name: name, branch: "release/" + name, health: [], answer: nil)) else { return nil }
        return generatedTarget(without: excluded)
    }

    /// The target whose branch this is.
    public func target(onBranch branch: String) -> Target? {
        targets.first { $0.branch == branch } ?? (branch.hasPrefix("release/") ? knownTarget(String(branch.dropFirst("release/".count))) : nil)
    }

    public func target(_ name: String) throws -> Target {
        guard let target = knownTarget(name) else {
            // Only a name git accepts as a subsection makes a key worth suggesting.
            let nameable = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            throw ActionableError("unknown nginx target '\(name.clipped)'",
                                  hint: "Known targets: \(targets.map(\.name).joined(separator: ", "))\(nameable ? "; add one with nginx.\(name).branch" : "").")
        }
        return target
    }

    /// The targets whose backends a target routes to: itself, or every other target for `all`.
    /// A generated target's members are the instances it keeps; `all`'s every other hand-kept
    /// target and every instance.
    public func members(of target: Target) -> [Target] {
        if let excluded = instances(takenOutBy: target) {
            return instances.filter { instance in !excluded.contains { $0.name == instance.name } }.map(\.asTarget)
        }
        guard target.name == "all", target.health.isEmpty else { return [target] }
        let kept = targets.filter { $0.name != "all" && instances(takenOutBy: $0) == nil }
        return kept + instances.filter { instance in !kept.contains { $0.name == instance.name } }.map(\.asTarget)
    }
}
