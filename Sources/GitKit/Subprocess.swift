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

    /// How many programs this process has started, so a caller can tell whether anything else
    /// (a hook, an editor) ran since it last looked.
    static var launches: Int { counter.value }
    private static let counter = Counter()

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0

        var value: Int { lock.withLock { count } }
        func increment() { lock.withLock { count += 1 } }
    }

    /// A program stopped because this process was asked to stop (SIGINT, SIGTERM) while it ran.
    public struct Interrupted: Error, Sendable {
        public let signal: Int32
        public var name: String { signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)" }
    }

    /// Runs `arguments` (the first is the program, searched on PATH) and collects its output,
    /// killing it after `timeout` seconds. With `interactive`, it shares this terminal instead;
    /// with `toStandardError`, everything it prints goes to this process's standard error as it
    /// comes (as git shows a hook's output) and nothing is collected. With `passInterrupts`, a
    /// SIGINT or SIGTERM to this process is passed on to the program, and once it has ended
    /// `Interrupted` is thrown, so the caller can say what was cut short. With `ownProcessGroup`,
    /// the program leads a new process group, and a timeout or an interrupt reaches everything
    /// it started too; `started` learns its pid (the group's id) as soon as it runs.
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        input: Data? = nil, timeout: TimeInterval? = nil, interactive: Bool = false, toStandardError: Bool = false,
        passInterrupts: Bool = false, ownProcessGroup: Bool = false, started: (pid_t) -> Void = { _ in }
    ) throws -> Output {
        guard let program = locate(arguments[0]) else {
            throw ActionableError("command not found: \(arguments[0])", hint: "Install it or give its full path.")
        }
        // Nameless temporary files: nothing is left on disk, whatever ends this process.
        let files = try (0..<3).map { _ in try anonymousFile() }
        defer { files.forEach { close($0) } }
        let (inputFile, outputFile, errorFile) = (files[0], files[1], files[2])
        if let input {
            _ = input.withUnsafeBytes { write(inputFile, $0.baseAddress, $0.count) }
            lseek(inputFile, 0, SEEK_SET)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !interactive {
            if input == nil {
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            } else {
                posix_spawn_file_actions_adddup2(&actions, inputFile, 0)
            }
            if toStandardError {
                posix_spawn_file_actions_adddup2(&actions, 2, 1)
            } else {
                posix_spawn_file_actions_adddup2(&actions, outputFile, 1)
                posix_spawn_file_actions_adddup2(&actions, errorFile, 2)
            }
        }
        if let directory {
            guard let addChdir = Subprocess.addChdir else {
                throw ActionableError("this C library cannot start a program in another folder", hint: "Use glibc 2.29 or later.")
            }
            _ = addChdir(&actions, directory)
        }
        // Nothing else this process has open reaches the program (glibc 2.34 and later): a
        // daemon it starts (a publish script starting a server) must not hold this process's
        // descriptors, nor those of whoever started it, for its whole life.
        _ = addCloseFrom?(&actions, 3)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        // The program starts with no signal blocked, whatever this process holds.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | (ownProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))
        posix_spawnattr_setpgroup(&attributes, 0)
        let held = passInterrupts ? HeldSignals.hold() : nil
        defer { held?.release() }
        var pid: pid_t = 0
        counter.increment()
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, variables)
        guard spawned == 0 else {
            throw ActionableError("could not start \(arguments[0]): \(String(cString: strerror(spawned)))", hint: "Check that it can be run.")
        }
        started(pid)
        let signalled = ownProcessGroup ? -pid : pid
        var interrupted: Int32?
        let status = try wait(for: pid, signalling: signalled, timeout: timeout, command: arguments[0], polling: timeout != nil || passInterrupts) {
            guard let held, let signal = held.pending else { return }
            kill(signalled, signal)
            held.consume()
            interrupted = signal
        }
        if let interrupted { throw Interrupted(signal: interrupted) }
        return Output(status: status, stdout: readAll(outputFile), stderr: readAll(errorFile))
    }

    /// A temporary file with no name (`O_TMPFILE`), or one unlinked at once where the file
    /// system cannot make those; closed on exec, so only the child's standard streams get it.
    private static func anonymousFile() throws -> Int32 {
        let folder = FileManager.default.temporaryDirectory.path
        let tmpFile: Int32 = 0o20_000_000 | O_DIRECTORY
        var descriptor = open(folder, tmpFile | O_RDWR | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            var template = Array("\(folder)/release-XXXXXX".utf8CString)
            descriptor = mkstemp(&template)
            if descriptor >= 0 {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            }
        }
        guard descriptor >= 0 else {
            throw ActionableError("could not make a temporary file in \(folder): \(String(cString: strerror(errno)))",
                                  hint: "Check that the temporary folder (TMPDIR) exists and is writable.")
        }
        return descriptor
    }

    /// A new private folder under the temporary folder, for the caller to remove.
    public static func temporaryFolder() throws -> String {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/release-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ActionableError("could not make a temporary folder: \(String(cString: strerror(errno)))",
                                  hint: "Check that the temporary folder (TMPDIR) exists and is writable.")
        }
        return String(cString: made)
    }

    private static func readAll(_ descriptor: Int32) -> Data {
        lseek(descriptor, 0, SEEK_SET)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np`, a GNU extension Swift's Glibc module hides.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np").map {
            unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
        }
    }()

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, likewise hidden.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np").map {
            unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }
    }()

    /// Waits for `pid` to end; with `polling`, `poll` is called every millisecond meanwhile (it
    /// passes signals on) and the deadline is watched.
    private static func wait(for pid: pid_t, signalling: pid_t, timeout: TimeInterval?, command: String, polling: Bool, poll: () -> Void) throws -> Int32 {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var status: Int32 = 0
        while true {
            poll()
            let result = waitpid(pid, &status, polling ? WNOHANG : 0)
            if result == pid { break }
            if result < 0, errno != EINTR {
                throw ActionableError("lost track of \(command): \(String(cString: strerror(errno)))", hint: "Run it by hand to see what it does.")
            }
            if let deadline, Date() >= deadline {
                kill(signalling, SIGKILL)
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
