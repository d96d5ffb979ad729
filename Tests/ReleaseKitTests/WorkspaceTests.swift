import Foundation
import GitKit
import ReleaseKit
import Testing
import TestSupport

/// master with a release history, develop and testing ahead of it.
func releasedRepository() throws -> GitRepository {
    let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
    try git.commit("initial")
    try git.git("tag", "-a", "release1.9.0-pro-20200101", "-m", "1.9.0")
    try git.commit("fix one")
    // Created later than 1.10.0 but a lower version: order is by version, never by date.
    try git.git("tag", "-a", "release1.10.0-pro-20200301", "-m", "1.10.0")
    try git.commit("fix two")
    try git.git("tag", "release1.2.0-pro-20991231")
    try git.git("tag", "v9.9.9")
    try git.git("tag", "nightly")
    try git.git("branch", "develop")
    try git.git("branch", "testing")
    // A release tag on a branch that never reached master does not count.
    try git.git("checkout", "-q", "-b", "experiment")
    try git.commit("experiment")
    try git.git("tag", "-a", "release5.0.0-pro-20200401", "-m", "5.0.0")
    try git.git("checkout", "-q", "develop")
    try git.commit("feature on develop")
    return git
}

let fixedClock = Clock.fixed(Date(timeIntervalSince1970: 1_795_219_200)) // 2026-11-21 00:00 UTC

func workspace(_ git: GitRepository) throws -> Workspace {
    try Workspace.open(at: git.path, clock: fixedClock)
}

@Suite(.scratchDirectory)
struct ReleaseHistoryTests {
    @Test func lastReleaseIsTheHighestVersionReachableFromProduction() throws {
        let git = try releasedRepository()
        let workspace = try workspace(git)
        let history = try workspace.history()
        #expect(history.tags.map(\.name) == [
            "release5.0.0-pro-20200401", "release1.10.0-pro-20200301", "release1.9.0-pro-20200101", "release1.2.0-pro-20991231",
        ])
        let last = try #require(try history.lastRelease(reachableFrom: workspace.tip(of: .production)))
        #expect(last.tag.name == "release1.10.0-pro-20200301")
        #expect(last.commit.hex == (try git.id("release1.10.0-pro-20200301^{commit}")))
    }

    /// A release-named tag of a tree or a blob, lightweight or annotated, is no release of any
    /// branch: it is passed over, as `git tag --merged` passes it over.
    @Test func tagsOfTreesAndBlobsAreNotReleases() throws {
        let git = try releasedRepository()
        try git.git("tag", "release9.9.9-pro-20200501", try git.id("master^{tree}"))
        try git.git("tag", "-a", "-m", "tree", "release9.9.8-pro-20200501", try git.id("master^{tree}"))
        let blob = try git.git(["hash-object", "-w", "--stdin"], input: Data("not a release\n".utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        try git.git("tag", "-a", "-m", "blob", "release9.9.7-pro-20200501", blob)
        let workspace = try workspace(git)
        #expect(try workspace.nextRelease().previous?.name == "release1.10.0-pro-20200301")
        #expect(try workspace.nextRelease().tag == "release1.10.1-pro-20261121")
    }

    @Test func nextVersionForEveryBump() throws {
        let workspace = try workspace(try releasedRepository())
        #expect(try workspace.nextRelease().tag == "release1.10.1-pro-20261121")
        #expect(try workspace.nextRelease(.bump(.patch)).tag == "release1.10.1-pro-20261121")
        #expect(try workspace.nextRelease(.bump(.minor)).tag == "release1.11.0-pro-20261121")
        #expect(try workspace.nextRelease(.bump(.major), date: ReleaseDate(compact: "20270102")).tag == "release2.0.0-pro-20270102")
        #expect(try workspace.nextRelease(.exactly(Version(1, 12, 3))).tag == "release1.12.3-pro-20261121")
        #expect(try workspace.nextRelease().previous?.name == "release1.10.0-pro-20200301")
    }

    @Test func refusesVersionsThatDoNotGoForward() throws {
        let workspace = try workspace(try releasedRepository())
        for version in [Version(1, 10, 0), Version(1, 9, 5), Version(0, 1, 0)] {
            #expect(throws: ReleaseError.self) { try workspace.nextRelease(.exactly(version)) }
        }
        // 5.0.0 is tagged on an unmerged branch: reusing the version is refused too.
        #expect(throws: ReleaseError.self) { try workspace.nextRelease(.exactly(Version(5, 0, 0))) }
    }

    @Test func refusesATagThatExists() throws {
        let git = try releasedRepository()
        try git.git("tag", "release1.10.1-pro-20261121", "develop")
        let workspace = try workspace(git)
        #expect(throws: ReleaseError.self) { try workspace.nextRelease() }
        #expect(try workspace.nextRelease(.bump(.minor)).tag == "release1.11.0-pro-20261121")
    }

    @Test func firstReleaseIsTheInitialVersion() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        try git.git("tag", "v1.3.7")
        #expect(try workspace(git).nextRelease(.bump(.major)).tag == "release1.0.0-pro-20261121")
        try git.git("config", "release.initialVersion", "0.1.0")
        #expect(try workspace(git).nextRelease().tag == "release0.1.0-pro-20261121")
    }

    @Test func thousandsOfTagsAreRead() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let head = try git.commit("initial")
        var refs = ""
        for minor in 0..<40 {
            for patch in 0..<50 { refs += "create refs/tags/release1.\(minor).\(patch)-pro-20200101 \(head)\n" }
        }
        try git.git(["update-ref", "--stdin"], input: Data(refs.utf8))
        try git.git("pack-refs", "--all")
        let workspace = try workspace(git)
        #expect(try workspace.history().tags.count == 2000)
        #expect(try workspace.nextRelease().tag == "release1.39.50-pro-20261121")
    }
}

