import Foundation
import Testing
import TestSupport

/// Runs the built `release` in a repository with the test environment.
func release(_ arguments: String..., in git: GitRepository, environment: [String: String]? = nil) throws -> CommandResult {
    try release(arguments, in: git, environment: environment)
}

func release(_ arguments: [String], in git: GitRepository, environment: [String: String]? = nil) throws -> CommandResult {
    try ReleaseBinary.run(arguments, in: git.url, environment: environment ?? git.environment)
}

/// The flow branches with a release on master, work waiting on develop and testing.
func pipelineRepository() throws -> GitRepository {
    let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
    try git.commit("initial", file: "initial.txt")
    try git.git("tag", "-a", "release1.0.0-pro-20200101", "-m", "first release")
    try git.git("branch", "develop")
    try git.git("branch", "testing")
    try git.git("checkout", "-q", "testing")
    try git.commit("tested fix")
    try git.git("checkout", "-q", "develop")
    try git.git("merge", "-q", "--no-ff", "-m", "Merge branch 'testing' into develop", "testing")
    try git.commit("feat: new thing")
    try git.commit("fix: small thing")
    return git
}

/// A refusal: exit 1, a short message with a hint, no crash, nothing changed.
func expectRefusal(_ result: CommandResult, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 1, "exit status \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(text), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("error: "), sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect((1...2).contains(lines.count), "one or two lines: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
}
