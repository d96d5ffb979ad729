import Foundation
import GitKit
import NginxKit

/// The soak saw the new instances answer too many 5xx: the deploy rolls back by itself.
struct SoakFailure: Error {
    let message: String
}

/// The operator answered no before a step that puts new code in front of users.
struct Declined: Error {
    let message: String
}

/// One line of the audit log per deploy step.
struct DeployAuditRecord: Encodable {
    let time: Date
    let `operator`: String
    let host: String
    let deploy: String
    let step: String
    let result: String
    let reason: String?
}

/// Runs a rollout step by step on the checked switch: traffic moves only with `switch-nginx`'s
/// checks (validate, confirmed reload, rolled back on failure, never to a target with nothing
/// healthy), every step is journaled before and after, and a failure leaves traffic on the
/// instances that answer.
public final class Deployment {
    public let nginx: NginxSwitch
    public let settings: DeploySettings
    let environment: [String: String]
    let progress: (String) -> Void
    /// Asked before a step puts new code in front of users; false stops the deploy there.
    let confirm: (String) -> Bool
    var repository: Repository { nginx.repository }
    /// Seconds this run spent waiting on others: publish commands, health, drains, soaks.
    public private(set) var waitedSeconds = 0.0
    var instances: [NginxSettings.Instance] { nginx.settings.instances }

    public init(nginx: NginxSwitch, settings: DeploySettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                progress: @escaping (String) -> Void, confirm: @escaping (String) -> Bool) {
        self.nginx = nginx
        self.settings = settings
        self.environment = environment
        self.progress = progress
        self.confirm = confirm
    }

    // MARK: - Planning

    /// The journal of a new rollout of `tag` over every instance, checked as far as it can be
    /// before anything moves.
    public func plan(tag: String, previous: String?, strategy: DeploySettings.Strategy, soak: TimeInterval) throws -> DeployJournal {
        let names = instances.map(\.name)
        guard names.count >= 2 else {
            throw ActionableError("deploy.instances names \(names.isEmpty ? "no instance" : "only \(names[0])"); a rolling deploy needs at least two",
                                  hint: "List them in order in the nginx repository's config: git config --add deploy.instances app1.")
        }
        var steps: [DeployStep] = []
        func route(_ to: [String]) { steps.append(DeployStep(kind: .route, instances: to)) }
        func publish(_ group: [String]) { steps += group.map { DeployStep(kind: .publish, instances: [$0], tag: tag) } }
        func soaking(_ group: [String]) { if soak > 0 { steps.append(DeployStep(kind: .soak, instances: group)) } }
        switch strategy {
        case .halves:
            let first = Array(names.prefix(names.count / 2)), second = Array(names.dropFirst(names.count / 2))
            route(second); publish(first); route(first); soaking(first)
            publish(second); route(names)
        case .oneByOne:
            for (index, name) in names.enumerated() {
                route(names.filter { $0 != name }); publish([name]); route(names)
                if index < names.count - 1 { soaking(Array(names.prefix(index + 1))) }
            }
        }
        let journal = DeployJournal(tag: tag, previousTag: previous, strategy: strategy, steps: steps, instances: names,
                                    versions: Dictionary(uniqueKeysWithValues: names.map { ($0, previous ?? "unknown") }),
                                    soakSeconds: soak, started: Date(), operator: Repository.operatorName(environment))
        try check(journal)
        let health = HealthCheck.probe(instances.flatMap { instance in instance.health.map { ($0, instance.name) } }, timeout: nginx.settings.healthTimeout)
        if !health.contains(where: \.ok) {
            throw ActionableError("no instance answers its health URL (\(health.map { "\($0.target): \($0.detail)" }.joined(separator: "; ")))",
                                  hint: "Start them first; a rollout needs a healthy instance to carry the traffic.")
        }
        health.filter { !$0.ok }.forEach { progress("warning: \($0.target) does not answer \($0.url) (\($0.detail)); the switches refuse to leave traffic on it alone") }
        if previous == nil { progress("warning: no release before \(tag) is known, so this deploy cannot be rolled back with release deploy --rollback") }
        return journal
    }

