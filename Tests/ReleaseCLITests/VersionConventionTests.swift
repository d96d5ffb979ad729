import Foundation
import Testing
import TestSupport

/// The bump inferred from conventional commits, test tags, earlier tag formats, and the dates
/// and hints around them.
@Suite(.scratchDirectory)
struct VersionConventionTests {
    // MARK: --bump auto

    @Test func autoBumpFollowsTheStrongestCommit() throws {
        let git = try flowRepository()
        try git.git("checkout", "-q", "testing")
        try git.git("merge", "-q", "--no-ff", "develop")
        var result = try release("next-version", "--bump", "auto", "--date", "20261122", in: git)
        #expect(result.stdout == "release1.1.0-pro-20261122\n", "feat: gift cards is a feature")
        #expect(result.stderr.contains("bump minor: feat: gift cards"), "\(result.stderr)")

        try git.commit("fix(api)!: drop v1 endpoint")
        result = try release("next-version", "--bump", "auto", "--date", "20261122", "--json", in: git)
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutBytes) as? [String: Any])
        #expect(json["tag"] as? String == "release2.0.0-pro-20261122")
        #expect(json["bump"] as? String == "major")
        #expect(json["reason"] as? String == "fix(api)!: drop v1 endpoint")
        #expect(result.stderr.isEmpty, "the JSON carries the reason")

        // A footer alone makes it major; merges and plain subjects do not.
        try git.git("reset", "-q", "--hard", "HEAD~1")
        try git.git("commit", "-q", "--allow-empty", "-m", "refactor: rename config keys", "-m", "BREAKING CHANGE: old keys are gone")
        result = try release("next-version", "--bump", "auto", "--date", "20261122", in: git)
        #expect(result.stdout == "release2.0.0-pro-20261122\n")
        #expect(result.stderr.contains("bump major: refactor: rename config keys"))
    }

    @Test func autoBumpReadsAnyTypeLongScopesAndCRLFBodies() throws {
        let git = try flowRepository()
        try git.git("checkout", "-q", "testing")
        let base = try git.id("HEAD")
        func bump(after message: String) throws -> String {
            try git.git("reset", "-q", "--hard", base)
            try git.write("m.txt", message)
            try git.git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "m.txt")
            return try release("next-version", "--bump", "auto", "--date", "20261122", in: git).stdout
        }
        #expect(try bump(after: "deps!: drop node 14\n") == "release2.0.0-pro-20261122\n", "any type takes a !")
        #expect(try bump(after: "security(auth)!: rotate keys\n") == "release2.0.0-pro-20261122\n")
        #expect(try bump(after: "fix: thing\r\n\r\nBREAKING CHANGE: removed api\r\n") == "release2.0.0-pro-20261122\n", "CRLF")
        let scope = String(repeating: "long-scope-", count: 10)
        #expect(try bump(after: "feat(\(scope)): add x\n") == "release1.1.0-pro-20261122\n", "a scope past 64 bytes")
        #expect(try bump(after: "Revert \"feat!: big\"\n") == "release1.0.1-pro-20261122\n")
    }

    @Test func theFirstReleaseInfersNothing() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("feat!: big", file: "a.txt")
        try git.git("branch", "develop")
        try git.git("branch", "testing")
        let result = try release("next-version", "--bump", "auto", "--date", "20261122", in: git)
        #expect(result.stdout == "release1.0.0-pro-20261122\n")
        #expect(!result.stderr.contains("bump"), "\(result.stderr)")
    }

    @Test func autoBumpWithoutFeaturesIsAPatchAndSaysWhy() throws {
        let git = try flowRepository()
        try git.git("checkout", "-q", "testing")
        try git.commit("fix: rounding again", file: "x.txt")
        try git.commit("Plain subject", file: "y.txt")
        let result = try release("next-version", "--bump", "auto", "--date", "20261122", in: git)
        #expect(result.stdout == "release1.0.1-pro-20261122\n")
        #expect(result.stderr.contains("bump patch: no feat and no breaking change in 2 commits"), "\(result.stderr)")
    }

    @Test func configuredAutoBumpDrivesCutAndShowsInStatus() throws {
        let git = try flowRepository(checkout: "master")
        try git.git("config", "release.bump", "auto")
        #expect(try release("promote", in: git).status == 0)
        let status = try release("status", in: git)
        #expect(status.stdout.contains("Next bump     minor (release.bump = auto): feat: gift cards\n"), "\(status.stdout)")
        let json = try JSONSerialization.jsonObject(with: try release("status", "--json", in: git).stdoutBytes) as? [String: Any]
        let next = try #require(json?["next"] as? [String: Any])
        #expect((next["inferred"] as? [String: String])?["bump"] == "minor")

        let dry = try release("cut", "--dry-run", "--date", "20261122", in: git)
        #expect(dry.stdout.contains("version 1.1.0: bump minor: feat: gift cards"), "\(dry.stdout)")
        let cut = try release("cut", "--date", "20261122", in: git)
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(try git.git("tag", "-l", "release1.1.0-*") == "release1.1.0-pro-20261122\n")
        // An explicit --bump still wins over the configuration.
        #expect(try release("next-version", "--bump", "patch", "--date", "20261122", in: git).stdout == "release1.1.1-pro-20261122\n")
    }

    @Test func badBumpSettingIsRefused() throws {
        let git = try flowRepository()
        try git.git("config", "release.bump", "huge")
        expectRefusal(try release("next-version", in: git), mentioning: "release.bump = 'huge' is not patch, minor, major or auto")
        expectRefusal(try release("status", in: git), mentioning: "release.bump")
    }

    // MARK: test tags

    @Test func promoteTagsWhatTestingHolds() throws {
        let git = try flowRepository(checkout: "master")
        try git.git("config", "release.testTagFormat", "release{major}.{minor}.{patch}-test-{date}.{n}")
        let result = try release("promote", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let first = try git.git("tag", "-l", "*-test-*").trimmingCharacters(in: .newlines)
        #expect(first.range(of: #"^release1\.0\.1-test-[0-9]{8}\.1$"#, options: .regularExpression) != nil, "\(first)")
        #expect(try git.git("cat-file", "-t", first) == "tag\n", "annotated")
        #expect(try git.id(first + "^{commit}") == (try git.id("testing")))
        #expect(try git.git("tag", "-l", "--format=%(contents)", first).contains("* fix: rounding"))
        #expect(result.stdout.contains(first), "the report names the tag: \(result.stdout)")

        // The second promote of the day counts on; the last release is still 1.0.0.
        try git.git("checkout", "-q", "develop")
        try git.commit("fix: another", file: "another.txt")
        #expect(try release("promote", in: git).status == 0)
        let tags = try git.git("tag", "-l", "*-test-*").split(separator: "\n")
        #expect(tags.count == 2 && tags.contains { $0.hasSuffix(".2") }, "\(tags)")
        #expect(try release("next-version", "--date", "20261122", in: git).stdout == "release1.0.1-pro-20261122\n")
        let status = try release("status", in: git)
        #expect(status.stdout.contains("Testing runs  \(first.dropLast(2)).2\n"), "\(status.stdout)")
        #expect(status.stdout.contains("Last release  release1.0.0-pro-20200101"))
    }

    @Test func promoteWithPushSendsTheTestTag() throws {
        let git = try flowRepository(checkout: "master")
        try git.git("config", "release.testTagFormat", "qa-{major}.{minor}.{patch}-{date}-{n}")
        let result = try release("promote", "--push", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let tag = try git.git("tag", "-l", "qa-*").trimmingCharacters(in: .newlines)
        #expect(try origin(of: git).git("tag", "-l") == tag + "\n")
    }

    @Test func testTagFormatsThatCouldReadAsReleasesAreRefused() throws {
        let git = try flowRepository()
        try git.git("config", "release.tagFormat", "v{major}.{minor}.{patch}")
        try git.git("config", "release.testTagFormat", "v{major}.{minor}.{n}")
        expectRefusal(try release("status", in: git), mentioning: "release.testTagFormat: tag format 'v{major}.{minor}.{n}' lacks {patch}")
        try git.git("config", "release.testTagFormat", "v{major}.{minor}.{patch}-test")
        expectRefusal(try release("status", in: git), mentioning: "lacks {n}")
        try git.git("config", "release.testTagFormat", "v{major}.{minor}.{patch}-test{n}{date}")
        try expectRefusedUntouched(git, "promote", mentioning: "ambiguous")
    }

    @Test func testTagsThatCouldMeetReleaseTagsOnSomeDayOrCountAreRefused() throws {
        let git = try flowRepository()
        try git.git("config", "release.tagFormat", "v{major}.{minor}.{patch}-{date}")
        try git.git("config", "release.dateFormat", "MM")
        try git.git("config", "release.testTagFormat", "v{major}.{minor}.{patch}-{n}")
        expectRefusal(try release("status", in: git), mentioning: "can spell the same tag")
        try git.git("config", "release.tagFormat", "v{major}.{minor}.{patch}")
        try git.git("config", "release.testTagFormat", "v{major}.{minor}.{patch}/rc{n}")
        expectRefusal(try release("status", in: git), mentioning: "can spell one tag inside the other")
    }

    @Test func aTagInTheWayAsAFolderRefusesTheCutBeforeAnythingMoves() throws {
        let git = try flowRepository(checkout: "master")
        #expect(try release("promote", in: git).status == 0)
        try git.git("tag", "release1.0.1-pro-20261122/notes", "master")
        for arguments in [["cut", "--dry-run", "--date", "20261122"], ["cut", "--date", "20261122"]] {
            let before = try git.snapshot()
            expectRefusal(try release(arguments, in: git), mentioning: "release1.0.1-pro-20261122 cannot be created: release1.0.1-pro-20261122/notes exists")
            #expect(try git.snapshot() == before)
        }
        #expect(!FileManager.default.fileExists(atPath: git.path + "/.git/release-journal.json"))
        try git.git("branch", "hotfix", "master")
        expectRefusal(try release("hotfix", "start", "x", in: git), mentioning: "hotfix/x cannot be created: hotfix exists")
    }

    @Test func versionAfterGlobalOptionsAndChangelogLabelsWithABump() throws {
        let git = try flowRepository()
        let plain = try release("--version", in: git).stdout
        #expect(!plain.isEmpty)
        #expect(try release("--json", "--version", in: git).stdout == plain)
        #expect(try release("-C", git.path, "--version", in: git).stdout == plain)
        #expect(try release("changelog", "--bump", "auto", "--version", "1.2.3", "--stdout", in: git).status == 2)
    }

    // MARK: earlier tag formats

    @Test func anEarlierFormatContinuesTheVersion() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial", file: "ChangeLog.md", content: "# ChangeLog\n")
        try git.git("tag", "-a", "v1.3.7", "-m", "old runbook")
        try git.git("tag", "build-2.0.0-rc", "-m", "not a release")
        try git.git("branch", "develop")
        try git.git("branch", "testing")
        try git.git("checkout", "-q", "testing")
        try git.commit("fix: thing", file: "thing.txt")
        try git.git("checkout", "-q", "master")

        var result = try release("next-version", "--date", "20261122", in: git)
        #expect(result.stdout == "release1.0.0-pro-20261122\n")
        #expect(result.stderr.contains("warning: build-2.0.0-rc looks like a release") || result.stderr.contains("warning: v1.3.7 looks like a release"), "\(result.stderr)")
        #expect(result.stderr.contains("set release.previousTagFormats"))
        #expect(try release("status", in: git).stdout.contains("looks like a release"))

        try git.git("config", "--add", "release.previousTagFormats", "v{major}.{minor}.{patch}")
        result = try release("next-version", "--date", "20261122", in: git)
        #expect(result.stdout == "release1.3.8-pro-20261122\n")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let cut = try release("cut", "--date", "20261122", in: git)
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(try git.read("ChangeLog.md").contains("release1.3.8-pro-20261122"))
        #expect(try git.git("tag", "-l", "--format=%(contents)", "release1.3.8-pro-20261122").contains("* fix: thing"))
        #expect(try release("next-version", "--date", "20261123", in: git).stdout == "release1.3.9-pro-20261123\n")
    }

    @Test func lookAlikesProductionNeverReachedAreNotWarnedAbout() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial", file: "a.txt")
        try git.git("branch", "develop")
        try git.git("branch", "testing")
        try git.git("checkout", "-q", "-b", "side")
        try git.commit("side work", file: "b.txt")
        try git.git("tag", "v1.3.7")
        try git.git("checkout", "-q", "master")
        let result = try release("next-version", "--date", "20261122", in: git)
        #expect(result.stdout == "release1.0.0-pro-20261122\n")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func emptyDateFormatIsRefused() throws {
        let git = try flowRepository()
        try git.git("config", "release.dateFormat", "")
        expectRefusal(try release("next-version", in: git), mentioning: "release.dateFormat is empty")
    }

    // MARK: dates and hints

    @Test func statusShowsTheReleaseDateAndWhenItWasTagged() throws {
        let git = try flowRepository()
        let tagged = try git.git("for-each-ref", "--format=%(taggerdate:short)", "refs/tags/release1.0.0-pro-20200101")
            .trimmingCharacters(in: .newlines)
        let status = try release("status", in: git)
        #expect(status.stdout.contains("Last release  release1.0.0-pro-20200101  (2020-01-01, tagged \(tagged), "), "\(status.stdout)")
        let json = try JSONSerialization.jsonObject(with: try release("status", "--json", in: git).stdoutBytes) as? [String: Any]
        let last = try #require(json?["lastRelease"] as? [String: Any])
        #expect(last["date"] as? String == "2020-01-01")
        #expect(last["tagged"] as? String == tagged)
    }

    @Test func afterAWholeCycleTheChangeLogCommitIsNotCountedAsWaiting() throws {
        let git = try flowRepository(checkout: "master")
        for command in [["promote"], ["cut", "--date", "20261122"], ["finish"]] {
            #expect(try release(command, in: git).status == 0)
        }
        let result = try release("changelog", in: git)
        expectRefusal(result, mentioning: "nothing to list: no commits in release1.0.1-pro-20261122..testing")
    }

    @Test func changelogBeforePromoteSaysWhatWaitsOnDevelop() throws {
        let git = try flowRepository()
        try expectRefusedUntouched(git, "changelog", mentioning: "2 commit(s) wait on develop for release promote")
        let empty = try release("changelog", "--stdout", in: git)
        #expect(empty.status == 0)
        #expect(empty.stderr.contains("note: nothing to list: testing has no commits since release1.0.0-pro-20200101, and 2 commit(s) wait on develop"), "\(empty.stderr)")
        #expect(empty.stderr.contains("hint: Preview them with release changelog --to develop --stdout"))
        let preview = try release("changelog", "--to", "develop", "--stdout", in: git)
        #expect(preview.status == 0)
        #expect(preview.stdout.contains("* feat: gift cards\n* fix: rounding") || preview.stdout.contains("* fix: rounding\n* feat: gift cards"))
    }

    @Test func aConflictingHotfixBackMergeIsFinishedAfterTheHandMerge() throws {
        let git = try flowRepository(checkout: "master")
        try git.git("checkout", "-q", "develop")
        try git.commit("feat: new prices", file: "price.txt", content: "develop\n")
        try git.git("checkout", "-q", "master")
        #expect(try release("hotfix", "start", "prices", in: git).status == 0)
        try git.commit("fix: price hotfix", file: "price.txt", content: "hotfix\n")

        let refused = try release("hotfix", "finish", "prices", "--date", "20261122", in: git)
        expectRefusal(refused, mentioning: "merging master into develop conflicts in price.txt")
        #expect(refused.stderr.contains("git checkout develop && git merge --no-ff hotfix/prices"), "\(refused.stderr)")
        #expect(try git.git("tag", "-l", "release1.0.1-*").isEmpty)

        // The hint, followed by hand.
        try git.git("checkout", "-q", "develop")
        _ = try? git.git("merge", "--no-ff", "hotfix/prices")
        try git.write("price.txt", "develop and hotfix\n")
        try git.git("commit", "-q", "-am", "Merge branch 'hotfix/prices' into develop")
        let finished = try release("hotfix", "finish", "prices", "--date", "20261122", in: git)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try git.git("tag", "-l", "release1.0.1-*") == "release1.0.1-pro-20261122\n")
        #expect(git.isAncestor("master", of: "develop"))
        #expect(try git.git("show", "develop:price.txt") == "develop and hotfix\n")
        #expect(try git.git("branch", "--list", "hotfix/prices").isEmpty)
    }

    @Test func aHotfixMergedIntoProductionByHandIsReleased() throws {
        let git = try flowRepository(checkout: "master")
        #expect(try release("hotfix", "start", "login", in: git).status == 0)
        try git.commit("fix: login", file: "login.txt")
        try git.git("checkout", "-q", "master")
        try git.git("merge", "-q", "--no-ff", "hotfix/login")
        let finished = try release("hotfix", "finish", "login", "--date", "20261122", in: git)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try git.git("tag", "--contains", "master") == "release1.0.1-pro-20261122\n")
        #expect(try git.read("ChangeLog.md").contains("* fix: login"))
        // Released now: a second finish has nothing to do.
        try git.git("branch", "hotfix/login", "release1.0.1-pro-20261122")
        try expectRefusedUntouched(git, "hotfix", "finish", "login", mentioning: "nothing to finish")
    }
}
