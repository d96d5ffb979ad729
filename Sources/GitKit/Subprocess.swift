import Foundation

/// Runs a program directly (no shell) with `posix_spawn` and waits with `waitpid`.
/// Foundation's `Process` learns of an exit through a descriptor the child inherits, so it
/// never returns when the child leaves a daemon behind (`nginx` starting, an editor's server).
public enum Subprocess {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: Data
    }

    /// Runs `arguments` (the first is the program, searched on PATH) and collects its output,
    /// killing it after `timeout` seconds. With `interactive`, it shares this terminal instead.
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        input: Data? = nil, timeout: TimeInterval? = nil, interactive: Bool = false
    ) throws -> Output {
        guard let program = locate(arguments[0]) else {
            throw ActionableError("command not found: \(arguments[0])", hint: "Install it or give its full path.")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("release-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputPath = scratch.appendingPathComponent("in").path
        let outputPath = scratch.appendingPathComponent("out").path
        let errorPath = scratch.appendingPathComponent("err").path
        try (input ?? Data()).write(to: URL(fileURLWithPath: inputPath))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !interactive {
            posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        if let directory {
            guard let addChdir = Subprocess.addChdir else {
                throw ActionableError("this C library cannot start a program in another folder", hint: "Use glibc 2.29 or later.")
            }
            _ = addChdir(&actions, directory)
        }

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, variables)
        guard spawned == 0 else {
            throw ActionableError("could not start \(arguments[0]): \(String(cString: strerror(spawned)))", hint: "Check that it can be run.")
        }
        let status = try wait(for: pid, timeout: timeout, command: arguments[0])
        return Output(status: status,
                      stdout: FileManager.default.contents(atPath: outputPath) ?? Data(),
                      stderr: FileManager.default.contents(atPath: errorPath) ?? Data())
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np`, a GNU extension Swift's Glibc module hides.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np").map {
            unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
        }
    }()

    private static func wait(for pid: pid_t, timeout: TimeInterval?, command: String) throws -> Int32 {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, deadline == nil ? 0 : WNOHANG)
            if result == pid { break }
            if result < 0, errno != EINTR {
                throw ActionableError("lost track of \(command): \(String(cString: strerror(errno)))", hint: "Run it by hand to see what it does.")
            }
            if let deadline, Date() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw ActionableError("\(command) did not finish within \(Int(timeout ?? 0)) s and was stopped",
                                   hint: "Check that the command works when run by hand.")
            }
            usleep(1_000)
        }
        // Exited normally: its code; killed by a signal: 128 + the signal, like a shell says.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// A program on PATH, or in the sbin folders a non-root PATH often lacks (nginx lives there).
    public static func locate(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin"] {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