    /// Refuses, before anything moves, what would stop the remaining steps half-way.
    public func check(_ journal: DeployJournal) throws {
        let names = instances.map(\.name)
        guard journal.instances == names else {
            throw ActionableError("deploy.instances changed since the deploy of \(journal.tag) started: it was \(journal.instances.joined(separator: " ")), it is \(names.joined(separator: " "))",
                                  hint: "Set it back until that deploy is finished or rolled back: git config deploy.instances \"\(journal.instances.joined(separator: " "))\".")
        }
        for instance in instances where instance.health.isEmpty {
            throw ActionableError("nginx.\(instance.name).health is not set: release cannot tell that \(instance.name) answers after publishing",
                                  hint: "Set it to a URL the instance answers 2xx on when ready, e.g. http://127.0.0.1:8081/health.")
        }
        if let group = journal.publishGroup, kill(-group, 0) == 0 {
            throw ActionableError("a publish an earlier run started (process group \(group)) is still running",
                                  hint: "Wait for it to end, or stop it (kill -- -\(group)), then run the command again.")
        }
        let remaining = journal.steps.dropFirst(journal.next)
        if remaining.contains(where: { $0.kind == .publish }) {
            guard let publish = settings.publish else {
                throw ActionableError("deploy.publish is not set", hint: "Set the command that deploys one instance, e.g. git config deploy.publish './publish.sh {instance} {tag}'.")
            }
            guard Subprocess.locate(publish.words[0]) != nil else {
                throw ActionableError("deploy.publish runs \(publish.words[0]), which is not an executable program",
                                      hint: "Give the program's full path; deploy.publish runs without a shell.")
            }
        }
        for step in remaining where step.kind == .route {
            let target = try self.target(routingTo: step.instances)
            _ = try GeneratedTargets(nginx).regenerate(target, move: false)
        }
        if remaining.contains(where: { $0.kind == .soak }) {
            guard let path = settings.accessLog else {
                throw ActionableError("a soak watches nginx's access log, and deploy.accessLog is not set",
                                      hint: "Set it to a log written with $status and $upstream_addr (see the README), or pass --soak 0.")
            }
            try AccessLog.requireReadableFormat(path)
        }
        if nginx.settings.checkWorkers, case .none = NginxProcesses.master(pidFile: nginx.settings.pidFile) {
            throw ActionableError("nginx is not running: no live process in its pid file \(nginx.settings.pidFile)",
                                  hint: "Start nginx, or set nginx.pidFile; nothing was changed.")
        }
    }

    /// The target that sends traffic to `names` only: `all`, the generated target without the
    /// others, or a hand-kept target named after the one instance.
    func target(routingTo names: [String]) throws -> NginxSettings.Target {
        let others = instances.filter { !names.contains($0.name) }
        if others.isEmpty { return try nginx.settings.target("all") }
        if others.allSatisfy({ !$0.servers.isEmpty }) { return nginx.settings.generatedTarget(without: others) }
        if names.count == 1, let kept = nginx.settings.targets.first(where: { $0.name == names[0] }),
           try repository.branch(kept.branch) != nil {
            return kept
        }
        let missing = others.first { $0.servers.isEmpty }!.name
        throw ActionableError("release cannot route traffic to \(names.joined(separator: ", ")) alone: nginx.\(missing).server is not set",
                              hint: "Set it to \(missing)'s address as the upstream writes it (release then generates the target), or keep a branch for target \(names.joined(separator: "+")).")
    }

