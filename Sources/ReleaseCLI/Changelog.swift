import ArgumentParser
import Foundation
import ReleaseKit

extension Release {
    struct Changelog: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the ChangeLog section of the next release.",
            discussion: """
                Lists the subject of every non-merge commit in FROM..TO, newest first (the lines of \
                git log --no-merges --pretty='* %s'), through the changelog template, and adds the \
                section on top of ChangeLog.md below its title. A version that already has a section \
                is refused and the file is left untouched.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var dryRun: DryRunOption

        @Option(help: ArgumentHelp("Start after this revision (default: the last release on the production branch).", valueName: "rev"))
        var from: String?

        @Option(help: ArgumentHelp("End at this revision (default: the testing branch).", valueName: "rev"))
        var to: String?

        @Option(name: .customLong("version"), help: ArgumentHelp("Label the section with this version or tag name (default: the next release).", valueName: "X.Y.Z|tag"))
        var label: String?

        @Option(help: "Which part the next version increases when --version is not given: patch, minor, major or auto (default: release.bump).")
        var bump: BumpArgument?

        @OptionGroup var date: DateOption

        @Flag(help: "Print the section instead of writing the file.")
        var stdout = false

        @Option(help: ArgumentHelp("The file to add the section to (default: release.changelog, ChangeLog.md).", valueName: "path"))
        var file: String?

        @Flag(help: "Open $VISUAL or $EDITOR on the draft before it is written.")
        var edit = false

        func validate() throws {
            if bump != nil, label != nil { throw ValidationError("Give either --bump or --version, not both.") }
        }

        func run() throws {
            let workspace = try global.workspace(needsWorkingTree: !stdout)
            let release = try workspace.changelogRelease(label: label, choice: bump?.choice, date: date.releaseDate, to: to)
            let notes = try workspace.releaseNotes(from: from, to: to, release: release)
            // An empty section is never written; printed, it comes with the reason.
            if notes.entries.isEmpty {
                let empty = try workspace.emptyChangelogError(notes, to: to)
                guard stdout else { throw empty }
                Terminal.standardError("note: \(empty.message)\nhint: \(empty.hint ?? "")")
            }
            var section = try workspace.changelogSection(notes, file: file)
            if edit { section = try workspace.curated(section, editor: Editor(environment: workspace.environment)) }
            if stdout {
                if global.json { try Terminal.json(ChangelogResult(section, file: nil, written: false)) } else { Terminal.write(section.text) }
                return
            }
            let path = try workspace.write(section, toFileAt: file.map { global.path($0) }, dryRun: dryRun.dryRun)
            let commits = notes.entries.count == 1 ? "1 commit" : "\(notes.entries.count) commits"
            if global.json {
                try Terminal.json(ChangelogResult(section, file: path, written: !dryRun.dryRun))
            } else if dryRun.dryRun {
                print("would add \(notes.tag) (\(commits)) on top of \(path):")
                Terminal.write(section.text)
            } else {
                print("added \(notes.tag) (\(commits)) on top of \(path)")
            }
        }
    }
}

/// What `changelog --json` prints.
struct ChangelogResult: Encodable {
    let tag: String
    let version: String?
    let date: String
    let previousTag: String?
    let from: String?
    let to: String
    let file: String?
    let written: Bool
    let section: String
    let commits: [ChangeEntry]

    init(_ section: ChangelogSection, file: String?, written: Bool) {
        let notes = section.notes
        tag = notes.tag
        version = notes.version?.description
        date = notes.date.description
        previousTag = notes.previousTag
        from = notes.from?.hex
        to = notes.to.hex
        self.file = file
        self.written = written
        self.section = section.text
        commits = notes.entries
    }
}
