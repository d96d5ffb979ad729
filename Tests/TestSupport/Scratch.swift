import Foundation
import Testing

/// A fresh folder per test, removed afterwards, as a Swift Testing trait:
/// `@Test(.scratchDirectory) func …` then `Scratch.directory` inside the test.
public enum Scratch {
    @TaskLocal public static var directory = URL(fileURLWithPath: "/nonexistent-scratch")

    /// Writes a script (executable unless told otherwise) through a descriptor no other
    /// program inherits: tests start programs from many threads at once, and one started while
    /// a script was open for writing would keep it open, so running the script would fail
    /// with "Text file busy" (ETXTBSY).
    public static func writeScript(_ text: String, to url: URL, executable: Bool = true) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        let bytes = Array(text.utf8)
        let written = write(descriptor, bytes, bytes.count)
        close(descriptor)
        guard written == bytes.count, chmod(url.path, executable ? 0o755 : 0o644) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// A new sub-folder of the current test's scratch folder.
    public static func folder(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

public struct ScratchDirectory: TestTrait, SuiteTrait, TestScoping {
    /// On a suite, every test (and every argument of a parameterised test) gets its own folder.
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        TestEnvironment.isolate()
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("release-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try await Scratch.$directory.withValue(url.resolvingSymlinksInPath()) {
            try await function()
        }
    }
}

extension Trait where Self == ScratchDirectory {
    public static var scratchDirectory: ScratchDirectory { ScratchDirectory() }
}

/// Keeps the machine's own git configuration out of every test: the test process and every
/// command it runs see an empty HOME and no system configuration.
public enum TestEnvironment {
    public static let home: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("release-tests-home-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Gone with the test process, like every scratch folder.
        atexit { try? FileManager.default.removeItem(at: TestEnvironment.home) }
        return url
    }()

    private static let isolated: Void = {
        setenv("HOME", home.path, 1)
        setenv("XDG_CONFIG_HOME", home.appendingPathComponent(".config").path, 1)
        setenv("GIT_CONFIG_NOSYSTEM", "1", 1)
    }()

    public static func isolate() { _ = isolated }

    /// The environment for commands a test runs: isolated configuration, a fixed identity.
    public static func variables(home: URL? = nil) -> [String: String] {
        isolate()
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = (home ?? TestEnvironment.home).path
        environment["XDG_CONFIG_HOME"] = (home ?? TestEnvironment.home).appendingPathComponent(".config").path
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Test Author"
        environment["GIT_AUTHOR_EMAIL"] = "author@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test Committer"
        environment["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        environment["TZ"] = "UTC"
        environment["LC_ALL"] = "C"
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "EDITOR", "VISUAL"] {
            environment[key] = nil
        }
        return environment
    }
}