    /// What a dry run shows: each step, and each generated configuration's changed lines.
    public func preview(_ journal: DeployJournal) throws -> [String] {
        var lines: [String] = []
        var shown = Set<String>()
        for (index, step) in journal.steps.enumerated() where index >= journal.next {
            var line = "\(index + 1). \(step.description)"
            if step.kind == .route {
                let target = try self.target(routingTo: step.instances)
                line += " (target \(target.name), branch \(target.branch))"
                if shown.insert(target.name).inserted, let commit = try GeneratedTargets(nginx).regenerate(target, move: false) {
                    lines.append(line)
                    lines += try changedLines(in: commit).map { "     \($0)" }
                    continue
                }
            }
            if step.kind == .soak { line += " for \(Int(journal.soakSeconds)) s, stopping and rolling back above \(settings.maxErrorRate * 100)% 5xx" }
            if step.kind == .publish, let publish = settings.publish { line += ": \(publish.filling(placeholders(step, journal)))" }
            lines.append(line)
        }
        return lines
    }

    /// `-`/`+` lines of a generated commit against its parent (the `all` tip).
    private func changedLines(in commit: OID) throws -> [String] {
        guard let parent = try repository.commit(commit).parents.first else { return [] }
        var lines: [String] = []
        for file in try repository.files(in: commit, where: { _ in true }) {
            guard let before = try repository.files(in: parent, where: { $0 == file.path }).first, before.contents != file.contents else { continue }
            let old = String(decoding: before.contents, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let new = String(decoding: file.contents, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            lines.append("\(file.path):")
            for (was, now) in zip(old, new) where was != now {
                lines += ["- " + was.trimmingCharacters(in: .whitespaces), "+ " + now.trimmingCharacters(in: .whitespaces)]
            }
        }
        return lines
    }

    func placeholders(_ step: DeployStep, _ journal: DeployJournal) -> [String: String] {
        let tag = step.tag ?? ""
        return ["instance": step.instances.first ?? "", "tag": tag, "version": journal.tagVersions[tag] ?? tag]
    }

    // MARK: - Rolling back

    /// Replaces the remaining steps with the way back to `previousTag`: instances on the new
    /// version that are out of traffic are published again first, then traffic goes to the
    /// instances on the previous version while the others are published again, then to all.
    public func planRollback(_ journal: inout DeployJournal, reason: String) throws {
        guard let previous = journal.previousTag else {
            throw ActionableError("release does not know what the instances ran before \(journal.tag), so it cannot roll back",
                                  hint: "Deploy the version you want: release deploy TAG.")
        }
        let names = instances.map(\.name)
        let updated = names.filter { journal.versions[$0] != previous }
        let live = journal.live ?? names
        let outFirst = updated.filter { !live.contains($0) }
        let old = names.filter { !updated.contains($0) || outFirst.contains($0) }
        let rest = updated.filter { live.contains($0) }
        var steps = outFirst.map { DeployStep(kind: .publish, instances: [$0], tag: previous) }
        if rest.isEmpty {
            steps.append(DeployStep(kind: .route, instances: names))
        } else if !old.isEmpty {
            steps.append(DeployStep(kind: .route, instances: old))
            steps += rest.map { DeployStep(kind: .publish, instances: [$0], tag: previous) }
            steps.append(DeployStep(kind: .route, instances: names))
        } else {
            for name in rest {
                steps += [DeployStep(kind: .route, instances: names.filter { $0 != name }),
                          DeployStep(kind: .publish, instances: [name], tag: previous),
                          DeployStep(kind: .route, instances: names)]
            }
        }
        journal.steps = steps
        journal.next = 0
        journal.rollingBack = true
        journal.state = .running
        journal.reason = reason
        try check(journal)
    }

    // MARK: - Running

    /// Does the journal's remaining steps, writing it before and after each. A soak that sees
    /// too many 5xx turns the deploy into its rollback; any other failure stops it with the
    /// journal kept for `--continue` or `--rollback`.
    public func run(_ journal: inout DeployJournal) throws {
        var autoRollback: String?
        journal.state = .running
        try journal.write(repository)
        while let step = journal.currentStep {
            let stepStarted = Date()
            do {
                if step.kind == .route, !journal.rollingBack,
                   let fresh = step.instances.first(where: { journal.versions[$0] == journal.tag }),
                   !confirm("step \(journal.next + 1)/\(journal.steps.count): \(step.description), putting \(journal.tag) (on \(fresh)) in front of users?") {
                    throw Declined(message: "stopped before step \(journal.next + 1): \(step.description); traffic stays where it is")
                }
                try perform(step, in: &journal)
            } catch let failure as SoakFailure where !journal.rollingBack {
                audit(journal, step, result: "failed", reason: failure.message)
                progress("\(failure.message): rolling back to \(journal.previousTag ?? "?")")
                try planRollback(&journal, reason: failure.message)
                try journal.write(repository)
                autoRollback = failure.message
                continue
            } catch {
                let message = switch error {
                case let interrupted as Subprocess.Interrupted: "interrupted (\(interrupted.name))"
                case let declined as Declined: declined.message
                default: ActionableError.describe(error)
                }
                audit(journal, step, result: "failed", reason: message)
                journal.state = .stopped
                journal.reason = message
                try? journal.write(repository)
                if let interrupted = error as? Subprocess.Interrupted {
                    throw ActionableError("\(step.description) was interrupted (\(interrupted.name)); the deploy stopped at step \(journal.next + 1) of \(journal.steps.count)",
                                          hint: "release deploy --continue does that step again; release deploy --rollback undoes the deploy.")
                }
                if error is Declined {
                    throw ActionableError(message, hint: "release deploy --continue resumes there; release deploy --rollback undoes the deploy.")
                }
                let traffic = journal.live.map { " Traffic stays on \($0.joined(separator: ", "))." } ?? ""
                throw ActionableError("\(journal.rollingBack ? "rollback" : "deploy") step \(journal.next + 1) (\(step.description)) failed: \(message)",
                                      hint: "\(traffic) Fix the cause, then release deploy --continue; or release deploy --rollback.".trimmingCharacters(in: .whitespaces))
            }
            if step.kind != .route { waitedSeconds += Date().timeIntervalSince(stepStarted) }
            audit(journal, step, result: "done", reason: nil)
            journal.next += 1
            try journal.write(repository)
        }
        journal.state = journal.rollingBack ? .rolledBack : .done
        try journal.write(repository)
        if let autoRollback {
            throw ActionableError("\(journal.tag) was rolled back: \(autoRollback); every instance runs \(journal.previousTag ?? "?") again",
                                  hint: "See the access log and the new instances' logs before deploying again.")
        }
    }

    private func perform(_ step: DeployStep, in journal: inout DeployJournal) throws {
        let crashPoint = "deploy-step-\(journal.next + 1)"
        switch step.kind {
        case .route:
            let target = try self.target(routingTo: step.instances)
            let generated = try GeneratedTargets(nginx).regenerate(target, move: true)
            let result = try nginx.run(target: target.name, dryRun: false, commit: generated)
            result.warnings.forEach { progress("warning: \($0)") }
            progress(result.result == "unchanged" ? "nginx already routes to \(step.instances.joined(separator: ", ")) (\(target.name))"
                                                   : "nginx routes to \(step.instances.joined(separator: ", ")) (\(target.name)) in \(Int(result.totalSeconds * 1000)) ms")
            journal.live = step.instances
            try journal.write(repository)
            CrashPoint.reached(crashPoint, environment)
            let drainStarted = Date()
            try nginx.drain(result, timeout: settings.drainTimeout)
            waitedSeconds += Date().timeIntervalSince(drainStarted)
        case .publish:
            let name = step.instances[0]
            guard let command = settings.publish?.filling(placeholders(step, journal)) else { throw ActionableError("deploy.publish is not set", hint: "") }
            journal.versions[name] = step.tag
            try journal.write(repository)
            progress("publishing \(step.tag ?? "") on \(name): \(command)")
            let status = try command.runShowingOutput(timeout: settings.publishTimeout) { group in
                journal.publishGroup = group
                try? journal.write(repository)
            }
            journal.publishGroup = nil
            try journal.write(repository)
            guard status == 0 else {
                throw ActionableError("deploy.publish exited with status \(status) (\(command))", hint: "")
            }
            CrashPoint.reached(crashPoint, environment)
            try waitUntilHealthy(name)
        case .soak:
            try soak(step.instances, seconds: journal.soakSeconds, crashPoint: crashPoint)
        }
    }

    /// Waits until every health URL of the instance answers 2xx, up to `deploy.healthWait`.
    private func waitUntilHealthy(_ name: String) throws {
        guard let instance = instances.first(where: { $0.name == name }) else { return }
        let deadline = Date().addingTimeInterval(settings.healthWait)
        while true {
            let checks = HealthCheck.probe(instance.health.map { ($0, name) }, timeout: nginx.settings.healthTimeout)
            if checks.allSatisfy(\.ok) {
                progress("\(name) answers its health URL")
                return
            }
            guard Date() < deadline else {
                let failing = checks.filter { !$0.ok }.map { "\($0.url): \($0.detail)" }.joined(separator: "; ")
                throw ActionableError("\(name) did not become healthy within \(Int(settings.healthWait)) s of publishing (\(failing))", hint: "")
            }
            usleep(250_000)
        }
    }

    /// Watches the access log for `seconds`, reporting requests and 5xx per backend every few
    /// seconds; throws `SoakFailure` when the new instances' share of 5xx passes the limit.
    private func soak(_ fresh: [String], seconds: TimeInterval, crashPoint: String) throws {
        guard seconds > 0, let path = settings.accessLog else { return }
        let log = try AccessLog(path: path)
        let newServers = Set(instances.filter { fresh.contains($0.name) }.flatMap(\.servers))
        func owner(_ backend: String) -> String {
            instances.first { $0.servers.contains(backend) }.map { "\($0.name)\(fresh.contains($0.name) ? ", new" : "")" } ?? backend
        }
        let started = Date()
        var lastReport = started
        var crashed = false
        while true {
            usleep(200_000)
            log.update()
            let elapsed = Date().timeIntervalSince(started)
            let counted = log.backends.filter { newServers.isEmpty || newServers.contains($0.key) }.values
            let requests = counted.reduce(0) { $0 + $1.requests }, errors = counted.reduce(0) { $0 + $1.errors }
            let summary = log.backends.sorted { $0.key < $1.key }.map { "\($0.key) (\(owner($0.key))) \($0.value.requests) requests, \($0.value.errors) 5xx" }
            if errors > 0, Double(errors) / Double(max(requests, 1)) > settings.maxErrorRate {
                throw SoakFailure(message: "\(fresh.joined(separator: ", ")) answered \(errors) 5xx in \(requests) requests during the soak (over deploy.maxErrorRate \(settings.maxErrorRate * 100)%)")
            }
            if Date().timeIntervalSince(lastReport) >= min(5, seconds) || elapsed >= seconds {
                progress("soak \(Int(elapsed.rounded()))/\(Int(seconds)) s: \(summary.isEmpty ? "no request yet" : summary.joined(separator: "; "))")
                lastReport = Date()
                if !crashed { CrashPoint.reached(crashPoint, environment); crashed = true }
            }
            if elapsed >= seconds { return }
        }
    }

    private func audit(_ journal: DeployJournal, _ step: DeployStep, result: String, reason: String?) {
        nginx.appendToAuditLog(DeployAuditRecord(
            time: Date(), operator: Repository.operatorName(environment), host: ProcessInfo.processInfo.hostName,
            deploy: journal.rollingBack ? "rollback of \(journal.tag)" : journal.tag,
            step: "\(journal.next + 1)/\(journal.steps.count) \(step.description)", result: result, reason: reason))
    }
}
