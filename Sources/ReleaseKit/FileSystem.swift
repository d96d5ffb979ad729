import Foundation

/// File writes that never leave a half-written file behind.
public enum FileSystem {
    /// Writes a whole file under a temporary name, flushes it, then renames it into place.
    public static func replace(_ path: String, contents: Data) throws {
        let temporary = try writeTemporary(beside: path, contents: contents)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ReleaseError("could not write \(path): \(reason)", hint: "Check that the folder is writable.")
        }
    }

    /// Like `replace`, but fails when the file exists: it is never overwritten.
    static func createNew(_ path: String, contents: Data) throws {
        let temporary = try writeTemporary(beside: path, contents: contents)
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            let reason = errno == EEXIST ? "it already exists" : String(cString: strerror(errno))
            throw ReleaseError("could not create \(path): \(reason)", hint: "Move the existing file away or edit it.")
        }
    }

    private static func writeTemporary(beside path: String, contents: Data) throws -> String {
        let temporary = "\(path).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw ReleaseError("could not write \(temporary): \(String(cString: strerror(errno)))",
                               hint: "Check that the folder exists and is writable.")
        }
        defer { close(descriptor) }
        let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == contents.count, fsync(descriptor) == 0 else {
            unlink(temporary)
            throw ReleaseError("could not write \(temporary): \(String(cString: strerror(errno)))",
                               hint: "Check the free disk space.")
        }
        return temporary
    }

    /// `path` with every symbolic link resolved: `realpath` of its longest part that exists,
    /// followed by the rest; nil when a part is a symbolic link that leads nowhere.
    static func resolvingLinks(_ path: String) -> String? {
        var head = path
        var rest: [String] = []
        while !head.isEmpty, head != "/" {
            if let resolved = realpath(head, nil) {
                defer { free(resolved) }
                return ([String(cString: resolved)] + rest.reversed()).joined(separator: "/")
            }
            var status = stat()
            if lstat(head, &status) == 0 { return nil }
            rest.append((head as NSString).lastPathComponent)
            head = (head as NSString).deletingLastPathComponent
        }
        return path
    }

    /// `path` with its links resolved, or as given where a link leads nowhere.
    static func realPath(_ path: String) -> String {
        resolvingLinks(path) ?? path
    }
}
