import CLibGit2
import Foundation

/// Signs commits and tags the way git does, with the user's own signing program: `gpg`
/// (`gpg.format = openpgp`, `gpg.program`), `gpgsm` (`x509`) or `ssh-keygen` (`ssh`,
/// `gpg.ssh.program`), the key from `user.signingKey` (for OpenPGP, else the committer's
/// identity; for ssh, else `gpg.ssh.defaultKeyCommand`). This is the only place GitKit starts a
/// signing program.
public struct Signer: Sendable {
    public enum Format: String, Sendable { case openpgp, x509, ssh }

    public let format: Format
    public let program: String
    /// `user.signingKey`, or the fallback git uses; for ssh a key file or a literal `key::…`.
    public let key: String

    /// What the repository's configuration says, for objects recorded as `committer`.
    public static func configured(in repository: Repository, committer: Signature) throws -> Signer {
        let config = try repository.config()
        let formatName = try config.string("gpg.format") ?? "openpgp"
        guard let format = Format(rawValue: formatName.lowercased()) else {
            throw ActionableError("gpg.format = '\(formatName.clipped)' is not a signing format git knows",
                                  hint: "Use openpgp, x509 or ssh (git config gpg.format ssh).")
        }
        let program: String
        switch format {
        case .openpgp: program = try config.string("gpg.openpgp.program") ?? config.string("gpg.program") ?? "gpg"
        case .x509: program = try config.string("gpg.x509.program") ?? "gpgsm"
        case .ssh: program = try config.string("gpg.ssh.program") ?? "ssh-keygen"
        }
        var key = try config.string("user.signingKey")
        if key == nil, format == .ssh, let command = try config.string("gpg.ssh.defaultKeyCommand") {
            let words = command.split(whereSeparator: \.isWhitespace).map(String.init)
            let output = try Subprocess.run(words)
            key = String(decoding: output.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).first.map { "key::" + $0 }
            guard output.status == 0, key != nil else {
                throw ActionableError("gpg.ssh.defaultKeyCommand (\(command.clipped)) gave no key", hint: "Set user.signingKey to your ssh public key file.")
            }
        }
        if format == .ssh, key == nil {
            throw ActionableError("signing with ssh needs a key, and user.signingKey is not set",
                                  hint: "Set it to your public key file: git config user.signingKey ~/.ssh/id_ed25519.pub")
        }
        return Signer(format: format, program: program, key: key ?? "\(committer.name) <\(committer.email)>")
    }

