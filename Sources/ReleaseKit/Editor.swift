import Foundation
import GitKit

/// Lets the user curate a draft in their editor, the way git does for commit messages:
/// `$VISUAL`, else `$EDITOR`, else `vi`, run through `sh` so `EDITOR="code --wait"` works.
public struct Editor: Sendable {
    public let command: String

    public init(environment: [String: String]) {
        let candidates = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.filter { !$0.isEmpty }
        command = candidates.first ?? "vi"
    }

    /// Opens `draft` in the editor and returns what the user saved. An editor that fails, or an
    /// emptied draft, cancels the operation.
    public func edit(_ draft: String, in folder: String, name: String) throws -> String {
        let path = (folder as NSString).appendingPathComponent(name)
        try FileSystem.replace(path, contents: Data(draft.utf8))
        defer { unlink(path) }
        let status = try Subprocess.run(["/bin/sh", "-c", command + " \"$@\"", command, path], interactive: true).status
        guard status == 0 else {
            throw ReleaseError("the editor '\(command)' exited with status \(status); nothing was written",
                               hint: "Run the command again and save the draft to continue.")
        }
        let edited = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        guard !edited.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ReleaseError("the draft was emptied in the editor; nothing was written",
                               hint: "Run the command again and keep the text you want.")
        }
        return edited
    }
}
