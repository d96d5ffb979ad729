import Foundation
import GitKit
@testable import ReleaseKit
import Mustache
import Testing

struct ChangelogFileTests {
    func prepend(_ section: String, to existing: String?) -> String {
        String(decoding: ChangelogFile.prepend(section, to: existing.map { Data($0.utf8) }), as: UTF8.self)
    }

    @Test func belowTheTitleAndItsBlankLines() {
        #expect(prepend("## new\n", to: "# ChangeLog\n\n## old\n") == "# ChangeLog\n\n## new\n\n## old\n")
        #expect(prepend("## new\n", to: "# ChangeLog\n\n  \n## old\n") == "# ChangeLog\n\n  \n## new\n\n## old\n")
        #expect(prepend("## new\n", to: "# Title only") == "# Title only\n\n## new\n")
        #expect(prepend("## new\n", to: "# Title\n") == "# Title\n\n## new\n")
        #expect(prepend("## new\n", to: "# Title\n## old\n") == "# Title\n\n## new\n\n## old\n")
    }

    @Test func firstWhenThereIsNoTitle() {
        #expect(prepend("## new\n", to: "## old\n") == "## new\n\n## old\n")
        #expect(prepend("## new\n", to: "Intro text\n") == "## new\n\nIntro text\n")
        #expect(prepend("## new", to: "##old") == "## new\n\n##old")
    }

    @Test func newFileGetsATitle() {
        #expect(prepend("## new\n", to: nil) == "# ChangeLog\n\n## new\n")
        #expect(prepend("## new\n", to: "") == "# ChangeLog\n\n## new\n")
    }

    @Test func everyExistingByteIsKept() {
        let old = Data([0x23, 0x20, 0x54, 0x0D, 0x0A, 0x0A, 0xFF, 0xFE, 0x00, 0x0A])  // "# T\r\n\n" then invalid UTF-8 and a NUL
        let new = ChangelogFile.prepend("## new\n", to: old)
        #expect(new == Data([0x23, 0x20, 0x54, 0x0D, 0x0A, 0x0A]) + Data("## new\n\n".utf8) + Data([0xFF, 0xFE, 0x00, 0x0A]))
    }

    @Test func findsAnExistingSectionForTheSameVersion() throws {
        let format = try TagFormat()
        let text = Data("# ChangeLog\n\n## [release1.2.0-pro-20261120](link) (2026-11-20)\n\n* release1.3.0-pro-20261120 mentioned\n".utf8)
        #expect(ChangelogFile.existingHeading(for: Version(1, 2, 0), tag: "release1.2.0-pro-20261121", format: format, in: text) != nil)
        #expect(ChangelogFile.existingHeading(for: Version(1, 3, 0), tag: "release1.3.0-pro-20261121", format: format, in: text) == nil,
                "only headings count")
        #expect(ChangelogFile.existingHeading(for: nil, tag: "Unreleased", format: format, in: Data("## Unreleased\n".utf8)) != nil)
    }
}

struct ConventionalSubjectTests {
    @Test(arguments: [
        ("feat: add login", "feat", nil, false, "add login"),
        ("fix(api): null check", "fix", "api", false, "null check"),
        ("feat(cart)!: new totals", "feat", "cart", true, "new totals"),
        ("refactor!: drop v1", "refactor", nil, true, "drop v1"),
        ("Fix: capitalised type", "fix", nil, false, "capitalised type"),
        ("docs(read me):  spaced", "docs", "read me", false, "spaced"),
    ])
    func parses(_ subject: String, _ type: String, _ scope: String?, _ breaking: Bool, _ description: String) throws {
        let parsed = try #require(ConventionalSubject(subject))
        #expect(parsed.type == type)
        #expect(parsed.scope == scope)
        #expect(parsed.breaking == breaking)
        #expect(parsed.description == description)
    }

    @Test(arguments: ["Update readme", "feature: not a known type", "feat:missing space", "fix(): empty scope",
                      "fix(a(b)): nested", "Merge branch 'develop'", "", "feat", "note: something"])
    func leavesOtherSubjectsAlone(_ subject: String) {
        #expect(ConventionalSubject(subject) == nil)
    }
}

struct ReleaseTemplatesTests {
    func notes(_ subjects: [String], grouped: Bool = false) -> ReleaseNotes {
        let id = OID(hex: String(repeating: "ab", count: 20))!
        return ReleaseNotes(
            tag: "release1.2.0-pro-20261121", version: Version(1, 2, 0), date: ReleaseDate(year: 2026, month: 11, day: 21)!,
            previousTag: "release1.1.0-pro-20261001", from: nil, to: id,
            entries: subjects.map { ChangeEntry(id: id, subject: $0, author: "A <&>", authorEmail: "a@example.com", time: 0) },
            grouped: grouped)
    }

    @Test func builtInTemplatesComeFromTheTemplatesFolder() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../templates")
        for name in ReleaseTemplates.Name.allCases {
            let file = try String(contentsOf: source.appendingPathComponent(name.rawValue + ".mustache"), encoding: .utf8)
            #expect(ReleaseTemplates.builtIn[name] == file, "the binary carries templates/\(name.rawValue).mustache")
        }
    }

    @Test func defaultChangelogAndTagMessage() throws {
        let templates = try ReleaseTemplates()
        let notes = notes(["feat: <b>bold</b> & more", "fix: {{not a tag}}"])
        #expect(templates.render(.changelog, notes) == """
            ## release1.2.0-pro-20261121 (2026-11-21)

            * feat: <b>bold</b> & more
            * fix: {{not a tag}}

            """)
        #expect(templates.render(.tagMessage, notes) == """
            release1.2.0-pro-20261121

            * feat: <b>bold</b> & more
            * fix: {{not a tag}}

            """)
    }

    @Test(arguments: ReleaseTemplates.Name.allCases)
    func theBuiltInTemplatesAreWrittenDirectlyWithTheirBytes(_ name: ReleaseTemplates.Name) throws {
        let engine = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + ReleaseTemplates.builtIn[name]!)
        for subjects in [[], ["feat: <b>bold</b> & more", "fix: {{not a tag}}"], ["  spaced  ", "ünïcødé ✓", "\\ back \\"]] {
            let notes = notes(subjects)
            #expect(ReleaseTemplates.builtIn(name, notes) == engine.render(NotesContext(notes)), "\(subjects)")
            #expect(try ReleaseTemplates().render(name, notes) == engine.render(NotesContext(notes)))
        }
    }

    @Test func emptyChangeList() throws {
        #expect(try ReleaseTemplates().render(.changelog, notes([])) == "## release1.2.0-pro-20261121 (2026-11-21)\n\n")
    }
}
