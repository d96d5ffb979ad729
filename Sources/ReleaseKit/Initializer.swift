import Foundation
import GitKit

/// What `release init` will do: write `.gitrelease` and create the missing flow branches.
public struct InitPlan: Codable, Sendable {
    public struct NewBranch: Codable, Sendable {
        public let name: String
        public let at: OID
    }

    /// The file to write, or nil when one exists already (it is never overwritten).
    public let settingsFile: String?
    public let existingSettingsFile: String?
    public let branches: [NewBranch]
}

extension Workspace {
    public func initPlan(createBranches: Bool) throws -> InitPlan {
        let path = root + ReleaseSettings.fileName
        let exists = FileManager.default.fileExists(atPath: path)
        var branches: [InitPlan.NewBranch] = []
        if createBranches {
            let production = try tip(of: .production)
            for role in [FlowBranch.develop, .testing] where try tipIfPresent(of: role) == nil {
                branches.append(.init(name: branchName(role), at: production))
            }
        }
        return InitPlan(settingsFile: exists ? nil : path, existingSettingsFile: exists ? path : nil, branches: branches)
    }

    /// Writes the settings file, then creates the branches through the same journaled,
    /// compare-and-swap engine as every other change.
    public func apply(_ plan: InitPlan) throws {
        try requireReadyToChange()
        if let path = plan.settingsFile {
            try FileSystem.createNew(path, contents: Data(Workspace.defaultSettingsText.utf8))
        }
        guard !plan.branches.isEmpty else { return }
        try apply(ReleasePlan(
            command: "init",
            moves: plan.branches.map { .init(name: Reference.branch($0.name), old: nil, new: $0.at, reason: "create \($0.name)") },
            treeUpdate: nil, files: [], tag: nil, pushRefspecs: [], changelogSection: nil))
    }

    /// The `.gitrelease` that `release init` writes: every key, commented out at its default.
    public static var defaultSettingsText: String {
        var text = """
            # Release settings for `release`, in git-config syntax. Commit this file so the team
            # shares it. Each commented line shows a default: uncomment it to change the value.
            # release.* keys in .git/config or ~/.gitconfig override this file.
            [release]

            """
        for entry in ReleaseSettings.documentedKeys {
            text += "\t# \(entry.meaning)\n\t# \(entry.key) = \(entry.value)\n"
        }
        return text
    }
}
