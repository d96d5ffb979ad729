import Foundation
import Testing
import TestSupport

/// Commits and tags are signed as git signs them, checked by git verify-commit / verify-tag,
/// with a real gpg key in a scratch GNUPGHOME and a real ssh-keygen key.
@Suite(.scratchDirectory)
struct SigningTests {
    @Test func gpgSignsTheMergeTheChangeLogCommitAndTheTag() throws {
        let gpg = try GPGHome(in: Scratch.folder("gnupg"))
        defer { gpg.stop() }
        let git = try flowRepository()
        git.environment.merge(gpg.variables) { $1 }
        try git.git("config", "user.signingKey", gpg.fingerprint)
        try git.git("config", "commit.gpgSign", "true")
        try git.git("config", "tag.gpgSign", "true")
        #expect(try release("promote", in: git).status == 0)
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        let tag = "release1.0.1-pro-20261121"
        for commit in ["testing", "master", "master^"] {
            #expect(throws: Never.self, "\(commit) is signed") { try git.git("verify-commit", commit) }
        }
        #expect(throws: Never.self) { try git.git("verify-tag", tag) }
        #expect(try git.git("cat-file", "tag", tag).contains("-----BEGIN PGP SIGNATURE-----"))

        // --no-sign wins over the configuration.
        try git.git("checkout", "-q", "develop")
        try git.commit("feat: more")
        #expect(try release("promote", "--no-sign", in: git).status == 0)
        #expect(throws: (any Error).self) { try git.git("verify-commit", "testing") }
    }

    @Test func sshSigningWithForceSignAnnotatedAndSignOnTheCommandLine() throws {
        let git = try flowRepository()
        let key = Scratch.directory.appendingPathComponent("signing_key").path
        #expect(try Command.run(Command.which("ssh-keygen")!, ["-q", "-t", "ed25519", "-N", "", "-f", key]).succeeded)
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let allowed = Scratch.directory.appendingPathComponent("allowed_signers")
        try "committer@example.com namespaces=\"git\" \(publicKey)\n".write(to: allowed, atomically: true, encoding: .utf8)
        try git.git("config", "gpg.format", "ssh")
        try git.git("config", "user.signingKey", key)
        try git.git("config", "gpg.ssh.allowedSignersFile", allowed.path)
        try git.git("config", "tag.forceSignAnnotated", "true")
        #expect(try release("promote", "--sign", in: git).status == 0)
        #expect(throws: Never.self) { try git.git("verify-commit", "testing") }
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        #expect(throws: Never.self) { try git.git("verify-tag", "release1.0.1-pro-20261121") }
        #expect(throws: (any Error).self, "commit.gpgSign is not set") { try git.git("verify-commit", "master") }
    }

    @Test func aSigningFailureRefusesBeforeAnythingMoves() throws {
        let gpg = try GPGHome(in: Scratch.folder("gnupg"))
        defer { gpg.stop() }
        let git = try flowRepository()
        git.environment.merge(gpg.variables) { $1 }
        try git.git("config", "commit.gpgSign", "true")
        try git.git("config", "user.signingKey", "nobody-has-this-key@example.com")
        try expectRefusedUntouched(git, "promote", mentioning: "signing with gpg (key nobody-has-this-key@example.com) failed")
        try expectRefusedUntouched(git, "promote", "--dry-run", mentioning: "signing with gpg")
        try git.git("config", "gpg.program", "/nonexistent/gpg2")
        try expectRefusedUntouched(git, "promote", mentioning: "the signing program /nonexistent/gpg2 is not installed")
        try git.git("config", "gpg.format", "x999")
        try expectRefusedUntouched(git, "promote", mentioning: "gpg.format = 'x999'")
    }
}
