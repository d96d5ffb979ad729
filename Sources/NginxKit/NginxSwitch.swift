import Foundation
import GitKit

/// What one `switch-nginx` did.
public struct NginxSwitchResult: Codable, Sendable {
    public struct State: Codable, Sendable {
        public let branch: String
        public let commit: OID
    }

    public let target: String
    public let from: State
    public let to: State
    /// `switched`, `unchanged` (already there) or `dry-run`.
    public let result: String
    public let health: [HealthCheck]
    public let workersBefore: [Int32]
    public let workersAfter: [Int32]
    /// nginx's own validate and reload, and the whole switch, in seconds.
    public let validateSeconds: Double
    public let reloadSeconds: Double
    public let totalSeconds: Double
    public var warnings: [String]
}

public struct HealthCheck: Codable, Sendable, Equatable {
    public let target: String
    public let url: String
    public let ok: Bool
    public let detail: String

    /// Asks a backend's health URL: healthy means a 2xx answer.
    static func probe(_ url: String, of target: String) -> HealthCheck {
        switch HTTPProbe.get(url) {
        case .success(let response):
            HealthCheck(target: target, url: url, ok: (200..<300).contains(response.status), detail: "HTTP \(response.status)")
        case .failure(let failure):
            HealthCheck(target: target, url: url, ok: false, detail: failure.description)
        }
    }
}

/// Routes an nginx to another set of backends by checking out the branch that holds that
/// configuration, the runbook's way, but checked at every step and undone on any failure:
/// nginx never runs a configuration that failed, and traffic never goes where nothing answers.
public final class NginxSwitch {
    public let repository: Repository
    public let settings: NginxSettings
    /// Where "now" comes from, so tests can fix it.
    let now: @Sendable () -> Date
    let environment: [String: String]
    let progress: (String) -> Void

    public init(repository: Repository, now: @escaping @Sendable () -> Date = { Date() },
                environment: [String: String] = ProcessInfo.processInfo.environment,
                progress: @escaping (String) -> Void = { _ in }) throws {
        self.repository = repository
        settings = try NginxSettings(repository: repository)
        self.now = now
        self.environment = environment
        self.progress = progress
    }

    /// Opens the nginx repository: `--repo`, else `nginx.repo` from the current repository's
    /// or the user's configuration.
    public static func repository(at path: String?, from directory: String) throws -> Repository {
        var location = path
        if location == nil {
            let local = try? Repository.discover(from: directory).config().string("nginx.repo")
            location = try local ?? Config.userAndSystem().string("nginx.repo")
        }
        guard let location else {
            throw ActionableError("no nginx repository given", hint: "Pass --repo PATH or set it once: git config --global nginx.repo /etc/nginx")
        }
        let repository: Repository
        do {
            repository = try Repository.open(at: location)
        } catch let error as GitError {
            throw ActionableError("\(location) is not a git repository (\(error.message))",
                               hint: "nginx.repo must be the nginx configuration folder, kept in git with one branch per target.")
        }
        guard repository.workingDirectory != nil else {
            throw ActionableError("\(location) is a bare repository", hint: "nginx.repo must be the configuration folder nginx reads.")
        }
        return repository
    }

