import Foundation
import Testing
import TestSupport

/// `git log --no-merges --pretty='* %s' range`, the runbook's own command, byte for byte.
func gitLogLines(_ git: GitRepository, _ range: [String], extra: [String] = []) throws -> Data {
    let result = try Command.run("/usr/bin/git", ["log", "--no-merges", "--pretty=* %s"] + extra + range,
                                 in: git.url, environment: git.environment)
    #expect(result.succeeded, "\(result.stderr)")
    return result.stdoutBytes
}

/// The bullet lines of a default-template section: everything after the heading and blank line.
func bullets(_ section: Data) -> Data {
    var newlines = 0
    for (offset, byte) in section.enumerated() where byte == UInt8(ascii: "\n") {
        newlines += 1
        if newlines == 2 { return section.dropFirst(offset + 1) }
    }
    return Data()
}

@Suite(.scratchDirectory)
struct ChangelogMatchesGitLogTests {
    @Test func everyRangeOfAGeneratedReleaseTrain() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let tags = try HistoryGenerator(commits: 400, seed: 7).generate(into: git)
        #expect(tags.count >= 4)
        var ranges: [(from: String?, to: String)] = zip(tags, tags.dropFirst()).map { ($0, $1) }
        ranges += [(nil, "testing"), (nil, "develop"), (tags[0], "develop"), (tags.last!, "testing"), ("master", "develop")]
        for range in ranges {
            var arguments = ["changelog", "--stdout", "--version", "9.9.9", "--to", range.to]
            if let from = range.from { arguments += ["--from", from] }
            let result = try ReleaseBinary.run(arguments, in: git.url, environment: git.environment)
            #expect(result.status == 0, "\(result.stderr)")
            // Without --from the range starts at the last release on master: the generator's newest tag.
            let expected = try gitLogLines(git, ["\(range.from ?? tags.last!)..\(range.to)"])
            #expect(bullets(result.stdoutBytes) == expected, "range \(range.from ?? "default")..\(range.to)")
        }
    }

    @Test func releaseBookkeepingCommitsAreLeftOut() throws {
        let git = try flowRepository()
        #expect(try release("promote", in: git).status == 0)
        let cut = try release("cut", "--date", "20261122", in: git)
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(try git.git("log", "-1", "--format=%s", "release1.0.1-pro-20261122") == "ChangeLog for release1.0.1-pro-20261122\n")
        let section = try release("changelog", "--to", "release1.0.1-pro-20261122", "--from", "release1.0.0-pro-20200101", "--stdout", in: git)
        #expect(section.status == 0, "\(section.stderr)")
        #expect(section.stdout.contains("* fix: rounding\n* feat: gift cards\n"), "\(section.stdout)")
        #expect(!section.stdout.contains("ChangeLog for"))
    }

    @Test func defaultRangeIsLastReleaseToTesting() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        let tags = try HistoryGenerator(commits: 250, seed: 3).generate(into: git)
        let result = try ReleaseBinary.run(["changelog", "--stdout", "--date", "20261121"], in: git.url, environment: git.environment)
        #expect(result.status == 0, "\(result.stderr)")
        // The last release is the highest tag reachable from master: the generator tags in order.
        #expect(bullets(result.stdoutBytes) == (try gitLogLines(git, ["\(tags.last!)..testing"])))
        #expect(result.stdout.hasPrefix("## release1.\(tags.count).1-pro-20261121 (2026-11-21)\n\n"))
    }

    @Test func withoutAnyReleaseTheRangeStartsAtTheRoot() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("first")
        try git.git("branch", "testing")
        try git.git("checkout", "-q", "testing")
        try git.commit("second")
        let result = try ReleaseBinary.run(["changelog", "--stdout", "--date", "20261121"], in: git.url, environment: git.environment)
        #expect(result.stdout == "## release1.0.0-pro-20261121 (2026-11-21)\n\n* second\n* first\n")
    }

    /// What the written section holds is counted as a person would say it: one commit, two commits.
    @Test func theWrittenSectionIsCountedInWords() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("first")
        try git.git("tag", "-a", "-m", "first", "release1.0.0-pro-20261120")
        try git.git("branch", "testing")
        try git.git("checkout", "-q", "testing")
        try git.commit("second")
        let one = try ReleaseBinary.run(["changelog", "--dry-run", "--date", "20261121"], in: git.url, environment: git.environment)
        #expect(one.stdout.hasPrefix("would add release1.0.1-pro-20261121 (1 commit) on top of "), "\(one.stdout)\(one.stderr)")
        try git.commit("third")
        let two = try ReleaseBinary.run(["changelog", "--date", "20261121"], in: git.url, environment: git.environment)
        #expect(two.stdout.hasPrefix("added release1.0.1-pro-20261121 (2 commits) on top of "), "\(two.stdout)\(two.stderr)")
    }

    @Test func everyTrickyMessageAsGitPrintsIt() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base")
        try git.git("tag", "release1.0.0-pro-20200101")
        try git.git("branch", "testing")
        for sample in TrickyMessages.all {
            try git.rawCommit(message: sample.message, encoding: sample.encoding, branch: "refs/heads/testing")
        }
        try git.rawCommit(message: Data("<b>html</b> & \"quotes\" {{mustache}}\n".utf8), branch: "refs/heads/testing")
        let result = try ReleaseBinary.run(["changelog", "--stdout", "--date", "20261121"], in: git.url, environment: git.environment)
        #expect(bullets(result.stdoutBytes) == (try gitLogLines(git, ["release1.0.0-pro-20200101..testing"])))
        #expect(result.stdout.contains("* <b>html</b> & \"quotes\" {{mustache}}\n"), "no HTML escaping, no re-rendering")
    }

    @Test func clockSkewNeverPutsAParentBeforeItsChild() throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("base")
        try git.git("tag", "release1.0.0-pro-20200101")
        try git.git("checkout", "-q", "-b", "testing")
        try git.commit("parent, stamped normally")
        // The child claims to be two days older than its parent.
        let skewed = "\(git.nextTime - 172_800) +0000"
        try git.write("skew.txt", "skew\n")
        try git.git("add", "skew.txt")
        try git.git(["commit", "-q", "-m", "child, stamped in the past"],
                    environment: ["GIT_AUTHOR_DATE": skewed, "GIT_COMMITTER_DATE": skewed])
        try git.commit("grandchild")
        let result = try ReleaseBinary.run(["changelog", "--stdout", "--date", "20261121"], in: git.url, environment: git.environment)
        let lines = String(decoding: bullets(result.stdoutBytes), as: UTF8.self)
        #expect(lines == "* grandchild\n* child, stamped in the past\n* parent, stamped normally\n")
        let plain = try gitLogLines(git, ["release1.0.0-pro-20200101..testing"])
        #expect(Set(String(decoding: plain, as: UTF8.self).split(separator: "\n")) == Set(lines.split(separator: "\n")))
        #expect(lines.utf8.count == plain.count)
    }
}

