import Foundation
import GitKit

/// The team's release conventions: `.gitrelease` at the repository root (committed, shared),
/// overridden by `release.*` keys in the system, global and repository git configuration.
public struct ReleaseSettings: Equatable, Sendable {
    public var develop = "develop"
    public var testing = "testing"
    public var production = "master"
    public var remote = "origin"
    public var tagFormat = try! TagFormat()
    /// Formats an earlier runbook tagged releases with: their tags count as releases too.
    public var previousTagFormats: [TagFormat] = []
    /// When set, `promote` tags what testing now holds with it (`{n}` numbers a day's tags).
    public var testTagFormat: TagFormat?
    /// How the next version is chosen when the command is not told.
    public var bump = VersionChoice.bump(.patch)
    public var initialVersion = Version(1, 0, 0)
    /// The file that receives a section per release, inside the working tree.
    public var changelog = TreePath(trusted: "ChangeLog.md")
    /// A folder of `.mustache` templates overriding the built-in ones, inside the working tree.
    public var templates: TreePath?
    /// Group changelog entries by conventional-commit type (`feat:`, `fix:` …).
    public var groupByType = false
    /// Commands run with `--push` fetch first and refuse when the remote is ahead.
    public var fetch = true
    /// Hotfix branches are named `<prefix><name>`.
    public var hotfixPrefix = "hotfix/"
    /// What the user should hear about the configuration (unknown keys), one line each.
    public var warnings: [String] = []

    public init() {}

    public static let fileName = ".gitrelease"

    /// Every key with its default and what it means; `release init` writes these as comments.
    public static let documentedKeys: [(key: String, value: String, meaning: String)] = [
        ("develop", "develop", "branch where daily work lands"),
        ("testing", "testing", "branch deployed to the test environment"),
        ("production", "master", "branch deployed to production; releases are tagged here"),
        ("remote", "origin", "remote that --push sends the branch and the new tag to"),
        ("fetch", "true", "with --push, fetch first and refuse when the remote has commits we lack"),
        ("tagFormat", TagFormat.defaultPattern, "placeholders {major} {minor} {patch} {date}"),
        ("dateFormat", TagFormat.defaultDateFormat, "how {date} is written: yyyy yy MM dd"),
        ("previousTagFormats", "", "repeatable: formats earlier releases were tagged with, e.g. v{major}.{minor}.{patch}"),
        ("testTagFormat", "", "promote tags testing with it, e.g. release{major}.{minor}.{patch}-test-{date}.{n}"),
        ("bump", "patch", "patch, minor, major, or auto (from conventional commits: !/BREAKING CHANGE, feat)"),
        ("initialVersion", "1.0.0", "version of the first release"),
        ("changelog", "ChangeLog.md", "file that receives a section per release"),
        ("templates", "", "folder with changelog.mustache / tag-message.mustache overrides"),
        ("groupByType", "false", "group changelog lines by conventional type (feat:, fix: ...)"),
        ("hotfixPrefix", "hotfix/", "hotfix branches are named <prefix><name>"),
    ]