    public func run(target name: String, dryRun: Bool) throws -> NginxSwitchResult {
        let started = now()
        let target = try settings.target(name)
        let current = try currentState()
        guard let targetCommit = try repository.branch(target.branch)?.target else {
            throw ActionableError("the nginx repository has no branch \(target.branch) for target \(name)",
                               hint: "Create it, or point nginx.\(name).branch at the right branch.")
        }
        let destination = NginxSwitchResult.State(branch: target.branch, commit: targetCommit)
        let health = try checkHealth(of: target, from: current, to: destination)
        let warnings = health.filter { !$0.ok }.map { "\($0.target) backend \($0.url) does not answer: \($0.detail)" }
        func result(_ outcome: String, before: [Int32] = [], after: [Int32] = [], validate: Double = 0, reload: Double = 0) -> NginxSwitchResult {
            NginxSwitchResult(target: name, from: current, to: destination, result: outcome, health: health,
                              workersBefore: before, workersAfter: after, validateSeconds: validate, reloadSeconds: reload,
                              totalSeconds: now().timeIntervalSince(started), warnings: warnings)
        }
        if current.branch == target.branch { return result("unchanged") }
        let blocking = try repository.checkoutConflicts(from: current.commit, to: targetCommit)
        guard blocking.isEmpty else {
            throw refusal("untracked files in the nginx repository would be overwritten: \(blocking.joined(separator: ", "))",
                          hint: "Move them away, then switch again.", from: current, to: destination)
        }
        if dryRun { return result("dry-run") }

        let before = try processes(from: current, to: destination)
        let logOffset = errorLogSize()
        try checkOut(target.branch, from: current.commit, to: targetCommit)

        let validateStart = now()
        let validation = try settings.validate.run()
        let validateSeconds = now().timeIntervalSince(validateStart)
        guard validation.status == 0 else {
            try checkOut(current.branch, from: targetCommit, to: current.commit)
            throw refusal("nginx rejected the configuration on \(target.branch): \(Self.essence(of: validation.output))",
                          hint: "Fix it on that branch; nginx was not reloaded and still runs \(current.branch).", from: current, to: destination)
        }

        let reloadStart = now()
        do {
            try reloadAndConfirm(before: before, logOffset: logOffset)
            try probeTraffic(reaching: settings.members(of: target))
        } catch let failure as ReloadFailure {
            // A reload nginx did not apply left it running the previous configuration: only the
            // files go back. One it applied is undone by reloading the previous configuration.
            try checkOut(current.branch, from: targetCommit, to: current.commit)
            var undone = "switched back to \(current.branch); nginx kept running it"
            if failure.applied {
                let now = settings.checkWorkers ? NginxProcesses.read(pidFile: settings.pidFile) : nil
                do {
                    try reloadAndConfirm(before: now, logOffset: errorLogSize())
                } catch let second as ReloadFailure {
                    throw refusal("\(failure.message); reloading \(current.branch) again failed too: \(second.message)",
                                  hint: "The repository is back on \(current.branch) but nginx may still run \(target.branch): check its error log, then run release switch-nginx \(currentTarget(current)) again.",
                                  from: current, to: destination, result: "failed")
                }
                undone = "switched back to \(current.branch) and reloaded"
            }
            throw refusal("\(failure.message); \(undone)", hint: "Look at nginx's error log and the branch \(target.branch).",
                          from: current, to: destination, result: "rolled-back")
        }
        let reloadSeconds = now().timeIntervalSince(reloadStart)
        let after = settings.checkWorkers ? NginxProcesses.read(pidFile: settings.pidFile)?.workers ?? [] : []
        let outcome = result("switched", before: before?.workers ?? [], after: after, validate: validateSeconds, reload: reloadSeconds)
        audit(from: current, to: destination, result: "switched", reason: nil)
        return outcome
    }

    /// Waits until every worker that ran before the switch has exited: then no request is in
    /// flight to the backends the switch removed.
    public func drain(_ result: NginxSwitchResult, timeout: TimeInterval) throws {
        let deadline = now().addingTimeInterval(timeout)
        let started = now()
        var remaining = NginxProcesses.alive(result.workersBefore)
        var lastReport = Date.distantPast
        while !remaining.isEmpty {
            if now() >= deadline {
                throw ActionableError("\(remaining.count) old nginx worker(s) still running after \(Int(timeout)) s: pid \(remaining.map(String.init).joined(separator: ", "))",
                                   hint: "They still serve requests begun before the switch: wait before stopping the removed backends.")
            }
            if now().timeIntervalSince(lastReport) >= 1 {
                progress("draining: \(remaining.count) old worker(s) still finishing requests (pid \(remaining.map(String.init).joined(separator: ", "))), \(String(format: "%.1f", now().timeIntervalSince(started))) s")
                lastReport = now()
            }
            usleep(20_000)
            remaining = NginxProcesses.alive(remaining)
        }
    }

    // MARK: - Steps

    private func currentState() throws -> NginxSwitchResult.State {
        guard case .branch(let branch, let commit) = try repository.head() else {
            throw ActionableError("the nginx repository is not on a branch", hint: "Check out the branch nginx should run, e.g. git checkout master.")
        }
        guard settings.targets.contains(where: { $0.branch == branch }) else {
            throw ActionableError("the nginx repository is on '\(branch)', which is no target's branch",
                               hint: "Check out one of \(settings.targets.map(\.branch).joined(separator: ", ")) first.")
        }
        let state = NginxSwitchResult.State(branch: branch, commit: commit)
        let status = try repository.workingTreeStatus(includeUntracked: false)
        guard status.isClean else {
            throw refusal("the nginx repository has uncommitted changes: \(status.changed.joined(separator: ", "))",
                          hint: "Commit them to a branch or discard them (git checkout -- .): nginx must run what a branch records.",
                          from: state, to: nil)
        }
        return state
    }

    /// The target whose branch is checked out, for messages.
    private func currentTarget(_ state: NginxSwitchResult.State) -> String {
        settings.targets.first { $0.branch == state.branch }?.name ?? state.branch
    }

    private func checkHealth(of target: NginxSettings.Target, from: NginxSwitchResult.State,
                             to: NginxSwitchResult.State) throws -> [HealthCheck] {
        let checks = settings.members(of: target).flatMap { member in
            member.health.map { HealthCheck.probe($0, of: member.name) }
        }
        if !checks.isEmpty, !checks.contains(where: \.ok) {
            let details = checks.map { "\($0.url): \($0.detail)" }.joined(separator: "; ")
            throw refusal("no backend of \(target.name) would be live (\(details))",
                          hint: "Start them and check their health URLs; traffic stays where it is.", from: from, to: to)
        }
        return checks
    }

