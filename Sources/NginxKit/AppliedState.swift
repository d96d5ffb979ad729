import Foundation
import GitKit

/// What nginx runs is not what the nginx repository has checked out: a commit added on the
/// branch, a switch killed between checkout and reload, a reload nginx refused. The
/// repository records what nginx last loaded in a reference moved only after a confirmed
/// reload, and the switch under way in a journal, so every later command knows the truth
/// or knows that it does not.
extension NginxSwitch {
    static let appliedReference = "refs/release/nginx-applied"

    /// The commit nginx last loaded, as the last confirmed reload recorded it (nil: unknown).
    public func appliedCommit() throws -> OID? {
        try repository.reference(named: Self.appliedReference)?.target
    }

    /// Records a confirmed reload, by compare-and-swap from what was recorded before.
    func recordApplied(_ commit: OID, replacing previous: OID?) throws {
        guard commit != previous else { return }
        try repository.updateReference(Self.appliedReference, to: commit, expecting: previous,
                                       message: "release switch-nginx: nginx loaded \(commit.short)")
    }
}

/// The switch under way, written before the checkout and removed when the repository and
/// nginx agree again. Found by a later command, it means the process was killed in between:
/// the repository may be on either branch and nginx may run either configuration.
public struct SwitchJournal: Codable, Sendable {
    public let from: NginxSwitchResult.State
    public let to: NginxSwitchResult.State
    public let started: Date
    public let pid: Int32

    static func path(_ repository: Repository) -> String { repository.gitDirectory + "release-nginx-switch.json" }

    static func read(_ repository: Repository) throws -> SwitchJournal? {
        guard let data = FileManager.default.contents(atPath: path(repository)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let journal = try? decoder.decode(SwitchJournal.self, from: data) else {
            throw ActionableError("the switch journal \(path(repository)) is unreadable",
                                  hint: "Remove it, then run release nginx apply so nginx and the repository agree again.")
        }
        return journal
    }

    func write(_ repository: Repository) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(self)
        let temporary = Self.path(repository) + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data), rename(temporary, Self.path(repository)) == 0 else {
            throw ActionableError("could not write \(Self.path(repository)): \(String(cString: strerror(errno)))",
                                  hint: "Check that the nginx repository is writable.")
        }
    }

    static func remove(_ repository: Repository) {
        unlink(path(repository))
    }
}
