import Foundation
import Testing
import TestSupport

/// A cloned repository's committed configuration must not make release read or write outside
/// its working tree, nor anywhere inside `.git`.
@Suite(.scratchDirectory)
struct HostileConfigurationTests {
    /// A repository as a stranger publishes it (with `files` committed, symlinks given as
    /// `-> target`), cloned the way a user clones it; its `.git/config` and the files around
    /// it are checked byte for byte after every command.
    func hostileClone(_ gitrelease: String, files: [String: String] = [:]) throws -> GitRepository {
        let upstream = try flowRepository(name: "upstream")
        try upstream.git("checkout", "-q", "master")
        try upstream.write(".gitrelease", gitrelease)
        for (path, content) in files {
            let url = upstream.url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if content.hasPrefix("-> ") {
                try? FileManager.default.removeItem(at: url)
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: String(content.dropFirst(3)))
            } else {
                try upstream.write(path, content)
            }
        }
        try upstream.git("add", "-A")
        try upstream.git("commit", "-q", "-m", "release settings")
        for branch in ["develop", "testing"] { try upstream.git("branch", "-f", branch, "master") }
        try upstream.git("checkout", "-q", "develop")
        try upstream.commit("feat: more")
        let clone = GitRepository(existing: Scratch.directory.appendingPathComponent("clone"))
        try upstream.git("clone", "-q", upstream.path, clone.path)
        for branch in ["master", "testing"] { try clone.git("branch", "-q", branch, "origin/\(branch)") }
        return clone
    }

    /// Files outside the clone, and the clone's own git configuration, as they are now.
    func protectedFiles(_ clone: GitRepository) throws -> [String: Data] {
        let paths = [clone.path + "/.git/config", clone.path + "/.git/HEAD", Scratch.directory.path + "/outside.md",
                     Scratch.directory.path + "/home/.ssh/id_ed25519"]
        var contents: [String: Data] = [:]
        for path in paths { contents[path] = FileManager.default.contents(atPath: path) ?? Data() }
        return contents
    }

    func prepareOutside() throws {
        try Data("# mine\n".utf8).write(to: Scratch.directory.appendingPathComponent("outside.md"))
        let ssh = try Scratch.folder("home/.ssh")
        try Data("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n".utf8).write(to: ssh.appendingPathComponent("id_ed25519"))
    }

    @Test(arguments: [
        (".git/config", "points into a .git folder"),
        (".GIT/config", "points into a .git folder"),
        ("docs/../.git/hooks/post-checkout", "points into a .git folder"),
        ("../outside.md", "leads outside the working tree"),
        ("docs/../../outside.md", "leads outside the working tree"),
        ("/etc/passwd", "is outside the working tree"),
        (".gitmodules", "names a file git reads its own settings from"),
        ("sub/.gitattributes", "names a file git reads its own settings from"),
    ])
    func aChangelogPathLeadingOutIsRefused(_ value: String, _ reason: String) throws {
        try prepareOutside()
        let clone = try hostileClone("[release]\n\tchangelog = \(value)\n")
        let before = try protectedFiles(clone)
        for command in [["changelog"], ["status"], ["next-version"]] {
            let result = try ReleaseBinary.run(command, in: clone.url, environment: clone.environment)
            expectRefusal(result, mentioning: "release.changelog")
            expectRefusal(result, mentioning: reason)
        }
        try expectRefusedUntouched(clone, "cut", "--date", "20261121", mentioning: "release.changelog")
        #expect(try protectedFiles(clone) == before)
        #expect(try clone.git("status", "--porcelain").isEmpty)
    }

    @Test func aChangelogReachedThroughALinkLeadingOutIsRefused() throws {
        try prepareOutside()
        let outside = Scratch.directory.path
        for (name, files) in [
            ("file link", ["ChangeLog.md": "-> ../outside.md"]),
            ("folder link", ["docs": "-> \(outside)", ".gitrelease-unused": "x"]),
            ("link into .git", ["ChangeLog.md": "-> .git/config"]),
            ("dangling link", ["ChangeLog.md": "-> missing/nowhere.md"]),
        ] {
            let changelog = name == "folder link" ? "\tchangelog = docs/outside.md\n" : ""
            let clone = try hostileClone("[release]\n" + changelog, files: files)
            let before = try protectedFiles(clone)
            let result = try release("changelog", in: clone)
            expectRefusal(result, mentioning: "symbolic link")
            #expect(try protectedFiles(clone) == before, "\(name)")
            #expect(try clone.git("status", "--porcelain").isEmpty, "\(name)")
            try FileManager.default.removeItem(at: clone.url)
            try FileManager.default.removeItem(at: Scratch.directory.appendingPathComponent("upstream"))
            try FileManager.default.removeItem(at: Scratch.directory.appendingPathComponent("upstream-origin.git"))
        }
    }

    @Test func templatesFromOutsideAreNeverRead() throws {
        try prepareOutside()
        let secret = Scratch.directory.path + "/home/.ssh/id_ed25519"
        let linked = try hostileClone("[release]\n\ttemplates = .release\n",
                                      files: [".release/changelog.mustache": "-> \(secret)"])
        let result = try release("changelog", "--stdout", in: linked)
        expectRefusal(result, mentioning: "release.templates")
        #expect(!result.stdout.contains("secret") && !result.stderr.contains("secret"))
        try FileManager.default.removeItem(at: linked.url)
        try FileManager.default.removeItem(at: Scratch.directory.appendingPathComponent("upstream"))
        try FileManager.default.removeItem(at: Scratch.directory.appendingPathComponent("upstream-origin.git"))

        let escaping = try hostileClone("[release]\n\ttemplates = ../home/.ssh\n")
        expectRefusal(try release("changelog", "--stdout", in: escaping), mentioning: "release.templates = '../home/.ssh' leads outside")
    }

    @Test func includesInACommittedFileAreRefusedUnread() throws {
        try prepareOutside()
        let secret = Scratch.directory.path + "/home/.ssh/id_ed25519"
        for text in ["[include]\n\tpath = \(secret)\n", "[includeIf \"gitdir:/\"]\n\tpath = ../outside.md\n", "[ Include ]\n\tpath = ../x\n"] {
            let git = try pipelineRepository()
            try git.write(".gitrelease", "[release]\n\tproduction = master\n" + text)
            let result = try release("next-version", in: git)
            expectRefusal(result, mentioning: ".gitrelease includes other files")
            #expect(!result.stderr.contains("secret") && !result.stderr.contains("OPENSSH"))
            try FileManager.default.removeItem(at: git.url)
        }
    }

    @Test func aKeyWithoutAValueIsRefusedNotACrash() throws {
        let git = try pipelineRepository()
        try git.write(".gitrelease", "[release]\n\tdevelop\n")
        expectRefusal(try release("next-version", in: git), mentioning: "release.develop has no value")
        try git.write(".gitrelease", "[release]\n\tgroupByType\n\tsomething\n[nginx]\n\tvalidat = x\n[relase]\n\tproduction = main\n")
        let result = try release("next-version", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("nginx.validat in .gitrelease is ignored"))
        #expect(result.stderr.contains("relase.production in .gitrelease is ignored"))
    }

    @Test func theUsersOwnConfigurationIsHeldToTheSameRule() throws {
        let git = try flowRepository()
        try git.git("config", "release.changelog", "../outside.md")
        expectRefusal(try release("changelog", in: git), mentioning: "release.changelog = '../outside.md' leads outside")
    }

    @Test func aLinkInsideTheTreeIsWrittenThroughNeverReplaced() throws {
        let git = try flowRepository()
        try git.write("docs/CHANGES.md", "# ChangeLog\n")
        try FileManager.default.removeItem(atPath: git.path + "/ChangeLog.md")
        try FileManager.default.createSymbolicLink(atPath: git.path + "/ChangeLog.md", withDestinationPath: "docs/CHANGES.md")
        let result = try release("changelog", "--to", "develop", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: git.path + "/ChangeLog.md")
        #expect(link == "docs/CHANGES.md")
        #expect(try git.read("docs/CHANGES.md").contains("## release1.0.1-pro-20261121"))
    }

    @Test func aCommittedLinkInsideTheTreeIsWrittenThroughByCut() throws {
        let git = try flowRepository(checkout: "master")
        try changeOnMaster(git) {
            try git.git("rm", "-q", "ChangeLog.md")
            try git.write("CHANGES.md", "# ChangeLog\n")
            try FileManager.default.createSymbolicLink(atPath: git.path + "/ChangeLog.md", withDestinationPath: "CHANGES.md")
            try git.git("add", "-A")
            try git.git("commit", "-q", "-m", "link")
        }
        #expect(try release("promote", in: git).status == 0)
        let result = try release("cut", "--date", "20261121", in: git)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try git.git("ls-tree", "master", "ChangeLog.md").hasPrefix("120000 "), "still a link")
        #expect(try git.git("show", "master:CHANGES.md").contains("## release1.0.1-pro-20261121"))
        #expect(try git.git("status", "--porcelain").isEmpty)
    }

    @Test func committedLinksLeadingOutAreRefusedByCut() throws {
        for (name, link, changelog) in [("absolute", "/etc", "docs/passwd"), ("up", "..", "docs/outside.md"), ("git", ".git", "docs/config")] {
            let git = try flowRepository(checkout: "master", name: name)
            try changeOnMaster(git) {
                try FileManager.default.createSymbolicLink(atPath: git.path + "/docs", withDestinationPath: link)
                try git.git("add", "docs")
                try git.git("commit", "-q", "-m", "link")
            }
            try git.git("config", "release.changelog", changelog)
            // The link on disk is checked by changelog; cut checks the one in the tree.
            try FileManager.default.removeItem(atPath: git.path + "/docs")
            try git.git("update-index", "--skip-worktree", "docs")
            #expect(try release("promote", in: git).status == 0)
            try expectRefusedUntouched(git, "cut", "--date", "20261121", mentioning: "release.changelog")
        }
    }

    @Test func aChangelogThatIsAFolderIsRefusedWithAHint() throws {
        let git = try flowRepository()
        try git.git("config", "release.changelog", "notes")
        try FileManager.default.createDirectory(atPath: git.path + "/notes", withIntermediateDirectories: true)
        let result = try release("changelog", "--to", "develop", in: git)
        expectRefusal(result, mentioning: "is a folder, not a changelog file")
        #expect(result.stderr.contains("hint: "))
    }
}

