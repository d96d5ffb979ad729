import Foundation
import GitKit

/// The plan of the operation under way, recorded in `.git/release-journal.json` before the
/// first reference moves and removed after the last step: its presence means an operation
/// was interrupted, and holds all that `continue` and `abort` need.
public struct Journal: Codable, Sendable {
    public let plan: ReleasePlan
    public let started: Date
    public let pid: Int32
    public let host: String
    /// The working tree the command ran in: its index and files are the ones the plan updates.
    /// The journal itself lives in the common git folder, seen from every worktree.
    public var worktree: String?

    static func path(_ commonDirectory: String) -> String { commonDirectory + "release-journal.json" }

    static func read(_ commonDirectory: String) throws -> Journal? {
        guard FileManager.default.fileExists(atPath: path(commonDirectory)) else { return nil }
        var status = stat()
        guard stat(path(commonDirectory), &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
              let data = FileManager.default.contents(atPath: path(commonDirectory)) else {
            throw ReleaseError("the journal \(path(commonDirectory)) cannot be read as a file",
                               hint: "Move it away; if an operation was interrupted, release status then shows the refs as they are.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Journal.self, from: data)
        } catch {
            throw ReleaseError("the journal \(path(commonDirectory)) is unreadable: \(error.localizedDescription)",
                               hint: "Inspect it; once the repository is as you want it, delete the file.")
        }
    }

    func write(_ commonDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try FileSystem.replace(Journal.path(commonDirectory), contents: try encoder.encode(self))
    }

    static func remove(_ commonDirectory: String) throws {
        guard unlink(path(commonDirectory)) == 0 || errno == ENOENT else {
            throw ReleaseError("could not remove \(path(commonDirectory)): \(String(cString: strerror(errno)))",
                               hint: "Remove it by hand: the operation itself is complete.")
        }
    }
}
