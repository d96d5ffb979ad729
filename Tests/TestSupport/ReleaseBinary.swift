import Foundation

/// The `release` executable this package built, run as a user would.
public enum ReleaseBinary {
    public static let path: String = {
        if let explicit = ProcessInfo.processInfo.environment["RELEASE_BINARY"] { return explicit }
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("release"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("release"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates[0].path
    }()

    /// Runs `release` with `arguments` in `directory`.
    public static func run(
        _ arguments: [String], in directory: URL, environment: [String: String]? = nil, input: Data? = nil
    ) throws -> CommandResult {
        try Command.run(path, arguments, in: directory, environment: environment, input: input)
    }
}
