import Foundation
import GitKit

/// The commits and tags release writes, the way git would write them for this user: the
/// message through the `commit-msg` hook, signed when the configuration (or `--sign`) says so.
extension Workspace {
    /// A commit by the configured author and committer, on no branch yet.
    func writeCommit(tree: OID, parents: [OID], message: String) throws -> OID {
        let message = try messageThroughHook(message)
        let (author, committer) = (try signature(), try signature(committer: true))
        if try signs(tags: false) {
            return try repository.createSignedCommit(tree: tree, parents: parents, message: message, author: author,
                                                     committer: committer, signer: Signer.configured(in: repository, committer: committer))
        }
        return try repository.createCommit(tree: tree, parents: parents, message: message, author: author, committer: committer)
    }

    /// An annotated tag object on `commit`, its reference not made yet.
    func writeTag(_ name: String, on commit: OID, message: String) throws -> OID {
        let tagger = try signature(committer: true)
        if try signs(tags: true) {
            return try repository.createSignedTagObject(name: name, target: commit, tagger: tagger, message: message,
                                                        signer: Signer.configured(in: repository, committer: tagger))
        }
        return try repository.createTagObject(name: name, target: commit, tagger: tagger, message: message)
    }

    /// `--sign`/`--no-sign`, else git's settings: commit.gpgSign for commits; tag.gpgSign or
    /// tag.forceSignAnnotated for (annotated) tags.
    func signs(tags: Bool) throws -> Bool {
        if let sign = options.sign { return sign }
        let config = try repository.config()
        if tags { return try config.bool("tag.gpgSign") == true || config.bool("tag.forceSignAnnotated") == true }
        return try config.bool("commit.gpgSign") == true
    }

    /// The message as the `commit-msg` hook leaves it (git's rule: it may edit the file, and a
    /// non-zero exit refuses the commit); unchanged without the hook or with `--no-verify`.
    func messageThroughHook(_ message: String) throws -> String {
        guard options.verify else { return message }
        let hook: String
        switch try repository.hook("commit-msg") {
        case .none: return message
        case .ignored(let path):
            warnIgnored(path)
            return message
        case .found(let path): hook = path
        }
        let folder = try Subprocess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/COMMIT_EDITMSG"
        try Data(message.utf8).write(to: URL(fileURLWithPath: file))
        let status = try repository.runHook(hook, arguments: [file], environment: ["GIT_EDITOR": ":"])
        guard status == 0 else {
            throw ReleaseError("the commit-msg hook (\(hook)) refused the commit \"\(message.split(separator: "\n").first ?? "")\" (exit \(status)); nothing was changed",
                               hint: "Fix what the hook reports, or run with --no-verify to skip it (as git commit --no-verify does).")
        }
        let bytes = FileManager.default.contents(atPath: file) ?? Data()
        // git refuses a NUL in a message; anything not UTF-8 would be changed on the way.
        guard !bytes.contains(0), let edited = String(data: bytes, encoding: .utf8) else {
            throw ReleaseError("the commit-msg hook (\(hook)) left a message with a NUL byte or bytes that are not UTF-8; nothing was changed",
                               hint: "Fix the hook so it writes UTF-8 text, or run with --no-verify to skip it.")
        }
        guard !edited.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ReleaseError("the commit-msg hook (\(hook)) left an empty message; nothing was changed",
                               hint: "Fix the hook, or run with --no-verify to skip it.")
        }
        return edited.hasSuffix("\n") ? edited : edited + "\n"
    }
}

/// git's notice for a hook that is there but cannot run.
func warnIgnored(_ path: String) {
    FileHandle.standardError.write(Data("hint: the \(path) hook was ignored because it is not executable (chmod +x to use it)\n".utf8))
}
