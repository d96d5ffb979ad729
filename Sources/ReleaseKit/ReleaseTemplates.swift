import Foundation
import Mustache

/// The Mustache templates a release is written with: the built-in ones from `templates/`
/// (compiled into the binary), each replaceable by a file of the same name in the repository's
/// `release.templates` folder.
public struct ReleaseTemplates: Sendable {
    public enum Name: String, CaseIterable, Sendable {
        case changelog
        case tagMessage = "tag-message"
    }

    private let templates: [Name: MustacheTemplate]
    /// Where each template came from, for messages.
    public let sources: [Name: String]

    public static let builtIn: [Name: String] = [
        .changelog: String(decoding: PackageResources.changelog_mustache, as: UTF8.self),
        .tagMessage: String(decoding: PackageResources.tag_message_mustache, as: UTF8.self),
    ]

    /// Loads the templates, preferring `<folder>/<name>.mustache` when a folder is given.
    /// `resolve` turns a file name in the folder into the path to read (or refuses it).
    public init(overrides folder: String? = nil, resolve: ((String) throws -> String)? = nil) throws {
        if let folder {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ReleaseError("the templates folder \(folder.clipped(200)) does not exist",
                                   hint: "Create it, or unset release.templates to use the built-in templates.")
            }
        }
        var templates: [Name: MustacheTemplate] = [:]
        var sources: [Name: String] = [:]
        for name in Name.allCases {
            var text = ReleaseTemplates.builtIn[name]!
            var source = "built-in \(name.rawValue).mustache"
            if let folder {
                let file = name.rawValue + ".mustache"
                let path = try resolve?(file) ?? (folder as NSString).appendingPathComponent(file)
                if let data = FileManager.default.contents(atPath: path) {
                    text = String(decoding: data, as: UTF8.self)
                    source = path
                }
            }
            do {
                // Plain text, not HTML: a subject with `<` or `&` is written as it is.
                templates[name] = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + text)
            } catch {
                throw ReleaseError("the template \(source) does not parse: \(error)",
                                   hint: "Fix its Mustache syntax ({{name}}, {{#list}}…{{/list}}).")
            }
            sources[name] = source
        }
        self.templates = templates
        self.sources = sources
    }

    public func render(_ name: Name, _ notes: ReleaseNotes) -> String {
        if sources[name] == "built-in \(name.rawValue).mustache", let text = Self.builtIn(name, notes) {
            return text
        }
        return templates[name]!.render(NotesContext(notes))
    }

    /// What the built-in templates render, written directly (the changelog only when
    /// ungrouped): the engine's per-line work was a tenth of a 15,000-commit changelog. The
    /// tests hold the two to the same bytes.
    static func builtIn(_ name: Name, _ notes: ReleaseNotes) -> String? {
        var text: String
        switch name {
        case .changelog:
            guard !notes.grouped else { return nil }
            text = "## \(notes.tag) (\(notes.date))\n\n"
        case .tagMessage:
            text = "\(notes.tag)\n\n"
        }
        text.reserveCapacity(text.utf8.count + notes.entries.reduce(0) { $0 + $1.subject.utf8.count + 3 })
        for entry in notes.entries {
            text += "* "
            text += entry.subject
            text += "\n"
        }
        return text
    }
}

/// A value a template prints as it is. Rendering it skips the engine's generic
/// `String(describing:)` path, which dominated the cost of long change lists.
struct TemplateText: MustacheCustomRenderable {
    let renderText: String
    var isNull: Bool { false }

    init(_ text: String) { renderText = text }
    init?(_ text: String?) {
        guard let text else { return nil }
        renderText = text
    }
    init?(_ number: Int?) {
        guard let number else { return nil }
        renderText = String(number)
    }
}

/// The variables templates see. Values are produced on demand, so a template that does not
/// use a variable costs nothing for it.
struct NotesContext: MustacheParent {
    let notes: ReleaseNotes

    init(_ notes: ReleaseNotes) { self.notes = notes }

    func child(named name: String) -> Any? {
        switch name {
        case "tag": TemplateText(notes.tag)
        case "version": TemplateText(notes.version?.description)
        case "major": TemplateText(notes.version?.major)
        case "minor": TemplateText(notes.version?.minor)
        case "patch": TemplateText(notes.version?.patch)
        case "date": TemplateText(notes.date.description)
        case "previousTag": TemplateText(notes.previousTag)
        case "from": TemplateText(notes.from?.hex)
        case "to": TemplateText(notes.to.hex)
        case "count": TemplateText(notes.entries.count)
        case "commits": notes.entries.map(EntryContext.init)
        case "subjects": notes.entries.map { TemplateText($0.subject) }
        case "grouped": notes.grouped
        case "groups": notes.groups.map { GroupContext(title: $0.title, entries: $0.entries) }
        default: nil
        }
    }
}

struct GroupContext: MustacheParent {
    let title: String
    let entries: [ChangeEntry]

    func child(named name: String) -> Any? {
        switch name {
        case "title": TemplateText(title)
        case "count": TemplateText(entries.count)
        case "commits": entries.map(EntryContext.init)
        default: nil
        }
    }
}

struct EntryContext: MustacheParent {
    let entry: ChangeEntry

    func child(named name: String) -> Any? {
        switch name {
        case "subject": TemplateText(entry.subject)
        case "id": TemplateText(entry.id.hex)
        case "shortId": TemplateText(entry.id.short)
        case "author": TemplateText(entry.author)
        case "authorEmail": TemplateText(entry.authorEmail)
        case "type": TemplateText(entry.conventional?.type)
        case "scope": TemplateText(entry.conventional?.scope)
        case "breaking": entry.conventional?.breaking ?? false
        case "description": TemplateText(entry.conventional?.description ?? entry.subject)
        default: nil
        }
    }
}
