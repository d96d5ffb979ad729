import ArgumentParser
import DeployKit
import Foundation
import GitKit
import NginxKit
import ReleaseKit

extension DeploySettings.Strategy: ExpressibleByArgument {}

extension Release {
    struct Deploy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll a release out behind nginx, instance by instance, resumable and undoable.",
            discussion: """
                Takes instances out of traffic (generated targets, or hand-kept branches), drains \
                them, runs deploy.publish on each, waits for its health URLs, puts traffic on it, \
                and watches the access log (soak), rolling back by itself when the new instances \
                answer too many 5xx. Every switch is switch-nginx's checked switch. The plan and \
                its progress are journaled in the nginx repository: --continue resumes after an \
                interrupt or a failed step, --rollback returns every instance to the previous tag.
                """,
            subcommands: [Run.self, Status.self], defaultSubcommand: Run.self)
    }
}

extension Release.Deploy {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy TAG (default: the last release) on every instance of deploy.instances.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption
        @Argument(help: "The release tag to publish (default: the last release on the production branch).") var tag: String?
        @Option(help: ArgumentHelp("The nginx configuration repository (default: nginx.repo).", valueName: "path")) var repo: String?
        @Option(help: "halves or one-by-one (default: deploy.strategy, else halves).") var strategy: DeploySettings.Strategy?
        @Option(help: ArgumentHelp("Seconds to watch the access log after new code goes live (default: deploy.soak, else 60).", valueName: "seconds"))
        var soak: Double?
        @Flag(help: "Do not ask before putting new code in front of users (needed without a terminal).") var yes = false
        @Flag(name: .customLong("continue"), help: "Resume the deploy in progress from the step it stopped at.") var resume = false
        @Flag(help: "Return every instance to the version it ran before the deploy.") var rollback = false

        func validate() throws {
            if resume && rollback { throw ValidationError("--continue and --rollback cannot be combined.") }
            if (resume || rollback) && (tag != nil || strategy != nil || soak != nil) {
                throw ValidationError("--continue and --rollback take the deploy in progress as it is: no TAG, --strategy or --soak.")
            }
            if let soak, soak < 0 { throw ValidationError("--soak takes a number of seconds, 0 or more.") }
        }

        func run() throws {
            let repository = try NginxSwitch.repository(at: repo.map(global.path), from: global.directory)
            let nginx = try NginxSwitch(repository: repository, progress: { Terminal.standardError($0) })
            let settings = try DeploySettings(repository: repository)
            (nginx.settings.warnings + settings.warnings).forEach { Terminal.standardError($0) }
            let interactive = isatty(STDIN_FILENO) == 1
            let deployment = Deployment(nginx: nginx, settings: settings, progress: { Terminal.standardError($0) }) { question in
                if yes { return true }
                Terminal.standardError("\(question) [y/N] ")
                return ["y", "yes"].contains(readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "")
            }
            let lock = dryRun.dryRun ? nil : try RepositoryLock.acquire(in: repository.gitDirectory, command: "deploy", now: Date())
            defer { withExtendedLifetime(lock) {} }

            let existing = try DeployJournal.read(repository)
            var journal: DeployJournal
            if resume {
                guard let existing, existing.inProgress else {
                    throw ActionableError("no deploy to continue\(existing.map { ": the last one (\($0.tag)) is \($0.state.rawValue)" } ?? "")",
                                          hint: "Start one with release deploy [TAG].")
                }
                journal = existing
                try deployment.check(journal)
            } else if rollback {
                guard var existing, existing.state != .rolledBack else {
                    throw ActionableError(existing.map { "the last deploy (\($0.tag)) is already rolled back" } ?? "no deploy to roll back",
                                          hint: "release deploy status shows what each instance runs.")
                }
                try deployment.planRollback(&existing, reason: "release deploy --rollback")
                journal = existing
            } else {
                if let existing, existing.inProgress {
                    throw ActionableError("a deploy of \(existing.tag) is in progress, at step \(existing.next + 1) of \(existing.steps.count) (\(existing.currentStep?.description ?? "done"))",
                                          hint: "release deploy --continue finishes it; release deploy --rollback undoes it; release deploy status shows it.")
                }
                journal = try plan(deployment, settings: settings, after: existing)
            }
            if dryRun.dryRun {
                let lines = try deployment.preview(journal)
                if global.json { return try Terminal.json(journal) }
                print("dry run: nothing was changed; \(rollback ? "rolling back to \(journal.previousTag ?? "?")" : "deploying \(journal.tag)") (\(journal.strategy.rawValue)) would:")
                lines.forEach { print("  \($0)") }
                return
            }
            if !rollback, !yes, !interactive {
                throw ActionableError("release deploy asks before putting \(journal.tag) in front of users, and there is no terminal to ask on",
                                      hint: "Pass --yes to deploy without asking (CI), or run it on a terminal.")
            }
            let started = Date()
            try deployment.run(&journal)
            if global.json { return try Terminal.json(journal) }
            let what = journal.rollingBack ? "rolled back to \(journal.previousTag ?? "?")" : "deployed \(journal.tag)"
            print("\(what) on \(journal.instances.joined(separator: ", ")) (\(journal.strategy.rawValue), \(journal.steps.count) steps)")
            print(String(format: "  %.1f s in all, %.1f s of it waiting on publish, health, drains and soaks", Date().timeIntervalSince(started), deployment.waitedSeconds))
        }

