import Foundation
import GitKit
import ReleaseKit

/// What a finished command printed and how it exited.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let stdoutBytes: Data

    public var succeeded: Bool { status == 0 }
}

public struct CommandFailed: Error, CustomStringConvertible {
    public let command: String
    public let result: CommandResult

    public var description: String {
        "`\(command)` exited \(result.status)\nstdout: \(result.stdout)\nstderr: \(result.stderr)"
    }
}

/// Runs programs without a shell, collecting their output through files (no pipe can fill up),
/// with `posix_spawn`: a program that leaves a daemon behind (nginx) still counts as finished.
public enum Command {
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String]? = nil, input: Data? = nil
    ) throws -> CommandResult {
        let output = try Subprocess.run([executable] + arguments, environment: environment ?? TestEnvironment.variables(),
                                        directory: directory?.path, input: input)
        return CommandResult(status: output.status, stdout: String(decoding: output.stdout, as: UTF8.self),
                             stderr: String(decoding: output.stderr, as: UTF8.self), stdoutBytes: output.stdout)
    }

    /// Runs a program (found on PATH when given by name) and throws unless it succeeds.
    public static func succeed(_ arguments: [String]) throws {
        let result = try run(which(arguments[0]) ?? arguments[0], Array(arguments.dropFirst()))
        guard result.succeeded else { throw CommandFailed(command: arguments.joined(separator: " "), result: result) }
    }

    /// The absolute path of a program on PATH.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