@Suite(.scratchDirectory)
struct SmallerWrongResultsTests {
    /// `release cut --edit` with an editor that runs `script` (the draft's path is `$1`).
    func cutEditing(_ git: GitRepository, with script: String, name: String) throws -> CommandResult {
        let editor = Scratch.directory.appendingPathComponent("\(name).sh")
        try Scratch.writeScript("#!/bin/sh\n\(script)\n", to: editor)
        var environment = git.environment
        environment["EDITOR"] = editor.path
        return try ReleaseBinary.run(["cut", "--edit", "--date", "20261121"], in: git.url, environment: environment)
    }

    @Test func aBumpPastWhatATagCanHoldIsRefused() throws {
        let git = try pipelineRepository()
        try git.git("tag", "-a", "release1.0.999999999-pro-20200102", "-m", "huge", "master")
        let result = try release("next-version", "--date", "20261121", in: git)
        expectRefusal(result, mentioning: "longer than 9 digits")
    }

    @Test func unknownKeysAreNamedWithTheNearestKnownOne() throws {
        let git = try pipelineRepository()
        try git.write(".gitrelease", "[release]\n\tchangelogg = NEWS.md\n\ttagformat = release{major}.{minor}.{patch}-pro-{date}\n")
        try git.git("config", "nginx.relaod", "nginx -s reload")
        let result = try release("next-version", "--date", "20261121", in: git)
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: unknown configuration key release.changelogg is ignored (did you mean release.changelog?)"))
        #expect(!result.stderr.contains("tagformat"), "keys are case-insensitive, as in git")
        try git.git("config", "nginx.repo", git.path)
        let nginx = try release("nginx", "status", in: git)
        #expect(nginx.stderr.contains("unknown configuration key nginx.relaod is ignored (did you mean nginx.reload?)"), "\(nginx.stderr)")
    }

