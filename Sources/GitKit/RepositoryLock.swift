import Foundation

/// One writer per repository (release's own lock, beside git's). The lock is an advisory `flock` on `.git/release.lock`, which
/// the kernel releases when its holder dies, however it dies; the file says who holds it.
public final class RepositoryLock {
    public struct Holder: Codable, Equatable, Sendable {
        public let pid: Int32
        public let host: String
        public let since: Date
        public let command: String
    }

    private let descriptor: Int32
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        unlink(path)
        close(descriptor)
    }

    /// Takes the lock or refuses with who holds it. A lock file left by a dead process is
    /// taken over (its `flock` vanished with it).
    public static func acquire(in gitDirectory: String, command: String, now: Date) throws -> RepositoryLock {
        let path = gitDirectory + "release.lock"
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw ActionableError("could not open \(path): \(String(cString: strerror(errno)))",
                                   hint: "Check that the repository is writable.")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let holder = readHolder(descriptor)
                close(descriptor)
                throw busy(holder, path: path)
            }
            // The file may have been removed by the previous holder between open and flock.
            var opened = stat()
            var current = stat()
            guard fstat(descriptor, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino else {
                close(descriptor)
                continue
            }
            let holder = Holder(pid: getpid(), host: ProcessInfo.processInfo.hostName, since: now, command: command)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let data = (try? encoder.encode(holder)) ?? Data()
            ftruncate(descriptor, 0)
            _ = data.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            return RepositoryLock(descriptor: descriptor, path: path)
        }
    }

    private static func readHolder(_ descriptor: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(Holder.self, from: Data(buffer[0..<count]))
    }

    private static func busy(_ holder: Holder?, path: String) -> ActionableError {
        guard let holder else {
            return ActionableError("another release command is changing this repository (\(path) is locked)",
                                hint: "Wait for it to finish.")
        }
        let since = ISO8601DateFormatter().string(from: holder.since)
        return ActionableError("another release command is changing this repository: release \(holder.command), pid \(holder.pid) on \(holder.host) since \(since)",
                            hint: "Wait for it to finish; the lock goes away by itself when that process ends.")
    }
}
