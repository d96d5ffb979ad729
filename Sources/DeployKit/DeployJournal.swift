import Foundation
import GitKit
import ReleaseKit

/// One step of a rollout.
public struct DeployStep: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Traffic goes to `instances` only (all of them: every instance), then the others drain.
        case route
        /// `tag` is published on the one instance, which must then answer its health URLs.
        case publish
        /// The access log is watched; `instances` are those on the new version.
        case soak
    }

    public let kind: Kind
    public let instances: [String]
    public var tag: String?

    public var description: String {
        let names = instances.joined(separator: ", ")
        switch kind {
        case .route: return "route traffic to \(names)"
        case .publish: return "publish \(tag ?? "?") on \(names)"
        case .soak: return "soak \(names)"
        }
    }
}

/// The plan of a rollout and how far it got, in the nginx repository's git folder
/// (`release-deploy.json`), written before each step and after it, so `deploy --continue` resumes
/// where a Ctrl-C, a SIGKILL or a lost session stopped it and `--rollback` knows what to undo.
/// A finished deploy's journal stays: it records what each instance runs.
public struct DeployJournal: Codable, Sendable {
    public enum State: String, Codable, Sendable {
        /// A process is on it, or died on it (the lock tells).
        case running
        /// A step failed, or the operator declined one.
        case stopped
        case done
        case rolledBack = "rolled-back"
    }

    public var tag: String
    /// What the instances ran before: what `--rollback` publishes again.
    public var previousTag: String?
    public var strategy: DeploySettings.Strategy
    public var steps: [DeployStep]
    /// `deploy.instances`, in order.
    public var instances: [String]
    /// The index of the step to do next.
    public var next = 0
    /// Each instance's version as far as release knows: set before its publish starts.
    public var versions: [String: String]
    /// The instances traffic goes to, since the last route step (nil: all, as before the deploy).
    public var live: [String]?
    /// `{version}` of the tags involved, from the release repository's tag format.
    public var tagVersions: [String: String] = [:]
    public var soakSeconds: TimeInterval
    public var state = State.running
    public var rollingBack = false
    public var reason: String?
    public var started: Date
    public var `operator`: String
    /// The process group of a publish command while it runs: one still alive after this
    /// process died must end before the deploy goes on.
    public var publishGroup: Int32?

    public var inProgress: Bool { state == .running || state == .stopped }
    public var currentStep: DeployStep? { next < steps.count ? steps[next] : nil }

    static func path(_ repository: Repository) -> String { repository.gitDirectory + "release-deploy.json" }

    public static func read(_ repository: Repository) throws -> DeployJournal? {
        let path = path(repository)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(DeployJournal.self, from: data)
        } catch {
            throw ActionableError("the deploy journal \(path) cannot be read (\(error.localizedDescription.clipped))",
                                  hint: "Check it by hand; move it away only when every instance runs the same version and nginx routes to all.")
        }
    }

    /// Written to a temporary file, flushed, then renamed: a crash leaves the old or the new one.
    func write(_ repository: Repository) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try FileSystem.replace(Self.path(repository), contents: try encoder.encode(self))
        } catch let error as ReleaseError {
            throw ActionableError(error.message, hint: "Check that the nginx repository is writable.")
        }
    }
}
