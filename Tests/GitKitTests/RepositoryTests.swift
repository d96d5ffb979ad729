import Foundation
import CLibGit2
@testable import GitKit
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct RepositoryTests {
    @Test func discoversFromASubfolderAndReportsTheWorkingTree() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("first", file: "deep/inside/file.txt")
        let repository = try Repository.discover(from: git.url.appendingPathComponent("deep/inside").path)
        #expect(repository.workingDirectory == git.path + "/")
        #expect(repository.gitDirectory == git.path + "/.git/")
        #expect(!repository.isBare)
    }

    /// libgit2 starts without parsing the system CA bundle: it is never used for the network.
    @Test func libgit2StartsWithoutLoadingCertificates() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        _ = try Repository.discover(from: git.path)
        #expect(skippedCertificateLoads == 1)
    }

    /// libgit2 is linked without libssh2 and GSSAPI (CLibGit2Offline): were it ever asked to
    /// connect over ssh, or to answer a Negotiate challenge, it fails with an error. Plain
    /// HTTP uses the real http-parser linked in.
    @Test func libgit2RefusesSSHAndNegotiateAndSpeaksPlainHTTP() throws {
        _ = libgit2
        let ssh = try SSHServer(in: Scratch.folder("sshd"))
        defer { ssh.stop() }
        let http = try GitHTTPServer(in: Scratch.folder("http"))
        defer { http.stop() }
        let served = try http.repository("served.git")
        let work = try GitRepository(at: Scratch.directory.appendingPathComponent("work"))
        try work.commit("first", file: "a.txt")
        try work.git("push", "-q", served.path, "HEAD:refs/heads/main")

        func connect(_ url: String) -> (result: Int32, message: String) {
            var remote: OpaquePointer?
            guard git_remote_create_detached(&remote, url) == 0 else { return (-1, "no remote") }
            defer { git_remote_free(remote) }
            // Negotiate is only tried with default credentials, as a Kerberos user's would be.
            var callbacks = git_remote_callbacks()
            git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
            callbacks.credentials = { out, _, _, allowed, _ in
                allowed & GIT_CREDENTIAL_DEFAULT.rawValue != 0 ? git_credential_default_new(out) : -1
            }
            let result = git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil)
            let message = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? ""
            return (result, message)
        }
        let overSSH = connect(ssh.url(served.url))
        #expect(overSSH.result < 0 && overSSH.message == "failed to initialize SSH session", "\(overSSH)")
        let negotiate = connect(http.negotiateURL)
        #expect(negotiate.result < 0 && negotiate.message.hasPrefix("could not query mechanisms"), "\(negotiate)")
        let plain = connect(http.url("served.git", credentials: true))
        #expect(plain.result == 0, "\(plain)")
    }

    /// What git says is redacted wherever a URL stands in it: quoted, in brackets, after '='.
    @Test func secretsInURLsWithinTextAreHidden() {
        let cases = [
            ("fatal: could not read Password for 'http://ghp_T0KEN@127.0.0.1:9': terminal prompts disabled",
             "fatal: could not read Password for 'http://***@127.0.0.1:9': terminal prompts disabled"),
            ("(https://user:s3cret@host/x.git) <https://ghp_T0KEN@host>",
             "(https://user:***@host/x.git) <https://***@host>"),
            ("url=https://user:s3cret@host\nhttps://ghp_T0KEN@host/x", "url=https://user:***@host\nhttps://***@host/x"),
            ("ssh://git@host/x.git and git@host:x.git stay", "ssh://git@host/x.git and git@host:x.git stay"),
        ]
        for (text, redacted) in cases {
            #expect(Repository.redactingURLs(text) == redacted)
        }
    }

    @Test func outsideARepositoryIsNotFound() throws {
        let folder = try Scratch.folder("plain")
        #expect(throws: GitError.self) { try Repository.discover(from: folder.path) }
        do {
            _ = try Repository.discover(from: folder.path)
        } catch let error as GitError {
            #expect(error.code == .notFound)
        }
    }

    @Test func bareRepositoryHasNoWorkingTree() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("bare.git"), bare: true)
        let repository = try Repository.open(at: git.path)
        #expect(repository.isBare)
        #expect(repository.workingDirectory == nil)
    }

    @Test func headOnABranchDetachedAndUnborn() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"), branch: "main")
        let repository = try Repository.discover(from: git.path)
        #expect(try repository.head() == .unborn(branch: "main"))

        let first = try git.commit("first")
        #expect(try repository.head() == .branch("main", OID(hex: first)!))

        try git.git("checkout", "-q", "--detach")
        #expect(try repository.head() == .detached(OID(hex: first)!))
    }
}