@Suite(.scratchDirectory)
struct SettingsTests {
    @Test func defaultsWithoutAnyFile() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        #expect(try workspace(git).settings == ReleaseSettings())
    }

    @Test func gitreleaseIsOverriddenByTheRepositoryConfig() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.write(".gitrelease", """
            [release]
            \tproduction = main
            \tdevelop = dev
            \ttagFormat = v{major}.{minor}.{patch}
            \tinitialVersion = 0.1.0
            \tgroupByType = true

            """)
        try git.commit("initial")
        var settings = try workspace(git).settings
        #expect(settings.production == "main")
        #expect(settings.develop == "dev")
        #expect(settings.testing == "testing")
        #expect(settings.initialVersion == Version(0, 1, 0))
        #expect(settings.groupByType)
        #expect(settings.tagFormat.pattern == "v{major}.{minor}.{patch}")

        try git.git("config", "release.production", "prod")
        try git.git("config", "release.groupByType", "false")
        settings = try workspace(git).settings
        #expect(settings.production == "prod")
        #expect(settings.develop == "dev")
        #expect(!settings.groupByType)
    }

    @Test(arguments: [
        ("[release\n", "malformed .gitrelease"),
        ("[release]\n\ttagFormat = v{major}\n", "lacks {minor}"),
        ("[release]\n\tinitialVersion = one\n", "initialVersion"),
        ("[release]\n\tproduction = bad..name\n", "not a valid branch name"),
        ("[release]\n\tdevelop = master\n", "both 'master'"),
        ("[release]\n\tgroupByType = maybe\n", "not a boolean"),
        ("[release]\n\ttagFormat = rel {major}.{minor}.{patch}\n", "does not accept"),
    ])
    func badSettingsAreRefusedWithTheKey(_ content: String, _ expected: String) throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        try git.write(".gitrelease", content)
        do {
            _ = try workspace(git)
            Issue.record("accepted: \(content)")
        } catch let error as ReleaseError {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.hint != nil)
        }
    }
}
