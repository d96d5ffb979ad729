import CLibGit2

/// A read-only view of git configuration: one file, or every level git reads for a repository.
public final class Config {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { git_config_free(pointer) }

    /// Parses one file in git-config syntax (like `.gitmodules`); a syntax error throws with its line.
    public static func file(at path: String) throws -> Config {
        _ = libgit2
        var handle: OpaquePointer?
        try GitError.check(git_config_open_ondisk(&handle, path), "read \(path)")
        return Config(pointer: handle!)
    }

    /// The user's and the system's configuration (global, XDG, system), without any repository.
    public static func userAndSystem() throws -> Config {
        _ = libgit2
        var handle: OpaquePointer?
        try GitError.check(git_config_open_default(&handle), "read the git configuration")
        return try snapshot(of: handle!)
    }

    static func snapshot(of live: OpaquePointer) throws -> Config {
        defer { git_config_free(live) }
        var snapshot: OpaquePointer?
        try GitError.check(git_config_snapshot(&snapshot, live), "read the git configuration")
        return Config(pointer: snapshot!)
    }

    /// The last value of a key, or nil when no level sets it.
    public func string(_ key: String) throws -> String? {
        var entry: UnsafeMutablePointer<git_config_entry>?
        let result = git_config_get_entry(&entry, pointer, key)
        if git_error_code(result) == GIT_ENOTFOUND { return nil }
        try GitError.check(result, "read \(key)")
        defer { git_config_entry_free(entry) }
        guard let value = entry!.pointee.value else {
            // `[section]` then a bare `key` line: git reads it as a boolean true, never as text.
            throw GitError(code: .invalidSpec, message: "\(key) has no value")
        }
        return String(cString: value)
    }

    /// A boolean key read with git's rules (`true`/`yes`/`on`/`1`…); nil when unset.
    public func bool(_ key: String) throws -> Bool? {
        var entry: UnsafeMutablePointer<git_config_entry>?
        let found = git_config_get_entry(&entry, pointer, key)
        if git_error_code(found) == GIT_ENOTFOUND { return nil }
        try GitError.check(found, "read \(key)")
        git_config_entry_free(entry)
        var value: Int32 = 0
        try GitError.check(git_config_get_bool(&value, pointer, key), "read \(key)")
        return value != 0
    }

    /// Every value of a key that may be given several times, in file order.
    public func strings(_ key: String) throws -> [String] {
        // git keeps section and variable names in lower case (a subsection as written).
        var parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 2 {
            parts[0] = parts[0].lowercased()
            parts[parts.count - 1] = parts[parts.count - 1].lowercased()
        }
        return try entries(matching: "^" + Config.escapeRegex(parts.joined(separator: ".")) + "$").map(\.value)
    }

    /// Every entry whose name matches the regular expression, in the order git reads them.
    public func entries(matching regex: String) throws -> [(name: String, value: String)] {
        var iterator: OpaquePointer?
        try GitError.check(git_config_iterator_glob_new(&iterator, pointer, regex), "read the configuration")
        defer { git_config_iterator_free(iterator) }
        var found: [(name: String, value: String)] = []
        while true {
            var entry: UnsafeMutablePointer<git_config_entry>?
            let result = git_config_next(&entry, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try GitError.check(result, "read the configuration")
            found.append((String(cString: entry!.pointee.name), entry!.pointee.value.map { String(cString: $0) } ?? "true"))
        }
        return found
    }

    private static func escapeRegex(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension Repository {
    /// The configuration git uses for this repository: local, global, XDG and system levels.
    public func config() throws -> Config {
        var handle: OpaquePointer?
        try GitError.check(git_repository_config(&handle, pointer), "read the repository configuration")
        return try Config.snapshot(of: handle!)
    }
}
