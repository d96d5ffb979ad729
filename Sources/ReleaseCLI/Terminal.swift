import Foundation
import ReleaseKit

/// Where output goes: results on stdout, errors and progress on stderr.
enum Terminal {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Text on stdout exactly as given, in one write, after whatever `print` still buffers
    /// (a pipe buffers it, and the lines would otherwise come out after this text).
    static func write(_ text: String) {
        fflush(nil)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ error: ReleaseError) {
        var text = "error: \(error.message)"
        if let hint = error.hint { text += "\nhint: \(hint)" }
        standardError(text)
    }

    /// Pretty, key-sorted JSON on stdout.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        fflush(nil)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
