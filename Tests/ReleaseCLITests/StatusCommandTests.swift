import Foundation
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct StatusCommandTests {
    @Test func jsonHasTheCountsRevListGives() throws {
        let git = try pipelineRepository()
        let result = try release("status", "--json", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutBytes) as? [String: Any])
        let pending = try #require(json["pending"] as? [[String: Any]])
        let counts = pending.map { "\($0["from"]!)..\($0["to"]!)=\($0["commits"]!)" }
        #expect(counts == [
            "develop..testing=\(try git.count("testing..develop"))",
            "testing..master=\(try git.count("master..testing"))",
            "master..develop=\(try git.count("develop..master"))",
        ])
        #expect(try git.count("testing..develop") == 3)
        let branches = try #require(json["branches"] as? [[String: Any]])
        #expect(branches.map { $0["commit"] as? String } == [try git.id("develop"), try git.id("testing"), try git.id("master")])
        let last = try #require(json["lastRelease"] as? [String: Any])
        #expect(last["tag"] as? String == "release1.0.0-pro-20200101")
        #expect(last["commit"] as? String == (try git.id("master")))
        let head = try #require(json["head"] as? [String: Any])
        #expect(head["branch"] as? String == "develop")
        let tree = try #require(json["workingTree"] as? [String: Any])
        #expect(tree["clean"] as? Bool == true)
        let next = try #require(json["next"] as? [String: String])
        #expect(next["patch"]?.hasPrefix("release1.0.1-pro-") == true)
        #expect(next["minor"]?.hasPrefix("release1.1.0-pro-") == true)
        #expect(next["major"]?.hasPrefix("release2.0.0-pro-") == true)
    }

    @Test func countsOfThreeDigitsKeepTheirSpaceBeforeTheArrow() throws {
        let git = try pipelineRepository()
        let commits = (1...120).map { index in
            "commit refs/heads/develop\ncommitter A <a@example.com> \(1_700_100_000 + index) +0000\ndata 5\nc\(String(format: "%03d", index))\n\(index == 1 ? "from refs/heads/develop^0\n" : "")\n"
        }.joined()
        try git.git(["fast-import", "--quiet"], input: Data(commits.utf8))
        let result = try release("status", in: git)
        #expect(result.stdout.contains("  develop → testing  123 commits  → release promote\n"), "\(result.stdout)")
        #expect(result.stdout.contains("  testing → master   1 commit     → release cut\n"))
    }

    @Test func humanOutputShowsThePipeline() throws {
        let git = try pipelineRepository()
        try git.write("initial.txt", "edited\n")
        let result = try release("status", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("On branch develop"))
        #expect(result.stdout.contains("On branch develop · 1 changed file(s): initial.txt\n"))
        #expect(result.stdout.contains("  develop → testing  3 commits  → release promote\n"))
        #expect(result.stdout.contains("  testing → master   1 commit   → release cut\n"))
        #expect(result.stdout.contains("Last release  release1.0.0-pro-20200101"))
        #expect(result.stdout.contains("patch release1.0.1-pro-"))
    }

    @Test func warnsAboutAHotfixNotBackMerged() throws {
        let git = try pipelineRepository()
        try git.git("checkout", "-q", "master")
        try git.commit("urgent fix on master")
        let result = try release("status", in: git)
        #expect(result.stdout.contains("master has 1 commit(s) that develop lacks"))
    }

    @Test func detachedHeadIsReportedNotRefused() throws {
        let git = try pipelineRepository()
        try git.git("checkout", "-q", "--detach", "testing")
        let result = try release("status", in: git)
        #expect(result.status == 0)
        #expect(result.stdout.contains("HEAD detached at \(try git.id("testing").prefix(7))"))
        #expect(result.stdout.contains("warning: HEAD is detached"))
        let next = try release("next-version", "--date", "20261121", in: git)
        #expect(next.stdout == "release1.0.1-pro-20261121\n")
    }

    @Test func worksFromASubfolderAndWithDashC() throws {
        let git = try pipelineRepository()
        let sub = git.url.appendingPathComponent("sub/dir")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let inside = try ReleaseBinary.run(["next-version", "--date", "20261121"], in: sub, environment: git.environment)
        #expect(inside.stdout == "release1.0.1-pro-20261121\n")
        let outside = try ReleaseBinary.run(["-C", git.path, "next-version", "--date", "20261121"], in: Scratch.directory,
                                            environment: git.environment)
        #expect(outside.stdout == "release1.0.1-pro-20261121\n")
        let after = try ReleaseBinary.run(["next-version", "-C", "repo", "--date", "20261121"], in: Scratch.directory,
                                          environment: git.environment)
        #expect(after.stdout == "release1.0.1-pro-20261121\n")
    }
}

@Suite(.scratchDirectory)
struct NextVersionCommandTests {
    @Test func printsTheTagAndItsPartsAsJSON() throws {
        let git = try pipelineRepository()
        #expect(try release("next-version", "--date", "20261121", in: git).stdout == "release1.0.1-pro-20261121\n")
        #expect(try release("next-version", "--bump", "minor", "--date", "20261121", in: git).stdout == "release1.1.0-pro-20261121\n")
        #expect(try release("next-version", "--bump", "major", "--date", "20261121", in: git).stdout == "release2.0.0-pro-20261121\n")
        #expect(try release("next-version", "--version", "1.7.0", "--date", "20261121", in: git).stdout == "release1.7.0-pro-20261121\n")
        let result = try release("next-version", "--json", "--bump", "minor", "--date", "20261121", in: git)
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutBytes) as? [String: Any])
        #expect(json["tag"] as? String == "release1.1.0-pro-20261121")
        #expect(json["version"] as? String == "1.1.0")
        #expect(json["major"] as? Int == 1)
        #expect(json["minor"] as? Int == 1)
        #expect(json["patch"] as? Int == 0)
        #expect(json["date"] as? String == "2026-11-21")
        #expect(json["previous"] as? String == "release1.0.0-pro-20200101")
    }

    @Test func defaultDateIsTodayInTheLocalTimeZone() throws {
        let git = try pipelineRepository()
        var environment = git.environment
        environment["TZ"] = "Pacific/Kiritimati"
        let before = try Command.run("/bin/date", ["+%Y%m%d"], environment: environment).stdout
        let tag = try release("next-version", in: git, environment: environment).stdout
        let after = try Command.run("/bin/date", ["+%Y%m%d"], environment: environment).stdout
        #expect(["release1.0.1-pro-\(before)", "release1.0.1-pro-\(after)"].contains(tag))
    }

    @Test func userConfigOverridesGitreleaseAndRepositoryConfigOverridesBoth() throws {
        let git = try pipelineRepository()
        try git.write(".gitrelease", "[release]\n\ttagFormat = team-{major}.{minor}.{patch}\n")
        let home = try Scratch.folder("home")
        let environment = TestEnvironment.variables(home: home)
        #expect(try release("next-version", in: git, environment: environment).stdout == "team-1.0.0\n")
        try Data("[release]\n\ttagFormat = user-{major}.{minor}.{patch}\n".utf8).write(to: home.appendingPathComponent(".gitconfig"))
        #expect(try release("next-version", in: git, environment: environment).stdout == "user-1.0.0\n")
        try git.git("config", "release.tagFormat", "repo-{major}.{minor}.{patch}")
        #expect(try release("next-version", in: git, environment: environment).stdout == "repo-1.0.0\n")
    }
}