    /// Reads `.gitrelease` from the working tree (when there is one) and the git configuration
    /// levels above it.
    public static func load(for repository: Repository) throws -> ReleaseSettings {
        var layers: [Config] = []
        let root = repository.workingDirectory
        if let root {
            let path = root + fileName
            if FileManager.default.fileExists(atPath: path) {
                // A link to a file elsewhere (~/.ssh/…) must not be read, nor quoted in errors;
                // resolving also refuses what is not a plain file (a FIFO would hang the read).
                _ = try TreePath(trusted: fileName).resolved(
                    root: root, gitDirectories: [repository.gitDirectory, repository.commonDirectory], key: fileName)
                // git-config's [include] would make a committed file read any file on the host.
                if let text = FileManager.default.contents(atPath: path), ReleaseSettings.hasInclude(text) {
                    throw ReleaseError("\(fileName) includes other files ([include] or [includeIf]), which release does not read from a committed file",
                                       hint: "Put the settings in \(fileName) itself, or in your own git config (git config release.<key> …).")
                }
                do {
                    let file = try Config.file(at: path)
                    guard try file.entries(matching: "^include(if\\..*)?\\.path$").isEmpty else {
                        throw ReleaseError("\(fileName) includes other files, which release does not read from a committed file",
                                           hint: "Put the settings in \(fileName) itself.")
                    }
                    layers.append(file)
                } catch let error as GitError {
                    throw ReleaseError("malformed \(fileName): \(error.message)",
                                       hint: "Fix the file; it uses git-config syntax ([release] then key = value lines).")
                }
            }
        }
        let fileLayer = layers.first
        layers.append(try repository.config())
        var settings = try ReleaseSettings(layers: layers, root: root)
        // In its own file, every key outside [release] is a mistake (nginx settings, which
        // name commands, are never read from a committed file).
        for (name, _) in try fileLayer?.entries(matching: ".") ?? [] where !name.lowercased().hasPrefix("release.") {
            let warning = "warning: \(name.clipped) in \(fileName) is ignored: release reads only [release] keys there\(name.lowercased().hasPrefix("nginx.") ? " (nginx settings come from the host's git config)" : "")"
            if !settings.warnings.contains(warning) { settings.warnings.append(warning) }
        }
        return settings
    }

    /// Later layers override earlier ones, key by key.
    init(layers: [Config], root: String? = nil) throws {
        /// A bare `key` line is git's boolean true; for any other key it is a mistake.
        func value(_ key: String, boolean: Bool = false) throws -> String? {
            var found: String?
            for layer in layers {
                do {
                    if let text = try layer.string("release." + key) { found = text }
                } catch let error as GitError where error.code == .invalidSpec {
                    guard boolean else { throw ReleaseError(error.message.clipped(120), hint: "Give it a value: key = value under [release].") }
                    found = "true"
                }
            }
            return found
        }
        func branch(_ key: String, _ fallback: String) throws -> String {
            guard let name = try value(key) else { return fallback }
            guard name.utf8.count <= 240, Repository.isValidBranchName(name) else {
                throw ReleaseError("release.\(key) = '\(name.clipped)' is not a valid branch name",
                                   hint: "Set it to a branch name git accepts, e.g. \(fallback).")
            }
            return name
        }
        develop = try branch("develop", develop)
        testing = try branch("testing", testing)
        production = try branch("production", production)
        remote = try value("remote") ?? remote
        let dateFormat = try value("dateFormat") ?? TagFormat.defaultDateFormat
        guard !dateFormat.isEmpty else {
            throw ReleaseError("release.dateFormat is empty", hint: "Set it to yyyy, yy, MM and dd with any separators, e.g. \(TagFormat.defaultDateFormat).")
        }
        func format(_ key: String, _ pattern: String, counted: Bool = false) throws -> TagFormat {
            do {
                return try TagFormat(pattern: pattern, dateFormat: dateFormat, counted: counted)
            } catch let error as ReleaseError {
                throw ReleaseError("release.\(key): \(error.message)", hint: counted
                    ? "Use {major}, {minor}, {patch}, {n} and optionally {date}, e.g. release{major}.{minor}.{patch}-test-{date}.{n}."
                    : "Use {major}, {minor}, {patch} and optionally {date}, e.g. \(key == "tagFormat" ? TagFormat.defaultPattern : "v{major}.{minor}.{patch}").")
            }
        }
        tagFormat = try format("tagFormat", try value("tagFormat") ?? TagFormat.defaultPattern)
        previousTagFormats = try layers.flatMap { try $0.strings("release.previousTagFormats") }.filter { !$0.isEmpty }.map {
            try format("previousTagFormats", $0)
        }
        if let pattern = try value("testTagFormat"), !pattern.isEmpty {
            testTagFormat = try format("testTagFormat", pattern, counted: true)
        }
        if let text = try value("bump") {
            switch text.lowercased() {
            case "auto": bump = .inferred
            case let name: guard let fixed = Bump(rawValue: name) else {
                throw ReleaseError("release.bump = '\(text.clipped)' is not patch, minor, major or auto", hint: "Use one of those; auto reads the commits' conventional types.")
            }
            bump = .bump(fixed)
            }
        }
        if let text = try value("initialVersion") {
            guard let version = Version(text) else {
                throw ReleaseError("release.initialVersion = '\(text.clipped)' is not a version",
                                   hint: "Write it as MAJOR.MINOR.PATCH, e.g. 1.0.0.")
            }
            initialVersion = version
        }
        if let path = try value("changelog") { changelog = try TreePath(path, key: "release.changelog", root: root) }
        if let folder = try value("templates"), !folder.isEmpty {
            templates = try TreePath(folder, key: "release.templates", root: root)
        }
        func flag(_ key: String, _ fallback: Bool) throws -> Bool {
            guard let text = try value(key, boolean: true) else { return fallback }
            guard let flag = ReleaseSettings.bool(text) else {
                throw ReleaseError("release.\(key) = '\(text.clipped)' is not a boolean", hint: "Use true or false.")
            }
            return flag
        }
        groupByType = try flag("groupByType", groupByType)
        fetch = try flag("fetch", fetch)
        if let prefix = try value("hotfixPrefix") {
            guard Repository.isValidBranchName(prefix + "x") else {
                throw ReleaseError("release.hotfixPrefix = '\(prefix.clipped)' does not make valid branch names",
                                   hint: "Use something like hotfix/.")
            }
            hotfixPrefix = prefix
        }
        /// Refuses a format whose tag name for the first release git would not take.
        func requireTagName(_ format: TagFormat, key: String) throws {
            let sample = format.name(for: initialVersion, on: ReleaseDate(year: 2020, month: 1, day: 1)!)
            guard Repository.isValidReferenceName(Reference.tag(sample)) else {
                throw ReleaseError("\(key) gives '\(sample.clipped)', which git does not accept as a tag name",
                                   hint: "Remove spaces, '..', '~', '^', ':' and the like from the format.")
            }
        }
        let sample = tagFormat.name(for: initialVersion, on: ReleaseDate(year: 2020, month: 1, day: 1)!)
        // A reference is a file: each part of its name must fit a file name (with ".lock" added).
        guard sample.split(separator: "/").allSatisfy({ $0.utf8.count <= 240 }) else {
            throw ReleaseError("release.tagFormat makes tag names of \(sample.utf8.count) bytes, too long for git to store",
                               hint: "Use a short format, such as \(TagFormat.defaultPattern).")
        }
        try requireTagName(tagFormat, key: "release.tagFormat")
        if let testTagFormat {
            try requireTagName(testTagFormat, key: "release.testTagFormat")
            try ReleaseSettings.requireApart(testTagFormat, from: releaseFormats, initialVersion: initialVersion)
        }
        for (key, name) in [("develop", develop), ("testing", testing)] where name == production {
            throw ReleaseError("release.\(key) and release.production are both '\(name.clipped)'",
                               hint: "Each flow branch needs its own name.")
        }
        let known = ReleaseSettings.documentedKeys.map { "release." + $0.key }
        for layer in layers {
            for warning in try UnknownKeys.warnings(in: layer, section: "release", known: known) where !warnings.contains(warning) {
                warnings.append(warning)
            }
        }
    }

    /// A test tag must never be read as a release, nor a release as a test tag, nor one sit
    /// inside the other's name: checked over several versions, days and counts, since a date
    /// of one month or a count past 9 can make two formats meet.
    private static func requireApart(_ test: TagFormat, from releases: [TagFormat], initialVersion: Version) throws {
        let days = [(2020, 1, 1), (2026, 11, 22), (2031, 12, 31), (2029, 10, 12)].map { ReleaseDate(year: $0.0, month: $0.1, day: $0.2)! }
        let samples = [initialVersion, Version(10, 11, 12), Version(0, 1, 0)].flatMap { version in days.map { (version, $0) } }
        for (version, day) in samples {
            for (index, format) in releases.enumerated() {
                let key = index == 0 ? "release.tagFormat" : "release.previousTagFormats"
                let release = format.name(for: version, on: day)
                for count in [1, 2, 10, 12, 2026] {
                    let name = test.name(for: version, on: day, count: count)
                    let meet = format.parse(name) != nil || test.parse(release) != nil
                    if meet || name.hasPrefix(release + "/") || release.hasPrefix(name + "/") {
                        throw ReleaseError("release.testTagFormat and \(key) can spell \(meet ? "the same tag" : "one tag inside the other") ('\(name.clipped)' / '\(release.clipped)')",
                                           hint: "Give test tags a part release tags never have, e.g. -test-, and no '/'.")
                    }
                }
            }
        }
    }

    /// The release format first, then the earlier ones.
    public var releaseFormats: [TagFormat] { [tagFormat] + previousTagFormats }

    /// The version and day a release tag encodes, in any of the release formats.
    public func releaseVersion(of tagName: String) -> (version: Version, date: ReleaseDate?)? {
        for format in releaseFormats { if let parsed = format.parse(tagName) { return parsed } }
        return nil
    }

    /// Whether git-config text opens an `[include]` or `[includeIf …]` section.
    static func hasInclude(_ text: Data) -> Bool {
        String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline).contains { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.hasPrefix("[") else { return false }
            let name = trimmed.dropFirst().drop { $0 == " " || $0 == "\t" }.lowercased()
            return name.hasPrefix("include")
        }
    }

    /// git's boolean spellings.
    private static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0", "": false
        default: nil
        }
    }
}