    /// The armored signature of `payload`, or a refusal naming the program and what it said.
    public func sign(_ payload: Data) throws -> String {
        let output: Subprocess.Output
        let signature: Data
        switch format {
        case .openpgp, .x509:
            output = try run([program, "--status-fd=2", "-bsau", key], input: payload)
            signature = output.stdout
            guard output.status == 0, String(decoding: output.stderr, as: UTF8.self).contains("[GNUPG:] SIG_CREATED ") else {
                throw failure(output)
            }
        case .ssh:
            let folder = try Subprocess.temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var keyFile = (key as NSString).expandingTildeInPath
            let literal = Self.literalKey(key)
            if let literal {
                keyFile = folder + "/signing-key.pub"
                try Data((literal + "\n").utf8).write(to: URL(fileURLWithPath: keyFile))
            }
            let buffer = folder + "/buffer"
            try payload.write(to: URL(fileURLWithPath: buffer))
            output = try run([program, "-Y", "sign", "-n", "git", "-f", keyFile] + (literal != nil ? ["-U"] : []) + [buffer], input: nil)
            signature = FileManager.default.contents(atPath: buffer + ".sig") ?? Data()
            guard output.status == 0, !signature.isEmpty else { throw failure(output) }
        }
        // git keeps signatures with plain line ends.
        return String(decoding: signature, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// git's literal ssh keys: `key::ssh-ed25519 AAAA…`, or (older spelling) the key itself.
    static func literalKey(_ key: String) -> String? {
        if key.hasPrefix("key::") { return String(key.dropFirst(5)) }
        return key.hasPrefix("ssh-") ? key : nil
    }

    private func run(_ arguments: [String], input: Data?) throws -> Subprocess.Output {
        guard Subprocess.locate(program) != nil else {
            throw ActionableError("cannot sign: the signing program \(program) is not installed",
                                  hint: "Install it, set \(format == .ssh ? "gpg.ssh.program" : "gpg.program") to it, or run with --no-sign.")
        }
        return try Subprocess.run(arguments, input: input, passInterrupts: true)
    }

    private func failure(_ output: Subprocess.Output) -> ActionableError {
        let said = String(decoding: output.stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map(String.init).filter { !$0.hasPrefix("[GNUPG:]") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return ActionableError("signing with \(program) (key \(key.clipped(80))) failed: \(said.isEmpty ? "exit status \(output.status), nothing said" : said.prefix(2).joined(separator: " ").clipped(240)); nothing was changed",
                               hint: "Check the key (user.signingKey) and that its agent can use it (git commit -S --allow-empty -m test shows the same), or run with --no-sign.")
    }
}

extension Repository {
    /// Writes a commit object signed by `signer` (the signature in its `gpgsig` header, as git
    /// writes it), without moving any reference.
    public func createSignedCommit(
        tree: OID, parents: [OID], message: String, author: Signature, committer: Signature, signer: Signer
    ) throws -> OID {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try withCommitParts(tree: tree, parents: parents) { treeHandle, parentHandles in
            try author.withPointer { authorPointer in
                try committer.withPointer { committerPointer in
                    try parentHandles.withUnsafeMutableBufferPointer { handles in
                        try GitError.check(git_commit_create_buffer(&buffer, pointer, authorPointer, committerPointer, nil, message,
                                                                    treeHandle, handles.count, handles.baseAddress), "prepare a commit")
                    }
                }
            }
        }
        let content = String(cString: buffer.ptr)
        let signature = try signer.sign(Data(content.utf8))
        var id = git_oid()
        try GitError.check(git_commit_create_with_signature(&id, pointer, content, signature, "gpgsig"), "write a signed commit")
        return OID(id)
    }

    /// Writes an annotated tag object for `target` signed by `signer` (the signature after the
    /// message, as `git tag -s` writes it), without creating its reference.
    public func createSignedTagObject(name: String, target: OID, tagger: Signature, message: String, signer: Signer) throws -> OID {
        guard Repository.isValidReferenceName(Reference.tag(name)) else {
            throw ActionableError("'\(name.clipped)' is not a valid tag name", hint: "Check release.tagFormat.")
        }
        let type = try target.withPointer { id -> String in
            var object: OpaquePointer?
            try GitError.check(git_object_lookup(&object, pointer, id, GIT_OBJECT_ANY), "read \(target.short)")
            defer { git_object_free(object) }
            return String(cString: git_object_type2string(git_object_type(object)))
        }
        let body = message.hasSuffix("\n") ? message : message + "\n"
        let payload = "object \(target)\ntype \(type)\ntag \(name)\ntagger \(tagger.header)\n\n\(body)"
        let signed = Data((payload + (try signer.sign(Data(payload.utf8)))).utf8)
        var odb: OpaquePointer?
        try GitError.check(git_repository_odb(&odb, pointer), "open the object database")
        defer { git_odb_free(odb) }
        var id = git_oid()
        try signed.withUnsafeBytes {
            try GitError.check(git_odb_write(&id, odb, $0.baseAddress, $0.count, GIT_OBJECT_TAG), "write tag \(name)")
        }
        return OID(id)
    }
}

extension Signature {
    /// As git writes it in an object header: `Name <email> 1700000000 +0100`.
    var header: String {
        let offset = abs(offsetMinutes)
        let zone = (offsetMinutes < 0 ? "-" : "+") + String(format: "%02d%02d", offset / 60, offset % 60)
        return "\(name) <\(email)> \(time) \(zone)"
    }
}