        /// A new deploy: the tag from the release repository, and the previous version from the
        /// last finished deploy when it left every instance on one version, else the release
        /// before the tag.
        private func plan(_ deployment: Deployment, settings: DeploySettings, after last: DeployJournal?) throws -> DeployJournal {
            let workspace = try global.workspace(needsWorkingTree: false)
            let history = try workspace.history()
            let release: ReleaseTag
            if let tag {
                guard let found = history.tags.first(where: { $0.name == tag }) else {
                    let exists = (try? workspace.repository.reference(named: "refs/tags/" + tag)) ?? nil != nil
                    throw ActionableError(exists ? "\(tag) is not a release tag (release.tagFormat)" : "no tag \(tag) in \(workspace.root)",
                                          hint: "Name a release tag, e.g. \(history.tags.first?.name ?? "the one release cut made"); release status shows the last.")
                }
                release = found
            } else {
                guard let last = try history.lastRelease(reachableFrom: workspace.tip(of: .production)) else {
                    throw ActionableError("no release on \(workspace.settings.production) yet, so nothing to deploy", hint: "Cut one first (release cut), or name the tag.")
                }
                release = last.tag
            }
            // The tag is handed to deploy.publish as an argument: never one that reads as an option.
            guard !release.name.hasPrefix("-") else {
                throw ActionableError("the tag \(release.name.clipped) starts with '-', which the publish command would read as an option",
                                      hint: "Deploy a tag whose name starts with a letter or digit (release.tagFormat).")
            }
            let versions = Set(last?.versions.values.map { $0 } ?? [])
            let previous = versions.count == 1 && versions.first != "unknown" && last?.inProgress == false ? versions.first
                : history.tags.first { $0.version < release.version }?.name
            var journal = try deployment.plan(tag: release.name, previous: previous, strategy: strategy ?? settings.strategy,
                                              soak: soak ?? settings.soak)
            journal.tagVersions[release.name] = release.version.description
            if let previous, let version = workspace.settings.releaseVersion(of: previous)?.version { journal.tagVersions[previous] = version.description }
            return journal
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The deploy's plan, its step, and each instance's version.")

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The nginx configuration repository (default: nginx.repo).", valueName: "path")) var repo: String?

        func run() throws {
            let repository = try NginxSwitch.repository(at: repo.map(global.path), from: global.directory)
            guard let journal = try DeployJournal.read(repository) else {
                if global.json { return try Terminal.json([String: String]()) }
                print("no deploy yet in \(repository.workingDirectory ?? repository.gitDirectory)")
                return
            }
            if global.json { return try Terminal.json(journal) }
            let what = journal.rollingBack ? "rollback of \(journal.tag) to \(journal.previousTag ?? "?")" : "deploy of \(journal.tag)"
            let formatter = ISO8601DateFormatter()
            print("\(what) (\(journal.strategy.rawValue)), started \(formatter.string(from: journal.started)) by \(journal.operator): \(journal.state.rawValue)")
            if let reason = journal.reason, journal.state != .done { print("  \(reason)") }
            print("  previous version: \(journal.previousTag ?? "unknown")")
            for (index, step) in journal.steps.enumerated() {
                let mark = index < journal.next ? "done" : index == journal.next && journal.inProgress ? "next" : "    "
                print("  \(mark)  \(index + 1). \(step.description)")
            }
            print("instances:")
            for name in journal.instances {
                print("  \(name)  \(journal.versions[name] ?? "?")\(journal.live.map { $0.contains(name) ? "" : "  (out of traffic)" } ?? "")")
            }
            if journal.inProgress { print("hint: release deploy --continue resumes it; release deploy --rollback undoes it") }
        }
    }
}
