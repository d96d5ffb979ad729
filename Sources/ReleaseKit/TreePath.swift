import Foundation

/// A path inside the working tree that configuration names (`release.changelog`,
/// `release.templates`). A cloned repository's `.gitrelease` must not make release read or
/// write anywhere else: not outside the tree, and never inside a `.git` folder.
public struct TreePath: Equatable, Sendable, CustomStringConvertible {
    /// Relative to the working tree root, `/`-separated, with no `.`, `..` or empty part.
    public let relative: String

    public var description: String { relative }

    static let gitControlFiles: Set<String> = [".gitattributes", ".gitmodules", ".gitignore", ".mailmap", ".gitrelease"]

    static func isGitFolderName(_ part: Substring) -> Bool {
        var name = part.lowercased()
        while name.hasSuffix(".") || name.hasSuffix(" ") { name.removeLast() }
        return name == ".git" || name == "git~1"
    }

    /// A path release itself names (a default), known to be well formed.
    init(trusted relative: String) { self.relative = relative }

    /// Checks the shape of `value` as `key` gives it: relative to `root` (or absolute and inside
    /// it), not leading out through `..`, and with no `.git` part.
    init(_ value: String, key: String, root: String?) throws {
        func refuse(_ why: String) -> ReleaseError {
            ReleaseError("\(key) = '\(value.clipped)' \(why)",
                         hint: "Set \(key) to a path inside the working tree, such as \(key == "release.templates" ? ".release/templates" : "ChangeLog.md").")
        }
        var text = value
        if text.hasPrefix("/") {
            guard let root, text.hasPrefix(root) || (text + "/") == root else { throw refuse("is outside the working tree") }
            text = String(text.dropFirst(root.count))
        }
        var parts: [Substring] = []
        for part in text.split(separator: "/") where part != "." {
            if part == ".." {
                guard parts.popLast() != nil else { throw refuse("leads outside the working tree") }
            } else {
                parts.append(part)
            }
        }
        guard !parts.isEmpty else { throw refuse("names no file") }
        guard value.utf8.count <= 1024, parts.allSatisfy({ $0.utf8.count <= 255 }) else { throw refuse("is too long for a path") }
        // Also the names git treats as .git on other file systems (".git.", "GIT~1").
        if parts.contains(where: { TreePath.isGitFolderName($0) }) {
            throw refuse("points into a .git folder, which release never writes")
        }
        // Files git itself reads from the tree: a changelog written there would become settings.
        if let last = parts.last?.lowercased(), TreePath.gitControlFiles.contains(last) {
            throw refuse("names a file git reads its own settings from")
        }
        relative = parts.joined(separator: "/")
    }

    /// The path on disk below `root`. Symbolic links are followed only while they stay inside
    /// the working tree and out of the git folders; a link that leads elsewhere is refused.
    func resolved(root: String, gitDirectories: [String], key: String) throws -> String {
        let tree = FileSystem.realPath(root)
        let lexical = (tree as NSString).appendingPathComponent(relative)
        guard let real = FileSystem.resolvingLinks(lexical) else {
            throw ReleaseError("\(key) names \(relative), which goes through a symbolic link that leads nowhere",
                               hint: "release never replaces a symbolic link: remove the link or point it at a file in the working tree.")
        }
        let inside = real == tree || real.hasPrefix(tree.hasSuffix("/") ? tree : tree + "/")
        let inGit = gitDirectories.map(FileSystem.realPath).contains { git in real == git || real.hasPrefix(git.hasSuffix("/") ? git : git + "/") }
        guard inside, !inGit else {
            throw ReleaseError("\(key) names \(relative), a symbolic link leading to \(real), \(inGit ? "inside the git folder" : "outside the working tree")",
                               hint: "release only reads and writes files inside the working tree: replace the link with the file itself.")
        }
        var status = stat()
        if stat(real, &status) == 0, ![S_IFREG, S_IFDIR].contains(status.st_mode & S_IFMT) {
            throw ReleaseError("\(key) names \(relative), which is neither a file nor a folder (a pipe or a device)",
                               hint: "Replace it with a regular file.")
        }
        return real
    }
}
