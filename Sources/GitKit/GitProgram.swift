import CLibGit2
import Foundation

/// The user's own `git`, run for the one thing libgit2 1.5 cannot do for a repository: update
/// and read a working tree that relies on external filter drivers (Git LFS, any
/// `filter.<name>.clean`/`smudge`/`process`) or on sparse checkout. Everything else — objects,
/// references, merges, history, configuration — stays in libgit2. This is the only place
/// GitKit starts `git`.
struct GitProgram {
    let repository: Repository

    /// Runs `git arguments` on this repository (its git folder and working tree named
    /// explicitly, so git works on exactly what libgit2 opened) and returns its standard output.
    @discardableResult
    func run(_ arguments: [String], input: Data? = nil) throws -> Data {
        guard let root = repository.workingDirectory else {
            throw ActionableError("git cannot update the working tree of a bare repository", hint: "Run release in a clone with a working tree.")
        }
        guard let git = Subprocess.locate("git") else {
            throw ActionableError("this repository uses \(repository.workingTreeFeatures.joined(separator: " and ")), which needs the git program, and git is not installed",
                               hint: "Install git (apt-get install git), then run the command again.")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_DIR"] = repository.gitDirectory
        environment["GIT_WORK_TREE"] = root
        let output = try Subprocess.run([git] + arguments, environment: environment, directory: root, input: input)
        guard output.status == 0 else {
            let said = String(decoding: output.stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            throw ActionableError("git \(arguments.first ?? "") failed: \(said.prefix(2).joined(separator: " ").prefix(300))",
                               hint: "Run git status to see the working tree; fix what git reports, then run the command again.")
        }
        return output.stdout
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
        // git sparse-checkout writes the switch to the worktree's own config.worktree, which
        // libgit2 1.5 does not read.
        let worktreeConfig = try? Config.file(at: gitDirectory + "config.worktree")
        if (try? config.bool("core.sparseCheckout")) == true || (try? worktreeConfig?.bool("core.sparseCheckout")) == true {
            features.append("sparse checkout")
        }
        return features
    }

    var needsGitForWorkingTree: Bool { !workingTreeFeatures.isEmpty }
}
