import Foundation
import GitKit

/// `release nginx status`: where the nginx repository is, where each target routes, whether
/// the backends answer, the processes, and the last switches.
public struct NginxStatus: Codable, Sendable {
    public struct TargetRoute: Codable, Sendable {
        public let name: String
        public let branch: String
        /// Whether the repository has the branch at all.
        public let exists: Bool
        public let current: Bool
        /// The `server` entries of the branch's `upstream` blocks.
        public let backends: [String]
        /// The same by upstream, with its name and whether it is `http` or `stream`.
        public let upstreams: [NginxConfigFile.Upstream]
        /// Commits of the `all` branch this branch lacks.
        public let behindAll: Int
    }

    public let repository: String
    public let branch: String?
    public let commit: OID?
    public let clean: Bool
    public let targets: [TargetRoute]
    /// What nginx last loaded, as the last confirmed reload recorded it (nil: not known).
    public let applied: OID?
    /// A switch killed before it finished: nginx may run either side until the next one.
    public let interrupted: SwitchJournal?
    public let health: [HealthCheck]
    public let processes: NginxProcesses?
    /// Whether nginx runs at all (nil where its processes are out of sight).
    public let running: Bool?
    public let pidFile: String
    public let lastSwitches: [NginxAuditRecord]
}

extension NginxSwitch {
    /// The `upstream` blocks of a commit's configuration as nginx reads it, from `nginx.conf`
    /// through its includes; without an `nginx.conf` at the root, of every `.conf` file.
    func upstreams(in commit: OID) throws -> [NginxConfigFile.Upstream] {
        if try repository.entryKind(at: "nginx.conf", in: commit) != nil, let root = repository.workingDirectory {
            return try NginxTreeConfiguration(repository: repository, commit: commit, root: root).file.upstreams()
        }
        return try repository.files(in: commit) { $0.hasSuffix(".conf") }
            .flatMap { NginxConfigFile(text: String(decoding: $0.contents, as: UTF8.self)).upstreams() }
    }

    /// The `server` entries (address and any `down`/`backup` flag) of a commit's `http`
    /// upstreams: where traffic through nginx goes.
    func servers(in commit: OID) throws -> [String] {
        try upstreams(in: commit).filter { $0.context == "http" }.flatMap(\.servers)
    }

    /// The backend addresses a commit's configuration sends traffic to (not those marked down).
    func liveBackends(in commit: OID) throws -> Set<String> {
        Set(try servers(in: commit).filter { !$0.hasSuffix(" down") && !$0.contains(" down ") }.map { String($0.split(separator: " ")[0]) })
    }

    public func status(history count: Int = 5, checkHealth: Bool = true) throws -> NginxStatus {
        let head = try repository.head()
        let routes = try settings.targets.map { target in
            let upstreams = try repository.branch(target.branch).map { try self.upstreams(in: $0.target) } ?? []
            let backends = upstreams.filter { $0.context == "http" }.flatMap(\.servers)
            var seen = Set<String>()
            return NginxStatus.TargetRoute(name: target.name, branch: target.branch, exists: try repository.branch(target.branch) != nil,
                                           current: head.branchName == target.branch,
                                           backends: backends.filter { seen.insert($0).inserted }, upstreams: upstreams,
                                           behindAll: try commitsBehindAll(target)?.count ?? 0)
        }
        let checked = checkHealth ? settings.targets.filter { $0.name != "all" || !$0.health.isEmpty } : []
        let health = HealthCheck.probe(checked.flatMap { target in target.health.map { ($0, target.name) } },
                                       timeout: settings.healthTimeout)
        let log = (try? String(contentsOfFile: settings.auditLog, encoding: .utf8)) ?? ""
        return NginxStatus(
            repository: repository.workingDirectory ?? repository.gitDirectory, branch: head.branchName, commit: head.commit,
            clean: try repository.workingTreeStatus(includeUntracked: false).isClean, targets: routes,
            applied: try appliedCommit(), interrupted: try SwitchJournal.read(repository), health: health,
            processes: NginxProcesses.read(pidFile: settings.pidFile),
            running: settings.checkWorkers ? NginxProcesses.read(pidFile: settings.pidFile) != nil : nil, pidFile: settings.pidFile,
            lastSwitches: log.split(separator: "\n").suffix(count).compactMap(NginxAuditRecord.read))
    }
}
