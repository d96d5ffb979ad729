import Foundation
import GitKit

/// A rendered changelog section and where it goes.
public struct ChangelogSection: Sendable {
    public let notes: ReleaseNotes
    public var text: String
    /// The changelog file, relative to the repository root.
    public let file: String
}

extension Workspace {
    /// The templates for this repository: built in, or overridden by `release.templates`.
    public func templates() throws -> ReleaseTemplates {
        guard let folder = settings.templates else { return try ReleaseTemplates() }
        return try ReleaseTemplates(overrides: try confined(folder, key: "release.templates")) { name in
            try self.confined(TreePath(trusted: folder.relative + "/" + name), key: "release.templates")
        }
    }

    /// The release a changelog section is labelled with. An explicit label (`X.Y.Z` or a whole tag
    /// name) is taken as given, so old releases can be written up too; otherwise it is the next
    /// release, checked like `cut` would check it.
    public func changelogRelease(label: String?, choice: VersionChoice?, date: ReleaseDate?, to: String? = nil) throws -> NextRelease {
        guard let label else { return try nextRelease(choice, date: date, releasing: to.map { [try resolve($0)] }) }
        let format = settings.tagFormat
        let parsed: (version: Version, date: ReleaseDate?, tag: String?)
        if let version = Version(label) {
            parsed = (version, date, nil)
        } else if let fromTag = format.parse(label) {
            parsed = (fromTag.version, date ?? fromTag.date, label)
        } else {
            throw ReleaseError("--version '\(label)' is neither X.Y.Z nor a tag in the format \(format.pattern)",
                               hint: "Give a version such as 1.4.0, or a tag name such as \(format.name(for: Version(1, 4, 0), on: clock.today)).")
        }
        let day = parsed.date ?? clock.today
        return NextRelease(tag: parsed.tag ?? format.name(for: parsed.version, on: day), version: parsed.version, date: day,
                           previous: nil, previousCommit: nil)
    }

    /// Renders the section for `notes` with the changelog template (loaded here unless given).
    public func changelogSection(_ notes: ReleaseNotes, file: String? = nil, templates: ReleaseTemplates? = nil) throws -> ChangelogSection {
        ChangelogSection(notes: notes, text: try (templates ?? self.templates()).render(.changelog, notes), file: file ?? settings.changelog.relative)
    }

    /// The section as the user curated it in the editor, refused when its heading no longer
    /// names this release or names another one: the file would disagree with the tag.
    public func curated(_ section: ChangelogSection, editor: Editor) throws -> ChangelogSection {
        var curated = section
        curated.text = try editor.edit(section.text, in: repository.gitDirectory, name: "RELEASE_CHANGELOG.md")
        let notes = section.notes
        let named = ChangelogFile.versionsNamed(in: Data(curated.text.utf8), format: settings.tagFormat)
        let keepsTag = ChangelogFile.existingHeading(for: notes.version, tag: notes.tag, format: settings.tagFormat,
                                                     in: Data(curated.text.utf8)) != nil
        guard keepsTag, named.allSatisfy({ $0 == notes.version }) else {
            throw ReleaseError("the edited section's heading no longer names \(notes.tag) alone; nothing was written",
                               hint: "Keep the heading line (## \(notes.tag) …) as it is when you curate the section.")
        }
        return curated
    }

    /// The changelog with `section` added on top, refusing a version that already has a section.
    public func changelog(_ existing: Data?, adding section: ChangelogSection) throws -> Data {
        let notes = section.notes
        if let existing, let heading = ChangelogFile.existingHeading(
            for: notes.version, tag: notes.tag, format: settings.tagFormat, in: existing) {
            throw ReleaseError("\(section.file) already has a section for \(notes.version.map { "version \($0)" } ?? notes.tag): \(heading)",
                               hint: "Choose another version with --version or --bump, or remove that section first.")
        }
        return ChangelogFile.prepend(section.text, to: existing)
    }
}

extension Workspace {
    /// Adds `section` on top of the changelog file (`path`, else `release.changelog`) in the
    /// working tree, atomically; with `dryRun` only checks that it could. A symbolic link is
    /// written through, never replaced. Returns the file written.
    @discardableResult
    public func write(_ section: ChangelogSection, toFileAt path: String?, dryRun: Bool) throws -> String {
        let target: String
        if let path {
            guard let resolved = FileSystem.resolvingLinks(path) else {
                throw ReleaseError("\(path) goes through a symbolic link that leads nowhere", hint: "Give the path of the file itself.")
            }
            target = resolved
        } else {
            target = try changelogFile()
        }
        var status = stat()
        if stat(target, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            throw ReleaseError("\(target) is \((status.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "not a regular file"), not a changelog file",
                               hint: "Point release.changelog (or --file) at a file, such as ChangeLog.md.")
        }
        let updated = try changelog(FileManager.default.contents(atPath: target), adding: section)
        if !dryRun { try FileSystem.replace(target, contents: updated) }
        return target
    }
}
