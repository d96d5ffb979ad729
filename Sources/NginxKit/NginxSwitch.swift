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
    /// What the last confirmed reload recorded before this switch (nil: unknown).
    public var appliedBefore: OID?
    /// Backends that served before and no longer do: what a drain waits for.
    public var removedBackends: [String] = []
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
            let current = try? Repository.discover(from: directory)
            let local = try? current?.config().string("nginx.repo")
            location = try local ?? Config.userAndSystem().string("nginx.repo") ?? current.flatMap(nginxRepositoryItself)
        }
        guard let location else {
            throw ActionableError("no nginx repository given", hint: "Pass --repo PATH or set it once: git config --global nginx.repo /etc/nginx")
        }
        let repository: Repository
        do {
            repository = try Repository.open(at: location)
        } catch let error as GitError {
            let folder = URL(fileURLWithPath: location).standardizedFileURL.path
            guard let foreign = Repository.foreignRepository(above: folder), foreign == folder else {
                throw ActionableError("\(location) is not a git repository (\(error.message.clipped(120)))",
                                  hint: "nginx.repo must be the nginx configuration folder, kept in git with one branch per target.")
            }
            guard try Repository.trustsForeignOwner(of: foreign) else { throw Repository.dubiousOwnership(foreign) }
            repository = try Repository.open(at: location)
        }
        guard repository.workingDirectory != nil else {
            throw ActionableError("\(location) is a bare repository", hint: "nginx.repo must be the configuration folder nginx reads.")
        }
        return repository
    }

    /// The working tree of `repository` when it is itself an nginx configuration repository:
    /// nginx keys in its own `.git/config`, or an `nginx.conf` at its root with a target branch
    /// beside the `all` one (`yun-app1`, `yun-app2`, `release/without-…`).
    private static func nginxRepositoryItself(_ repository: Repository) -> String? {
        guard let root = repository.workingDirectory else { return nil }
        let ownKeys = (try? Config.file(at: repository.commonDirectory + "config").entries(matching: "^nginx\\."))?.isEmpty == false
        let branches = (try? repository.references(matching: "refs/heads/*").map(\.shortName)) ?? []
        let targetBranch = branches.contains { ["yun-app1", "yun-app2"].contains($0) || $0.hasPrefix("release/without-") }
        return ownKeys || (FileManager.default.fileExists(atPath: root + "nginx.conf") && targetBranch) ? root : nil
    }

    /// Routes nginx to `name`: checks out its branch and has nginx load it, unless the last
    /// confirmed reload recorded that nginx already runs that branch's tip. `generated` is the
    /// commit of a generated target, made before (a dry run does not move its branch). `beforeSwitching`
    /// runs once every check has passed, before anything changes (a dry run included); its
    /// error refuses the switch.
    public func run(target name: String, dryRun: Bool, commit generated: OID? = nil,
                    beforeSwitching: (_ from: NginxSwitchResult.State, _ to: NginxSwitchResult.State) throws -> Void = { _, _ in })
        throws -> NginxSwitchResult {
        let started = now()
        let target = try settings.target(name)
        let interrupted = try SwitchJournal.read(repository)
        if let interrupted, !dryRun { try undoCheckout(of: interrupted) }
        let current = try currentState(dryRun: dryRun, interrupted: interrupted)
        guard let targetCommit = try generated ?? repository.branch(target.branch)?.target else {
            throw ActionableError("the nginx repository has no branch \(target.branch) for target \(name)",
                                  hint: "Create it, or point nginx.\(name).branch at the right branch.")
        }
        let destination = NginxSwitchResult.State(branch: target.branch, commit: targetCommit)
        let before = try processes(from: current, to: destination)
        var lagging: [String] = []
        if let behind = try commitsBehindAll(target), behind.count > 0 {
            let message = "\(target.branch) lacks \(behind.count) commit(s) of \(try allBranch() ?? "the all branch"): \(behind.prefix(3).joined(separator: "; "))"
            if settings.requireUpToDate {
                throw refusal(message, hint: "Merge \(try allBranch() ?? "it") into \(target.branch) first (nginx.requireUpToDate is set).",
                              from: current, to: destination)
            }
            lagging.append(message)
        }
        // After an interrupted switch nginx may run either side: only a reload makes it known.
        let applied = interrupted == nil ? try appliedCommit() : nil
        let health = try checkHealth(of: target, from: current, to: destination)
        let warnings = lagging + health.filter { !$0.ok }.map { "\($0.target) backend \($0.url) does not answer: \($0.detail)" }
        // What leaves: the backends of what nginx ran before (all backends any target names,
        // when that is not known or nothing changes, so a drain can be resumed) less the target's.
        let kept = try liveBackends(in: targetCommit)
        let previously = try applied.flatMap { $0 == targetCommit ? nil : try liveBackends(in: $0) }
            ?? settings.targets.reduce(into: Set<String>()) { all, target in
                if let tip = try repository.branch(target.branch)?.target { all.formUnion(try liveBackends(in: tip)) }
            }
        let removed = previously.subtracting(kept).sorted()
        // What nginx ran, for reports: the branch's tip may be newer than the commit it loaded.
        let running = NginxSwitchResult.State(branch: current.branch, commit: applied ?? current.commit)
        func result(_ outcome: String, after: [Int32] = [], validate: Double = 0, reload: Double = 0) -> NginxSwitchResult {
            NginxSwitchResult(target: name, from: running, to: destination, result: outcome, health: health,
                              workersBefore: before?.workers ?? [], workersAfter: after, validateSeconds: validate,
                              reloadSeconds: reload, totalSeconds: now().timeIntervalSince(started), warnings: warnings,
                              appliedBefore: applied, removedBackends: removed)
        }
        if current.branch == target.branch, applied == targetCommit { return result("unchanged") }
        if current.branch != target.branch {
            let blocking = try repository.checkoutConflicts(from: current.commit, to: targetCommit)
            guard blocking.isEmpty else {
                throw refusal("untracked files in the nginx repository would be overwritten: \(blocking.joined(separator: ", "))",
                              hint: "Move them away, then switch again.", from: current, to: destination)
            }
        }
        let members = settings.members(of: target)
        let probesDecide = probesTell(members, from: current)
        if !settings.checkWorkers, settings.errorLog == nil, !probesDecide {
            throw refusal("release cannot tell here whether nginx applies the reload: its processes are out of sight (nginx.checkWorkers = false), no error log is readable, and no probe tells \(target.name)'s answers from what runs now",
                          hint: "Set nginx.errorLog to nginx's error log, or nginx.probe with nginx.<target>.answer for each target.",
                          from: current, to: destination)
        }
        try beforeSwitching(running, destination)
        if dryRun { return result("dry-run") }

        let signals = HeldSignals.hold()
        defer { signals.release() }
        try SwitchJournal(from: current, to: destination, started: started, pid: getpid()).write(repository)
        waitForEarlierReload()
        let logOffset = errorLogSize()
        let step = Step(switcher: self, current: current, destination: destination, signals: signals, before: before)
        try step.checkOut(target.branch, from: current.commit, to: targetCommit)
        CrashPoint.reached("nginx-checked-out", environment)

        let validateStart = now()
        let validation = try step.guarded("validating") { try settings.validate.run() }
        let validateSeconds = now().timeIntervalSince(validateStart)
        guard validation.status == 0 else {
            try step.back(applied: false)
            // A validate run as a user who may not read nginx's files says nothing of the configuration.
            if validation.output.contains("Permission denied") || validation.output.contains("(13:") {
                throw refusal("\(settings.validate) could not check the configuration: permission denied (\(Self.essence(of: validation.output)))",
                              hint: "Run release as a user who may read nginx's files and write its pid file and logs (often with sudo); nginx was not reloaded.",
                              from: current, to: destination)
            }
            throw refusal("nginx rejected the configuration on \(target.branch): \(Self.essence(of: validation.output))",
                          hint: "Fix it on that branch; nginx was not reloaded and still runs \(current.branch).", from: current, to: destination)
        }
        try step.stopIfInterrupted(applied: false)
        CrashPoint.reached("nginx-validated", environment)

        let reloadStart = now()
        do {
            let interrupted = { signals.pending != nil }
            try reloadAndConfirm(before: before, logOffset: logOffset, probesDecide: probesDecide, interrupted: interrupted)
            try probeTraffic(reaching: members, logOffset: logOffset, interrupted: interrupted)
        } catch let failure as ReloadFailure {
            try rollBack(after: failure, step: step)
        } catch {
            // A reload command that cannot start or times out: nginx's state is unknown, so
            // the previous configuration is loaded again.
            try rollBack(after: ReloadFailure(message: ActionableError.describe(error), applied: true), step: step)
        }
        CrashPoint.reached("nginx-reloaded", environment)
        try recordApplied(targetCommit, replacing: try appliedCommit())
        SwitchJournal.remove(repository)
        try step.stopIfInterrupted(applied: true)
        let reloadSeconds = now().timeIntervalSince(reloadStart)
        let after = settings.checkWorkers ? (NginxProcesses.read(pidFile: settings.pidFile)?.workers ?? []).filter { !NginxProcesses.isShuttingDown($0) } : []
        let outcome = result("switched", after: after, validate: validateSeconds, reload: reloadSeconds)
        audit(from: running, to: destination, result: "switched", reason: interrupted.map { _ in "after an interrupted switch" })
        return outcome
    }

    /// The steps after the checkout, each of which puts the repository back where nginx's
    /// running commit is when it fails or when the operator interrupts.
    struct Step {
        let switcher: NginxSwitch
        let current: NginxSwitchResult.State
        let destination: NginxSwitchResult.State
        let signals: HeldSignals
        let before: NginxProcesses?

        func checkOut(_ branch: String, from: OID, to: OID) throws {
            try switcher.repository.setHead(Reference.branch(branch))
            try switcher.repository.checkout(from: from, to: to, force: true)
        }

        /// Back to the previous branch; reloaded there too when nginx had applied the new one.
        func back(applied: Bool) throws {
            try checkOut(current.branch, from: destination.commit, to: current.commit)
            if applied {
                let now = switcher.settings.checkWorkers ? NginxProcesses.read(pidFile: switcher.settings.pidFile) : nil
                try switcher.reloadAndConfirm(before: now, logOffset: switcher.errorLogSize())
                try switcher.recordApplied(current.commit, replacing: try switcher.appliedCommit())
            }
            SwitchJournal.remove(switcher.repository)
        }

        /// Runs `body`; any error it throws puts the repository back first.
        func guarded<T>(_ doing: String, _ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch {
                try back(applied: false)
                throw switcher.refusal("\(doing) failed: \(ActionableError.describe(error)); switched back to \(current.branch)",
                                       hint: "Check the command (nginx.validate / nginx.reload); nginx was not reloaded.",
                                       from: current, to: destination, result: "rolled-back")
            }
        }

        /// An operator's Ctrl-C or a SIGTERM that arrived meanwhile ends the switch here.
        func stopIfInterrupted(applied: Bool) throws {
            guard let signal = signals.pending else { return }
            try back(applied: applied)
            _ = switcher.refusal("interrupted by signal \(signal); switched back to \(current.branch)",
                                 hint: "", from: current, to: destination, result: "interrupted")
            throw ActionableError("interrupted (signal \(signal)); the nginx repository is back on \(current.branch)\(applied ? " and nginx reloaded it" : ", which nginx still runs")",
                                  hint: "Run the switch again when you are ready.")
        }
    }

    /// After a reload that did not take: back to the previous branch, reloaded only if nginx
    /// had applied the new configuration; otherwise nginx kept running the old one.
    private func rollBack(after failure: ReloadFailure, step: Step) throws -> Never {
        let (current, destination) = (step.current, step.destination)
        do {
            try step.back(applied: failure.applied)
        } catch {
            throw refusal("\(failure.message); reloading \(current.branch) again failed too: \(ActionableError.describe(error))",
                          hint: "The repository is back on \(current.branch) but nginx may still run \(destination.branch): check its error log, then run release nginx apply.",
                          from: current, to: destination, result: "failed")
        }
        let undone = failure.applied ? "switched back to \(current.branch) and reloaded" : "switched back to \(current.branch); nginx kept running it"
        throw refusal("\(failure.message); \(undone)", hint: "Look at nginx's error log and the branch \(destination.branch).",
                      from: current, to: destination, result: "rolled-back")
    }

    /// A switch killed after its checkout left the journal: the files go back to the branch
    /// the switch started from (only if they still hold one side or the other; an operator's
    /// edits are refused, never overwritten), and nginx's state stays unknown until the next
    /// confirmed reload.
    private func undoCheckout(of journal: SwitchJournal) throws {
        let touched = try repository.pathsHoldingNeither(journal.from.commit, nor: journal.to.commit)
        guard touched.isEmpty else {
            throw ActionableError("a switch to \(journal.to.branch) was interrupted and \(touched.prefix(3).joined(separator: ", ")) changed since",
                                  hint: "Put those files back (git -C \(repository.workingDirectory ?? "") checkout -f \(journal.from.branch)), then switch again.")
        }
        progress("an interrupted switch \(journal.from.branch) → \(journal.to.branch) (pid \(journal.pid)) is resolved: nginx will be reloaded")
        try repository.setHead(Reference.branch(journal.from.branch))
        try repository.checkout(from: journal.to.commit, to: journal.from.commit, force: true)
        SwitchJournal.remove(repository)
    }

    /// The branch of the `all` target, which every other target's branch should contain.
    public func allBranch() throws -> String? {
        settings.targets.first { $0.name == "all" }?.branch
    }

    /// The subjects of the commits of the `all` branch that the target's branch lacks (a fix to
    /// nginx.conf made on master and not merged into yun-app1); nil for `all` itself.
    public func commitsBehindAll(_ target: NginxSettings.Target) throws -> [String]? {
        guard target.name != "all", settings.instances(takenOutBy: target) == nil, let all = try allBranch(), all != target.branch,
              let allTip = try repository.branch(all)?.target, let tip = try repository.branch(target.branch)?.target else { return nil }
        return try repository.log(RevisionRange(tips: [allTip], hidden: [tip]), skipMerges: true).map { "\($0.id.short) \($0.subject)" }
    }

    /// `release nginx apply`: has nginx load the tip of the checked-out branch (after a commit
    /// on it, or to settle an interrupted switch), with every check a switch makes.
    public func apply(dryRun: Bool) throws -> NginxSwitchResult {
        let branch = try SwitchJournal.read(repository)?.from.branch ?? repository.head().branchName
        guard let branch, let target = settings.target(onBranch: branch) else {
            throw ActionableError("the nginx repository is on \(branch.map { "'\($0)'" } ?? "no branch"), which is no target's branch",
                                  hint: "Check out one of \(settings.targets.map(\.branch).joined(separator: ", ")) first, or use release switch-nginx TARGET.")
        }
        return try run(target: target.name, dryRun: dryRun)
    }

    // MARK: - Steps

    private func currentState(dryRun: Bool = false, interrupted: SwitchJournal? = nil) throws -> NginxSwitchResult.State {
        if dryRun, let interrupted {
            return NginxSwitchResult.State(branch: interrupted.from.branch, commit: interrupted.from.commit)
        }
        guard case .branch(let branch, let commit) = try repository.head() else {
            throw ActionableError("the nginx repository is not on a branch", hint: "Check out the branch nginx should run, e.g. git checkout master.")
        }
        guard settings.target(onBranch: branch) != nil else {
            throw ActionableError("the nginx repository is on '\(branch)', which is no target's branch",
                               hint: "Check out one of \(settings.targets.map(\.branch).joined(separator: ", ")) first.")
        }
        let state = NginxSwitchResult.State(branch: branch, commit: commit)
        // An untracked file nginx includes (conf.d/*.conf) would go live unrecorded.
        let status = try repository.workingTreeStatus(includeUntracked: true)
        guard status.isClean, status.untracked.isEmpty else {
            let files = (status.changed + status.untracked).prefix(5).joined(separator: ", ")
            throw refusal("the nginx repository has \(status.isClean ? "untracked files" : "uncommitted changes"): \(files)",
                          hint: "Commit them to a branch, or remove them (or ignore them in .gitignore): nginx must run what a branch records.",
                          from: state, to: nil)
        }
        return state
    }

    /// The target whose branch is checked out, for messages.
    private func currentTarget(_ state: NginxSwitchResult.State) -> String {
        settings.target(onBranch: state.branch)?.name ?? state.branch
    }

    private func checkHealth(of target: NginxSettings.Target, from: NginxSwitchResult.State,
                             to: NginxSwitchResult.State) throws -> [HealthCheck] {
        let checks = HealthCheck.probe(settings.members(of: target).flatMap { member in member.health.map { ($0, member.name) } },
                                       timeout: settings.healthTimeout)
        if !checks.isEmpty, !checks.contains(where: \.ok) {
            let details = checks.map { "\($0.url): \($0.detail)" }.joined(separator: "; ")
            throw refusal("no backend of \(target.name) would be live (\(details))",
                          hint: "Start them and check their health URLs; traffic stays where it is.", from: from, to: to)
        }
        return checks
    }

    private func processes(from: NginxSwitchResult.State, to: NginxSwitchResult.State) throws -> NginxProcesses? {
        guard settings.checkWorkers else { return nil }
        switch NginxProcesses.master(pidFile: settings.pidFile) {
        case .running(let processes):
            return processes
        case .notNginx(let pid, let command):
            throw refusal("the pid file \(settings.pidFile) names pid \(pid), which is not an nginx master (it runs \(command.clipped)); nothing was signalled",
                          hint: "nginx is not running from that pid file: start it, or set nginx.pidFile to the right file.",
                          from: from, to: to)
        case .none:
            throw refusal("nginx is not running: no live process in its pid file \(settings.pidFile)",
                          hint: "Start nginx, or set nginx.pidFile (nginx.checkWorkers = false when the host cannot see its pids).",
                          from: from, to: to)
        }
    }

    // MARK: - Refusals

    func refusal(_ message: String, hint: String, from: NginxSwitchResult.State, to: NginxSwitchResult.State?,
                         result: String = "refused") -> ActionableError {
        audit(from: from, to: to, result: result, reason: message)
        return ActionableError(message, hint: hint)
    }

}