    private func processes(from: NginxSwitchResult.State, to: NginxSwitchResult.State) throws -> NginxProcesses? {
        guard settings.checkWorkers else { return nil }
        guard let processes = NginxProcesses.read(pidFile: settings.pidFile) else {
            throw refusal("nginx does not run: no live process in its pid file \(settings.pidFile)",
                          hint: "Start nginx, or set nginx.pidFile (nginx.checkWorkers = false when the host cannot see its pids).",
                          from: from, to: to)
        }
        return processes
    }

    private func checkOut(_ branch: String, from: OID, to: OID) throws {
        try repository.setHead(Reference.branch(branch))
        try repository.checkout(from: from, to: to, force: true)
    }

    /// Why a reload did not take, and whether nginx applied it anyway.
    struct ReloadFailure: Error {
        let message: String
        let applied: Bool
    }

    /// The reload command returns before nginx applies it, and a configuration that passes
    /// `nginx -t` can still fail to apply: a reload counts once new workers run, the old ones
    /// stopped accepting connections, and the error log gained no `[emerg]`.
    private func reloadAndConfirm(before: NginxProcesses?, logOffset: UInt64?) throws {
        let reload = try settings.reload.run()
        guard reload.status == 0 else {
            throw ReloadFailure(message: "the reload command (\(settings.reload)) failed: \(Self.essence(of: reload.output))", applied: false)
        }
        let deadline = now().addingTimeInterval(settings.reloadTimeout)
        var started = false
        while true {
            if let emergency = newEmergencies(since: logOffset) {
                throw ReloadFailure(message: "nginx could not apply the configuration: \(emergency)", applied: started)
            }
            guard let before else { return }
            guard NginxProcesses.isAlive(before.master) else {
                throw ReloadFailure(message: "the nginx master \(before.master) died during the reload", applied: false)
            }
            started = started || !Set(NginxProcesses.children(of: before.master)).subtracting(before.workers).isEmpty
            // Old workers close their listening sockets as they retitle themselves.
            if started, before.workers.allSatisfy({ !NginxProcesses.isAlive($0) || NginxProcesses.isShuttingDown($0) }) {
                return
            }
            if now() >= deadline {
                throw ReloadFailure(message: started ? "nginx's old workers kept accepting connections \(Int(settings.reloadTimeout)) s after the reload"
                                                     : "nginx started no new worker within \(Int(settings.reloadTimeout)) s of the reload",
                                    applied: started)
            }
            usleep(2_000)
        }
    }

    /// With `nginx.probe`, requests through nginx (sent at once, each on a new connection) must
    /// all be answered by the target's backends.
    private func probeTraffic(reaching members: [NginxSettings.Target]) throws {
        guard let probe = settings.probe else { return }
        let answers = members.compactMap(\.answer)
        let outcomes = ProbeResults(count: settings.probeRequests)
        let finished = DispatchGroup()
        for index in 0..<settings.probeRequests {
            finished.enter()
            Thread.detachNewThread {
                outcomes.set(index, HTTPProbe.get(probe))
                finished.leave()
            }
        }
        finished.wait()
        for outcome in outcomes.values {
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                if !answers.isEmpty, !answers.contains(where: response.body.contains) {
                    throw ReloadFailure(message: "traffic does not reach only \(members.map(\.name).joined(separator: ", ")): \(probe) answered \(response.body.trimmingCharacters(in: .whitespacesAndNewlines))", applied: true)
                }
            case .success(let response):
                throw ReloadFailure(message: "\(probe) answered HTTP \(response.status) after the switch", applied: true)
            case .failure(let failure):
                throw ReloadFailure(message: "\(probe) failed after the switch: \(failure)", applied: true)
            }
        }
    }

    /// nginx's first serious line, without timestamp and pid: the part a user needs.
    static func essence(of output: String) -> String {
        let lines = output.split(whereSeparator: \.isNewline).map(String.init)
        let line = lines.first { $0.contains("[emerg]") || $0.contains("[alert]") || $0.contains("[crit]") } ?? lines.first ?? ""
        guard let bracket = line.firstIndex(of: "[") else { return line }
        var text = String(line[bracket...])
        if let range = text.range(of: #"\d+#\d+: "#, options: .regularExpression) { text.removeSubrange(range) }
        return text
    }

    private func errorLogSize() -> UInt64? {
        var info = stat()
        guard let path = settings.errorLog, stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }

    private func newEmergencies(since offset: UInt64?) -> String? {
        guard let path = settings.errorLog, let offset, let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").first { $0.contains("[emerg]") }.map { Self.essence(of: String($0)) }
    }

    // MARK: - Refusals

    private func refusal(_ message: String, hint: String, from: NginxSwitchResult.State, to: NginxSwitchResult.State?,
                         result: String = "refused") -> ActionableError {
        audit(from: from, to: to, result: result, reason: message)
        return ActionableError(message, hint: hint)
    }

}

/// Probe answers collected from concurrent requests.
private final class ProbeResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<HTTPProbe.Response, HTTPProbe.Failure>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<HTTPProbe.Response, HTTPProbe.Failure>) {
        lock.withLock { results[index] = result }
    }

    var values: [Result<HTTPProbe.Response, HTTPProbe.Failure>] { lock.withLock { results.compactMap { $0 } } }
}
