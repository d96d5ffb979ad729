import Foundation
import GitKit

/// A command from configuration: split into words like a shell would (quotes and backslashes
/// respected), then run directly, never through a shell.
public struct ConfiguredCommand: Equatable, Sendable, CustomStringConvertible {
    public private(set) var words: [String]

    public init(words: [String]) { self.words = words }

    public init(parsing text: String, key: String) throws {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                word.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case (let open?, _) where character == open:
                quote = nil
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else {
            throw ActionableError("\(key) = \(text) has an unterminated quote", hint: "Close the quote, e.g. docker exec 'my nginx' nginx -t.")
        }
        if inWord { words.append(word) }
        guard !words.isEmpty else { throw ActionableError("\(key) is empty", hint: "Give a command, e.g. nginx -t.") }
        self.words = words
    }

    public var description: String {
        words.map { $0.contains(where: \.isWhitespace) || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    /// Runs the command and returns its exit status and everything it printed.
    public func run(timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let result = try runSeparately(timeout: timeout)
        let text = String(decoding: result.stdout + result.stderr, as: UTF8.self)
        return (result.status, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs the command, keeping what it printed on each stream apart.
    func runSeparately(timeout: TimeInterval = 60) throws -> Subprocess.Output {
        do {
            return try Subprocess.run(words, timeout: timeout)
        } catch let error as ActionableError {
            throw ActionableError("\(error.message) (from \(self))", hint: error.hint)
        }
    }

    /// The `{name}` placeholders its words use.
    public var placeholders: Set<String> {
        Set(words.flatMap { word in
            word.split(separator: "{", omittingEmptySubsequences: false).dropFirst().compactMap { part in
                part.firstIndex(of: "}").map { String(part[..<$0]) }
            }
        })
    }

    /// The command with `{name}` replaced by `values[name]` in every word: a value stays one
    /// word, whatever it holds, since no shell reads it.
    public func filling(_ values: [String: String]) -> ConfiguredCommand {
        ConfiguredCommand(words: words.map { word in
            values.reduce(word) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        })
    }

    /// Runs the command in its own process group with what it prints going to standard error as
    /// it comes, and a SIGINT or SIGTERM passed on to the group (`Subprocess.Interrupted` once it
    /// ended); a timeout stops the whole group. Its exit status.
    public func runShowingOutput(timeout: TimeInterval, started: (pid_t) -> Void = { _ in }) throws -> Int32 {
        do {
            return try Subprocess.run(words, timeout: timeout, toStandardError: true, passInterrupts: true,
                                      ownProcessGroup: true, started: started).status
        } catch let error as ActionableError {
            throw ActionableError("\(error.message) (from \(self))", hint: error.hint)
        }
    }

    /// The same command with its `-t` flag replaced (nginx's `-T` or `-V`), or nil without one.
    func replacingTestFlag(with flag: String) -> ConfiguredCommand? {
        guard let index = words.firstIndex(of: "-t") else { return nil }
        var copy = self
        copy.words[index] = flag
        copy.words.removeAll { $0 == "-q" }
        return copy
    }

    /// The value after `option` (`-p PREFIX`), if the command gives one.
    func value(after option: String) -> String? {
        words.firstIndex(of: option).flatMap { words.index(after: $0) < words.endIndex ? words[words.index(after: $0)] : nil }
    }
}