    @Test func editedSectionIsWhatTheTagListsToo() throws {
        let git = try flowRepository(checkout: "master")
        #expect(try release("promote", in: git).status == 0)
        // Drops the rounding line and rewords the other.
        let result = try cutEditing(git, with: "sed -i -e '/rounding/d' -e 's/feat: gift cards/feat: gift cards for everyone/' \"$1\"", name: "curate")
        #expect(result.status == 0, "\(result.stderr)")
        let tagMessage = try git.git("tag", "-l", "--format=%(contents)", "release1.0.1-pro-20261121")
        #expect(tagMessage.contains("* feat: gift cards for everyone"))
        #expect(!tagMessage.contains("rounding"))
        #expect(try git.read("ChangeLog.md").contains("* feat: gift cards for everyone"))
    }

    /// An editor that switches branches is harmless: the plan is made after it returns, from
    /// HEAD as it is then, so master moves and develop's files are left alone.
    @Test func anEditThatChangesTheHeadingIsRefusedOneThatSwitchesBranchIsHarmless() throws {
        let switching = try flowRepository(checkout: "master", name: "switching")
        #expect(try release("promote", in: switching).status == 0)
        let switched = try cutEditing(switching, with: "git checkout -q develop", name: "switch")
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(try switching.git("symbolic-ref", "--short", "HEAD") == "develop\n")
        #expect(try switching.git("status", "--porcelain").isEmpty)
        #expect(try switching.git("show", "master:ChangeLog.md").contains("## release1.0.1-pro-20261121"))

        for (name, script) in [
            ("heading", "sed -i 's/release1.0.1-pro-20261121/release9.9.9-pro-20991231/' \"$1\""),
            ("dropped", "sed -i '/^## /d' \"$1\""),
        ] {
            let git = try flowRepository(checkout: "master", name: name)
            #expect(try release("promote", in: git).status == 0)
            let refs = try git.refs()
            let result = try cutEditing(git, with: script, name: name)
            expectRefusal(result, mentioning: "no longer names release1.0.1-pro-20261121")
            #expect(try git.refs() == refs)
        }
    }

    @Test func aCRLFChangelogGetsCRLFLines() throws {
        let git = try flowRepository(checkout: "master")
        try changeOnMaster(git) {
            try git.write("ChangeLog.md", "# ChangeLog\r\n\r\n## release1.0.0-pro-20200101\r\n\r\n* initial\r\n")
            try git.git("commit", "-q", "-am", "crlf")
        }
        #expect(try release("promote", in: git).status == 0)
        #expect(try release("cut", "--date", "20261121", in: git).status == 0)
        let bytes = try Data(contentsOf: git.url.appendingPathComponent("ChangeLog.md"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("# ChangeLog\r\n\r\n## release1.0.1-pro-20261121 (2026-11-21)\r\n\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends with CRLF")
        #expect(try git.git("status", "--porcelain").isEmpty)
    }
}
