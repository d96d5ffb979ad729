import Foundation
import GitKit

/// nginx's processes as the kernel shows them in `/proc`: the master (from its pid file)
/// and its workers (its children).
public struct NginxProcesses: Equatable, Sendable, Codable {
    public let master: Int32
    public let workers: [Int32]

    /// What a pid file names.
    public enum Master: Equatable, Sendable {
        case running(NginxProcesses)
        /// A live process that is not an nginx master: a stale pid file whose number was
        /// reused. It must never be signalled.
        case notNginx(pid: Int32, command: String)
        case none
    }

    /// Reads the master pid from the pid file; it counts only if that process is an nginx
    /// master (its title, as nginx sets it: "nginx: master process …").
    public static func master(pidFile: String) -> Master {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), isAlive(pid)
        else { return .none }
        let title = commandLine(pid)
        guard title.hasPrefix("nginx: master process") else { return .notNginx(pid: pid, command: title) }
        return .running(NginxProcesses(master: pid, workers: children(of: pid)))
    }

    /// The master and its workers; nil when the pid file names no live nginx master.
    public static func read(pidFile: String) -> NginxProcesses? {
        if case .running(let processes) = master(pidFile: pidFile) { return processes }
        return nil
    }

    /// A process's command line with its arguments joined by spaces.
    static func commandLine(_ pid: Int32) -> String {
        let text = ProcFile.read("/proc/\(pid)/cmdline") ?? ""
        return text.split(separator: "\0").joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// A process that runs (an exited one nobody reaped yet, a zombie, does not).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let fields = statFields(pid) else { return false }
        return fields.state != "Z"
    }

    /// An old worker after a reload: it has closed its listening sockets and only finishes
    /// the requests it holds.
    static func isShuttingDown(_ pid: Int32) -> Bool {
        guard let title = ProcFile.read("/proc/\(pid)/cmdline") else { return true }
        return title.contains("shutting down")
    }

    /// Direct, live children of a process: from the kernel's own list when it keeps one
    /// (`/proc/<pid>/task/<pid>/children`), else by reading every process's parent.
    static func children(of parent: Int32) -> [Int32] {
        if let list = ProcFile.read("/proc/\(parent)/task/\(parent)/children") {
            return list.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                .filter { statFields($0)?.state != "Z" }.sorted()
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let fields = statFields(pid) else { return false }
            return fields.parent == parent && fields.state != "Z"
        }.sorted()
    }

    /// State and parent from `/proc/<pid>/stat`: "pid (comm) state ppid …".
    private static func statFields(_ pid: Int32) -> (state: Substring, parent: Int32)? {
        guard let stat = ProcFile.read("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let parent = Int32(fields[1]) else { return nil }
        return (fields[0], parent)
    }

    /// Which of `pids` still exist.
    static func alive(_ pids: [Int32]) -> [Int32] { pids.filter(isAlive) }
}

enum ProcFile {
    /// A `/proc` file to its end. They report a size of 0, and Foundation's readers stop short
    /// of long ones (`/proc/net/tcp` on a busy host), which would hide connections.
    static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
