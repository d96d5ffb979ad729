import Foundation
import Testing
import TestSupport

/// master with a ChangeLog and a release, develop with two new commits, testing at master,
/// and a bare `origin` holding the three branches.
func flowRepository(checkout: String = "develop", name: String = "repo") throws -> GitRepository {
    let git = try GitRepository(at: Scratch.directory.appendingPathComponent(name))
    try git.commit("initial", file: "ChangeLog.md", content: "# ChangeLog\n")
    try git.git("tag", "-a", "release1.0.0-pro-20200101", "-m", "release1.0.0-pro-20200101")
    try git.git("branch", "develop")
    try git.git("branch", "testing")
    try git.git("checkout", "-q", "develop")
    try git.commit("feat: gift cards", file: "gift.txt")
    try git.commit("fix: rounding", file: "price.txt")
    let origin = Scratch.directory.appendingPathComponent("\(name)-origin.git")
    try git.git("init", "-q", "--bare", origin.path)
    try git.git("remote", "add", "origin", origin.path)
    try git.git("push", "-q", "origin", "master", "develop", "testing")
    try git.git("checkout", "-q", checkout)
    return git
}

/// `change` is made with master checked out (commit it there); then testing is reset to master
/// and develop merges it, so every flow branch starts from it. Master is checked out after.
func changeOnMaster(_ git: GitRepository, _ change: () throws -> Void) throws {
    try git.git("checkout", "-q", "master")
    try change()
    try git.git("branch", "-f", "testing", "master")
    try git.git("checkout", "-q", "develop")
    try git.git("merge", "-q", "--no-ff", "-m", "Merge branch 'master' into develop", "master")
    try git.git("checkout", "-q", "master")
}

/// Starts `release arguments` paused at `step` (RELEASE_TEST_PAUSE_AT) and returns once it waits there.
func startPaused(_ arguments: [String], at step: String, in git: GitRepository) throws -> Process {
    var environment = git.environment
    environment["RELEASE_TEST_PAUSE_AT"] = step
    let log = Scratch.directory.appendingPathComponent("paused-\(UUID().uuidString).log")
    let process = try ReleaseBinary.start(arguments, in: git.url, environment: environment, stderr: log)
    let deadline = Date().addingTimeInterval(20)
    while !((try? String(contentsOf: log, encoding: .utf8))?.contains("paused at") ?? false), Date() < deadline {
        usleep(20_000)
    }
    return process
}

/// The bare remote next to a flow repository.
func origin(of git: GitRepository) -> GitRepository {
    GitRepository(existing: Scratch.directory.appendingPathComponent("\(git.url.lastPathComponent)-origin.git"))
}

/// A command must refuse with `text`, change nothing, and leave no new object behind.
func expectRefusedUntouched(_ git: GitRepository, _ arguments: String..., mentioning text: String,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
    let before = try git.snapshot()
    let result = try ReleaseBinary.run(arguments, in: git.url, environment: git.environment)
    expectRefusal(result, mentioning: text, sourceLocation: sourceLocation)
    #expect(try git.snapshot() == before, "nothing changed", sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent(".git/release-journal.json").path),
            sourceLocation: sourceLocation)
}

extension GitRepository {
    func parents(_ revision: String) throws -> [String] {
        try git("rev-list", "--parents", "-1", revision).split(separator: " ").dropFirst()
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func message(_ revision: String) throws -> String {
        try git("log", "-1", "--format=%B", revision)
    }

    func isAncestor(_ ancestor: String, of descendant: String) -> Bool {
        (try? git("merge-base", "--is-ancestor", ancestor, descendant)) != nil
    }
}
