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