@Suite(.scratchDirectory)
struct ChangelogFileTests {
    func repository() throws -> GitRepository {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        try git.git("tag", "release1.0.0-pro-20200101")
        try git.git("branch", "develop")
        try git.git("checkout", "-q", "-b", "testing")
        try git.commit("fix: one")
        try git.commit("feat(cart): two")
        return git
    }

    @Test func prependsBelowTheTitleKeepingEveryByte() throws {
        let git = try repository()
        let old = "# ChangeLog\r\n\n\n## release1.0.0-pro-20200101\n\n* initial\r\n* ünïcode, no final newline"
        try git.write("ChangeLog.md", old)
        let result = try release("changelog", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("added release1.0.1-pro-20261121 (2 commits)"))
        let new = try git.read("ChangeLog.md")
        let section = "## release1.0.1-pro-20261121 (2026-11-21)\n\n* feat(cart): two\n* fix: one\n"
        #expect(new == "# ChangeLog\r\n\n\n" + section + "\n" + "## release1.0.0-pro-20200101\n\n* initial\r\n* ünïcode, no final newline")
    }

    @Test func withoutATitleTheSectionGoesFirst() throws {
        let git = try repository()
        try git.write("ChangeLog.md", "## older\n\n* a\n")
        #expect(try release("changelog", "--date", "20261121", in: git).status == 0)
        #expect(try git.read("ChangeLog.md").hasSuffix("* fix: one\n\n## older\n\n* a\n"))
        #expect(try git.read("ChangeLog.md").hasPrefix("## release1.0.1-pro-20261121"))
    }

    @Test func aMissingFileIsCreatedWithATitle() throws {
        let git = try repository()
        #expect(try release("changelog", "--date", "20261121", in: git).status == 0)
        #expect(try git.read("ChangeLog.md") == "# ChangeLog\n\n## release1.0.1-pro-20261121 (2026-11-21)\n\n* feat(cart): two\n* fix: one\n")
    }

    @Test func aVersionWithASectionIsRefusedAndTheFileUntouched() throws {
        let git = try repository()
        #expect(try release("changelog", "--date", "20261121", in: git).status == 0)
        let before = try git.read("ChangeLog.md")
        // The same version on another day is still the same version.
        let again = try release("changelog", "--date", "20261122", in: git)
        expectRefusal(again, mentioning: "already has a section for version 1.0.1")
        #expect(try git.read("ChangeLog.md") == before)
        let byTag = try release("changelog", "--version", "release1.0.1-pro-20261121", in: git)
        expectRefusal(byTag, mentioning: "already has a section")
        #expect(try git.read("ChangeLog.md") == before)
    }

    @Test func fileOptionAndDryRun() throws {
        let git = try repository()
        let dry = try release("changelog", "--file", "docs/CHANGES.md", "--dry-run", "--date", "20261121", in: git)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would add release1.0.1-pro-20261121"))
        #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent("docs/CHANGES.md").path))
        try FileManager.default.createDirectory(at: git.url.appendingPathComponent("docs"), withIntermediateDirectories: true)
        #expect(try release("changelog", "--file", "docs/CHANGES.md", "--date", "20261121", in: git).status == 0)
        #expect(try git.read("docs/CHANGES.md").contains("* fix: one"))
    }

