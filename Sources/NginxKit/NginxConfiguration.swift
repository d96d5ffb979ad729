import Foundation
import GitKit

/// Just enough of nginx's configuration syntax to find directives: words, quotes, comments,
/// `;` and braces, with the blocks each statement sits in.
public struct NginxConfigFile {
    let text: String

    public init(text: String) { self.text = text }

    /// An `upstream` block: its name, whether it serves `http` or `stream`, and its `server`
    /// entries (address, then any `down` or `backup` flag).
    public struct Upstream: Equatable, Codable, Sendable {
        public let name: String
        public let context: String
        public let servers: [String]
    }

    /// The first argument of a directive at the top level (outside every block).
    func topLevel(_ name: String) -> String? {
        statements().first { $0.blocks.isEmpty && $0.words.first == name }?.words.dropFirst().first
    }

    func upstreams() -> [Upstream] {
        var result: [Upstream] = []
        for statement in statements() {
            guard statement.words.first == "server", statement.words.count > 1,
                  let block = statement.blocks.last, block.first == "upstream", block.count > 1 else { continue }
            let context = statement.blocks.dropLast().last?.first == "stream" ? "stream" : "http"
            let flags = statement.words.dropFirst(2).filter { $0 == "down" || $0 == "backup" }
            let server = ([statement.words[1]] + flags).joined(separator: " ")
            if let index = result.firstIndex(where: { $0.name == block[1] && $0.context == context }) {
                result[index] = Upstream(name: block[1], context: context, servers: result[index].servers + [server])
            } else {
                result.append(Upstream(name: block[1], context: context, servers: [server]))
            }
        }
        return result
    }

    struct Statement {
        let words: [String]
        /// The words that open each enclosing block, outermost first.
        let blocks: [[String]]
        /// Where its `;` is in the text.
        var end: String.Index? = nil
    }

    /// The text with every `server` line for one of `addresses`, in any `upstream` block, marked
    /// `down` (kept as it is when it already is), and which of the addresses had such lines. Refused
    /// when an upstream would be left with no server up: that would take its last backend away.
    public func markingDown(_ addresses: Set<String>) throws -> (text: String, marked: Set<String>) {
        var text = self.text
        var marked = Set<String>()
        var upDown: [String: (up: Int, down: Int)] = [:]
        // From the end, so each insertion leaves the positions before it valid.
        for statement in statements().reversed() {
            // A `server` line at the top of a file is one an `upstream` block includes.
            let block = statement.blocks.last ?? ["upstream", "(included)"]
            guard statement.words.first == "server", statement.words.count > 1, let end = statement.end,
                  block.first == "upstream", block.count > 1 else { continue }
            let flags = statement.words.dropFirst(2)
            let name = (statement.blocks.dropLast().last?.first ?? "http") + " upstream " + block[1]
            var counts = upDown[name] ?? (0, 0)
            if addresses.contains(statement.words[1]) {
                marked.insert(statement.words[1])
                if !flags.contains("down") { text.insert(contentsOf: " down", at: end) }
                counts.down += 1
            } else if !flags.contains("down") && !flags.contains("backup") {
                counts.up += 1
            }
            upDown[name] = counts
        }
        if let empty = upDown.first(where: { $0.value.up == 0 && $0.value.down > 0 }) {
            throw ActionableError("taking \(addresses.sorted().joined(separator: ", ")) out would leave \(empty.key) with no server up",
                                  hint: "Every upstream must keep a live backend: add another server to it, or deploy that instance another way.")
        }
        return (text, marked)
    }

    func statements() -> [Statement] {
        var statements: [Statement] = []
        var blocks: [[String]] = []
        var words: [String] = []
        var word = ""
        var quote: Character?
        var comment = false
        func endWord() {
            if !word.isEmpty { words.append(word) }
            word = ""
        }
        for index in text.indices {
            let character = text[index]
            if comment {
                if character == "\n" { comment = false }
                continue
            }
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
                continue
            }
            switch character {
            case "#": endWord(); comment = true
            case "\"", "'": quote = character
            case ";":
                endWord()
                statements.append(Statement(words: words, blocks: blocks, end: index))
                words = []
            case "{":
                endWord()
                blocks.append(words)
                words = []
            case "}":
                endWord()
                words = []
                _ = blocks.popLast()
            case _ where character.isWhitespace: endWord()
            default: word.append(character)
            }
        }
        return statements
    }
}

/// A branch's nginx configuration as nginx would read it: `nginx.conf` at the repository's
/// root, with every `include` followed — globs (`sites-enabled/*`), files in subfolders,
/// symbolic links committed in the tree (Debian's `sites-enabled` → `sites-available`) —
/// and nothing else, so a disabled `sites-available` file does not count.
struct NginxTreeConfiguration {
    let text: String

    init(repository: Repository, commit: OID, root: String) throws {
        let files = try repository.files(in: commit) { _ in true }
        var contents: [String: String] = [:]
        for file in files { contents[file.path] = String(decoding: file.contents, as: UTF8.self) }
        let links = try Set(files.map(\.path).filter { try repository.entryKind(at: $0, in: commit) == .symlink })
        let prefix = root.hasSuffix("/") ? root : root + "/"

        /// A path as nginx names it (absolute, or relative to the configuration folder) as a
        /// path in the tree, following links committed there.
        func treePath(_ name: String) -> String? {
            var path = name.hasPrefix("/") ? (name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil) : name
            var hops = 0
            while let current = path, links.contains(current), hops < 8, let target = contents[current] {
                hops += 1
                let base = (current as NSString).deletingLastPathComponent
                path = target.hasPrefix("/") ? (target.hasPrefix(prefix) ? String(target.dropFirst(prefix.count)) : nil)
                    : normalized(base + "/" + target)
            }
            return path
        }

        /// `a/../b/./c` as `b/c`; nil when `..` leads out of the tree.
        func normalized(_ path: String) -> String? {
            var parts: [Substring] = []
            for part in path.split(separator: "/") where part != "." {
                if part == ".." {
                    guard parts.popLast() != nil else { return nil }
                } else {
                    parts.append(part)
                }
            }
            return parts.joined(separator: "/")
        }

        func expand(_ path: String, depth: Int) -> String {
            guard depth < 16, let text = contents[path] else { return "" }
            var result = ""
            var rest = Substring(text)
            // Each `include PATTERN;` is replaced by the files it names, in name order as nginx does.
            while let range = rest.range(of: #"(?m)^[ \t]*include[ \t]+([^;]+);"#, options: .regularExpression) {
                result += rest[..<range.lowerBound]
                let pattern = rest[range].trimmingCharacters(in: .whitespaces).dropFirst("include".count)
                    .trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: ";\"'")))
                let matches = contents.keys.filter { candidate in
                    guard let wanted = treePath(pattern) else { return false }
                    return fnmatch(wanted, candidate, FNM_PATHNAME) == 0
                }.sorted()
                for match in matches {
                    result += "\n" + expand(treePath(match) ?? match, depth: depth + 1) + "\n"
                }
                rest = rest[range.upperBound...]
            }
            return result + rest
        }
        text = expand("nginx.conf", depth: 0)
    }

    var file: NginxConfigFile { NginxConfigFile(text: text) }
}
