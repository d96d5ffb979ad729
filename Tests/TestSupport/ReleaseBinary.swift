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

extension ReleaseBinary {
    /// Starts `release` without waiting, for tests that kill it or run a second one meanwhile.
    public static func start(_ arguments: [String], in directory: URL, environment: [String: String],
                             stderr: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        if let stderr {
            try Data().write(to: stderr)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// SIGKILL, then wait: no test leaves a process behind.
    public static func kill(_ process: Process) {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
