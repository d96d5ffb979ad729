import Foundation
import Testing
import TestSupport

/// What `scripts/install` and `scripts/package` produce. `scripts/test` builds both after the
/// other tests (a release build cannot run while `swift test` holds the build folder) and
/// names them in RELEASE_TEST_INSTALLED and RELEASE_TEST_PACKAGE.
@Suite(.scratchDirectory)
struct PackageTests {
    static let installed = ProcessInfo.processInfo.environment["RELEASE_TEST_INSTALLED"]
    static let package = ProcessInfo.processInfo.environment["RELEASE_TEST_PACKAGE"]

    static let completions = [
        "share/bash-completion/completions/release",
        "share/zsh/site-functions/_release",
        "share/fish/vendor_completions.d/release.fish",
    ]

    @Test(.enabled(if: installed != nil, "run by scripts/test"))
    func theInstalledBinaryRunsWithTheSwiftRuntimeAndLibgit2LinkedIn() throws {
        let binary = Self.installed! + "/bin/release"
        try expectRuns(binary)
        let libraries = try Command.run("/usr/bin/ldd", [binary]).stdout
        // libgit2 comes without the shared libraries it would connect with (CLibGit2Offline).
        for library in ["libswift", "libFoundation", "libgit2", "libssh2", "libcrypto", "libmbed", "libgssapi", "libhttp_parser"] {
            #expect(!libraries.contains(library), "\(library): \(libraries)")
        }
        // Its stand-ins for libssh2 and GSSAPI are hidden: a library loaded later finds the real ones.
        let exported = try Command.run("/usr/bin/nm", ["-D", "--defined-only", binary]).stdout
        for prefix in [" libssh2_", " gss_", " mbedtls_", " git_"] {
            #expect(!exported.contains(prefix), "\(prefix) exported")
        }
    }

    @Test(.enabled(if: installed != nil, "run by scripts/test"))
    func theManPageHasEveryCommandAndRendersCleanly() throws {
        let page = Self.installed! + "/share/man/man1/release.1"
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.contains(".Dt RELEASE 1"))
        for command in try commandNames() {
            #expect(text.contains(".It Em \(command)\n"), "\(command) has its entry")
        }
        let rendered = try Command.run("/usr/bin/env", ["groff", "-mandoc", "-Tutf8", "-ww", "-z", page])
        #expect(rendered.status == 0 && rendered.stderr.isEmpty, "\(rendered.stderr)")
    }

    @Test(.enabled(if: installed != nil, "run by scripts/test"))
    func bashCompletesCommandsAndTheirOptions() throws {
        let script = Self.installed! + "/" + Self.completions[0]
        func complete(_ words: String) throws -> [String] {
            let shell = """
                source '\(script)'
                COMP_WORDS=(\(words)); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                _release release "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try Command.run("/bin/bash", ["-c", shell])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try complete("release cu") == ["cut"])
        #expect(try complete("release cut --pu") == ["--push"])
        #expect(try complete("release deploy run --st") == ["--strategy"])
        #expect(try complete("release cut --bump ''").sorted() == ["auto", "major", "minor", "patch"])
        #expect(try complete("release cut --bump a") == ["auto"])
        for file in Self.completions.dropFirst() {
            let text = try String(contentsOfFile: Self.installed! + "/" + file, encoding: .utf8)
            #expect(text.contains("switch-nginx") && text.contains("next-version"), "\(file)")
        }
    }

    @Test(.enabled(if: package != nil, "run by scripts/test"))
    func theDebianPackageHoldsTheFilesAndItsBinaryRuns() throws {
        let package = Self.package!
        let depends = try Command.run("/usr/bin/dpkg-deb", ["--field", package, "Depends"]).stdout
        #expect(depends.range(of: #"^libdeflate[0-9]+ \(>= [0-9.]+\), libpcre2-8-0 \(>= [0-9.]+\), zlib1g \(>= [0-9:.a-z]+\), git"#, options: .regularExpression) != nil, "\(depends)")
        let listing = try Command.run("/usr/bin/dpkg-deb", ["--contents", package]).stdout
        for path in ["./usr/bin/release", "./usr/share/man/man1/release.1.gz", "./usr/share/bash-completion/completions/release",
                     "./usr/share/zsh/vendor-completions/_release", "./usr/share/fish/vendor_completions.d/release.fish"] {
            #expect(listing.contains(" \(path)\n"), "\(path) in the package")
        }
        // Its dependencies resolve on this machine (apt only simulates the installation).
        let simulated = try Command.run("/usr/bin/apt-get", ["install", "--simulate", package])
        #expect(simulated.status == 0 && simulated.stdout.contains("Inst release "), "\(simulated.stdout)\(simulated.stderr)")

        let root = try Scratch.folder("unpacked")
        #expect(try Command.run("/usr/bin/dpkg-deb", ["--extract", package, root.path]).status == 0)
        try expectRuns(root.path + "/usr/bin/release")
        let version = try Command.run("/usr/bin/dpkg-deb", ["--field", package, "Version"]).stdout
        #expect(version.first?.isNumber == true, "a Debian version starts with a digit: \(version)")
        let page = try Command.run("/bin/gzip", ["-dc", root.path + "/usr/share/man/man1/release.1.gz"])
        #expect(page.stdout.contains(".Dt RELEASE 1"))
    }

    /// `--version` answers what this build says, and a real command works in a scratch repository.
    private func expectRuns(_ binary: String) throws {
        let version = try Command.run(binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == (try ReleaseBinary.run(["--version"], in: Scratch.directory).stdout))
        let git = try flowRepository()
        let next = try Command.run(binary, ["next-version", "--date", "20261122"], in: git.url, environment: git.environment)
        #expect(next.stdout == "release1.0.1-pro-20261122\n", "\(next.stderr)")
    }

    /// Every command and subcommand name in the tree argument-parser describes.
    private func commandNames() throws -> [String] {
        let dump = try ReleaseBinary.run(["--experimental-dump-help"], in: Scratch.directory).stdoutBytes
        let root = try #require(try JSONSerialization.jsonObject(with: dump) as? [String: Any])
        func names(_ command: [String: Any]) -> [String] {
            let subcommands = command["subcommands"] as? [[String: Any]] ?? []
            return subcommands.flatMap { [$0["commandName"] as? String ?? "?"] + names($0) }
        }
        return names(try #require(root["command"] as? [String: Any]))
    }
}
