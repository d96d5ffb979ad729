import Foundation

/// A hook git would run: found in `core.hooksPath` (from the user's git configuration, never
/// from a committed file) or in `hooks/` of the common git folder.
public enum HookLookup: Equatable, Sendable {
    case none
    /// There, but not executable: git ignores it and says so.
    case ignored(String)
    case found(String)
}

extension Repository {
    /// The person behind a command, for hooks and audit logs: the sudo caller, else the login,
    /// else the account.
    public static func operatorName(_ environment: [String: String]) -> String {
        environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"]
            ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(getuid())"
    }

    /// The folder git takes hooks from: `core.hooksPath` (`~` expanded, a relative path taken from
    /// the working tree root, as git does) or `hooks/` in the common git folder.
    public func hooksFolder() throws -> String {
        guard let configured = try config().string("core.hooksPath"), !configured.isEmpty else {
            return (commonDirectory as NSString).appendingPathComponent("hooks")
        }
        let expanded = (configured as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : ((workingDirectory ?? gitDirectory) as NSString).appendingPathComponent(expanded)
    }

    public func hook(_ name: String) throws -> HookLookup {
        let path = (try hooksFolder() as NSString).appendingPathComponent(name)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { return .none }
        return FileManager.default.isExecutableFile(atPath: path) ? .found(path) : .ignored(path)
    }

    /// Runs a hook as git runs it: in the working tree root (the git folder when bare), with
    /// `GIT_DIR` exported, `input` on its standard input and all its output on ours (stderr).
    /// Returns its exit status. This is the only place GitKit starts a hook.
    public func runHook(_ path: String, arguments: [String] = [], input: Data? = nil,
                        environment extra: [String: String] = [:]) throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_DIR"] = gitDirectory
        environment.merge(extra) { $1 }
        // Like git: a script without `#!` is run by /bin/sh.
        let start = FileHandle(forReadingAtPath: path).map { handle in defer { try? handle.close() }; return handle.readData(ofLength: 4) } ?? Data()
        let program = start.starts(with: Data("#!".utf8)) || start.starts(with: Data([0x7f, 0x45, 0x4c, 0x46])) ? [path] : ["/bin/sh", path]
        return try Subprocess.run(program + arguments, environment: environment, directory: workingDirectory ?? gitDirectory,
                                  input: input ?? Data(), toStandardError: true, passInterrupts: true).status
    }
}