    @Test func jsonGivesTheStructuredList() throws {
        let git = try repository()
        let result = try release("changelog", "--stdout", "--json", "--date", "20261121", in: git)
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutBytes) as? [String: Any])
        let commits = try #require(json["commits"] as? [[String: Any]])
        let count = try git.git("rev-list", "--count", "--no-merges", "release1.0.0-pro-20200101..testing")
        #expect("\(commits.count)\n" == count)
        #expect(commits.map { $0["subject"] as? String } == ["feat(cart): two", "fix: one"])
        #expect(commits[0]["type"] as? String == "feat")
        #expect(commits[0]["scope"] as? String == "cart")
        #expect(commits[0]["id"] as? String == (try git.id("testing")))
        #expect(json["tag"] as? String == "release1.0.1-pro-20261121")
        #expect(json["previousTag"] as? String == "release1.0.0-pro-20200101")
        #expect(json["written"] as? Bool == false)
        #expect(!FileManager.default.fileExists(atPath: git.url.appendingPathComponent("ChangeLog.md").path))
    }

    @Test func editOpensTheEditorOnTheDraft() throws {
        let git = try repository()
        let script = Scratch.directory.appendingPathComponent("editor.sh")
        try Scratch.writeScript("#!/bin/sh\nsed -i 's/^\\* fix: one$/* fix: one (curated)/' \"$1\"\n", to: script)
        var environment = git.environment
        environment["EDITOR"] = script.path
        let result = try ReleaseBinary.run(["changelog", "--edit", "--date", "20261121"], in: git.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.read("ChangeLog.md").contains("* fix: one (curated)\n"))

        environment["VISUAL"] = "false"
        let failed = try ReleaseBinary.run(["changelog", "--edit", "--version", "1.1.0", "--date", "20261121"], in: git.url, environment: environment)
        expectRefusal(failed, mentioning: "exited with status 1; nothing was written")
        #expect(!(try git.read("ChangeLog.md")).contains("1.1.0"))
    }

    @Test func badRevisionsAndLabelsAreRefused() throws {
        let git = try repository()
        expectRefusal(try release("changelog", "--stdout", "--from", "nope", in: git), mentioning: "unknown revision 'nope'")
        expectRefusal(try release("changelog", "--stdout", "--version", "v1", in: git), mentioning: "neither X.Y.Z nor a tag")
        try git.git("branch", "-D", "develop")
        try git.git("checkout", "-q", "master")
        try git.git("branch", "-D", "testing")
        expectRefusal(try release("changelog", "--stdout", in: git), mentioning: "the testing branch 'testing' does not exist")
    }
}

@Suite(.scratchDirectory)
struct ChangelogTemplateTests {
    func repository() throws -> GitRepository {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial")
        try git.git("tag", "release1.0.0-pro-20200101")
        try git.git("checkout", "-q", "-b", "testing")
        for subject in ["fix(api): null check", "feat: gift cards", "Update readme", "feat(cart)!: new totals", "docs: guide", "chore: bump"] {
            try git.commit(subject)
        }
        return git
    }

    @Test func groupingByTypeReordersButDropsNothing() throws {
        let git = try repository()
        try git.git("config", "release.groupByType", "true")
        let result = try release("changelog", "--stdout", "--date", "20261121", in: git)
        #expect(result.stdout == """
            ## release1.0.1-pro-20261121 (2026-11-21)

            ### Features

            * **cart:** **BREAKING** new totals
            * gift cards

            ### Bug Fixes

            * **api:** null check

            ### Documentation

            * guide

            ### Chores

            * bump

            ### Other Changes

            * Update readme


            """)
    }

    @Test func repositoryTemplatesOverrideTheBuiltInOnes() throws {
        let git = try repository()
        try git.write(".release/changelog.mustache", """
            {{tag}} {{version}} {{major}}/{{minor}}/{{patch}} {{date}} after {{previousTag}}: {{count}}
            {{#commits}}
            - {{shortId}} {{type}} {{scope}} {{author}}: {{description}} [{{id}}]
            {{/commits}}

            """)
        try git.write(".gitrelease", "[release]\n\ttemplates = .release\n")
        let result = try release("changelog", "--stdout", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines[0] == "release1.0.1-pro-20261121 1.0.1 1/0/1 2026-11-21 after release1.0.0-pro-20200101: 6")
        let chore = try git.id("testing")
        #expect(lines[1] == "- \(chore.prefix(7)) chore  Test Author: bump [\(chore)]")
        #expect(lines[4] == "- \(try git.id("testing~3").prefix(7))   Test Author: Update readme [\(try git.id("testing~3"))]")
    }

    @Test func brokenOrMissingOverridesAreRefused() throws {
        let git = try repository()
        try git.write(".gitrelease", "[release]\n\ttemplates = missing-folder\n")
        expectRefusal(try release("changelog", "--stdout", in: git), mentioning: "templates folder")
        try git.write(".gitrelease", "[release]\n\ttemplates = .release\n")
        try git.write(".release/changelog.mustache", "{{#commits}}unclosed\n")
        expectRefusal(try release("changelog", "--stdout", in: git), mentioning: "does not parse")
    }
}
