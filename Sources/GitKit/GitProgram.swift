import CLibGit2
import Foundation

/// The user's own `git`, run for what libgit2 1.5 cannot do the way the user's setup needs:
/// - the network: `git push` and `git fetch`, so `~/.ssh/config`, ssh keys and agents,
///   `core.sshCommand`/`GIT_SSH_COMMAND`, credential helpers, `http.extraHeader`, proxies and
///   the `pre-push` hook all work as they do for `git` itself;
/// - a working tree that relies on external filter drivers (Git LFS, any
///   `filter.<name>.clean`/`smudge`/`process`) or on sparse checkout.
/// Everything else — objects, references, merges, history, configuration — stays in libgit2.
/// This is the only place GitKit starts `git`.
struct GitProgram {
    let repository: Repository

    /// Runs `git arguments` on this repository (its git folder and working tree named
    /// explicitly, so git works on exactly what libgit2 opened) and returns its standard output.
    @discardableResult
    func run(_ arguments: [String], input: Data? = nil) throws -> Data {
        guard repository.workingDirectory != nil else {
            throw ActionableError("git cannot update the working tree of a bare repository", hint: "Run release in a clone with a working tree.")
        }
        let output = try start(arguments, input: input, needs: "this working tree (it uses \(repository.workingTreeFeatures.joined(separator: " and ")))")
        guard output.status == 0 else {
            throw ActionableError("git \(arguments.first ?? "") failed: \(Self.said(output.stderr).prefix(2).joined(separator: " ").prefix(300))",
                               hint: "Run git status to see the working tree; fix what git reports, then run the command again.")
        }
        return output.stdout
    }

    /// Runs git and returns whatever it said and its exit status; `needs` names what git is
    /// needed for. With `passInterrupts`, a Ctrl-C or SIGTERM stops git too (`Subprocess.Interrupted`).
    func start(_ arguments: [String], input: Data? = nil, needs: String, passInterrupts: Bool = false) throws -> Subprocess.Output {
        guard let git = Subprocess.locate("git") else {
            throw ActionableError("\(needs) needs the git program, and git is not installed",
                                  hint: "Install git (apt-get install git), then run the command again.")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_DIR"] = repository.gitDirectory
        environment["GIT_WORK_TREE"] = repository.workingDirectory
        return try Subprocess.run([git] + arguments, environment: environment,
                                  directory: repository.workingDirectory ?? repository.gitDirectory, input: input,
                                  passInterrupts: passInterrupts)
    }

    /// The non-empty lines of what git wrote on standard error.
    static func said(_ stderr: Data) -> [String] {
        String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// What `git push --porcelain` reported: one line per reference, and what git and the server
/// said on the way.
public struct PushReport: Sendable {
    public struct Line: Sendable, Equatable {
        /// The push URL this line is about (a remote may have several), password hidden.
        public let url: String
        /// git's flag: ` ` updated, `*` new, `=` up to date, `!` rejected, …
        public let flag: Character
        public let reference: String
        /// e.g. `[rejected] (non-fast-forward)` or `[remote rejected] (pre-receive hook declined)`.
        public let summary: String
    }

    public let status: Int32
    public let lines: [Line]
    /// git's standard error, `remote:` lines included.
    public let messages: [String]

    public var rejected: [Line] { lines.filter { $0.flag == "!" } }
    public var succeeded: Bool { status == 0 && rejected.isEmpty }
    /// The push URLs that took every reference, when a remote has several.
    public var accepted: [String] {
        var urls: [String] = []
        for line in lines where !urls.contains(line.url) { urls.append(line.url) }
        return urls.filter { url in !lines.contains { $0.url == url && $0.flag == "!" } }
    }
}

extension Repository {
    /// `git push --atomic --porcelain --no-follow-tags [--no-verify] -- <remote> <refspecs>`: the
    /// user's git sends exactly these references (push.followTags cannot add any), all together
    /// or none (when the server supports it, which every git since 2.4 does), running the
    /// `pre-push` hook unless `verify` is false.
    public func gitPush(to remote: String, refspecs: [String], atomic: Bool = true, verify: Bool = true) throws -> PushReport {
        let arguments = ["push", "--porcelain", "--no-follow-tags"] + (atomic ? ["--atomic"] : []) + (verify ? [] : ["--no-verify"])
            + ["--", remote] + refspecs
        let output = try GitProgram(repository: self).start(arguments, needs: "pushing", passInterrupts: true)
        var url = remote
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").compactMap { line -> PushReport.Line? in
            if line.hasPrefix("To ") {
                url = Repository.redact(String(line.dropFirst(3)))
                return nil
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let flag = fields[0].first else { return nil }
            return .init(url: url, flag: flag, reference: String(fields[1].split(separator: ":").last ?? fields[1]), summary: String(fields[2]))
        }
        return PushReport(status: output.status, lines: lines, messages: GitProgram.said(output.stderr).map(Repository.redactingURLs))
    }

    /// `git fetch -- <remote>`: the remote's own fetch refspecs and tag following, as the user's
    /// `git fetch` does. Returns git's messages when it fails.
    public func gitFetch(from remote: String) throws -> [String]? {
        let output = try GitProgram(repository: self).start(["fetch", "--quiet", "--", remote], needs: "fetching", passInterrupts: true)
        return output.status == 0 ? nil : GitProgram.said(output.stderr).map(Repository.redactingURLs)
    }
}

extension Repository {
    /// What in this repository's setup needs git itself for the working tree: configured
    /// external filter drivers, sparse checkout. Empty when libgit2 can do it alone.
    public var workingTreeFeatures: [String] {
        guard workingDirectory != nil, let config = try? config() else { return [] }
        var features: [String] = []
        let drivers = (try? config.entries(matching: "^filter\\..+\\.(clean|smudge|process)$")) ?? []
        if !drivers.isEmpty {
            let names = Set(drivers.map { $0.name.split(separator: ".").dropFirst().dropLast().joined(separator: ".") })
            features.append("the filter driver\(names.count == 1 ? "" : "s") \(names.sorted().joined(separator: ", "))")
        }
        // Also where git sparse-checkout writes it, config.worktree (Repository.addWorktreeConfig).
        if (try? config.bool("core.sparseCheckout")) == true {
            features.append("sparse checkout")
        }
        return features
    }

    var needsGitForWorkingTree: Bool { !workingTreeFeatures.isEmpty }
}
