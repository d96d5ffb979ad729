import Foundation

/// Builds a release-train history with `git fast-import`: feature branches merged into develop,
/// develop merged into testing, testing merged into master and tagged, hotfixes on master
/// merged back. Subjects cycle through ordinary and tricky messages. The same seed always
/// gives the same history.
public struct HistoryGenerator {
    public var commits: Int
    public var seed: UInt64
    /// How commit times advance: steadily, all in the same second (ties everywhere), or
    /// jumping back and forth (clock skew).
    public enum Clock: Sendable { case steady, sameSecond, skewed }
    public var clock = Clock.steady
    public var tagFormat: (Int) -> String = { "release1.\($0).0-pro-2020\(String(format: "%02d", $0 % 12 + 1))01" }

    public init(commits: Int, seed: UInt64 = 42) {
        self.commits = commits
        self.seed = seed
    }

    /// Imports the history into `repository` (which must be empty) and checks out develop.
    /// Returns the release tags made, oldest first.
    @discardableResult
    public func generate(into repository: GitRepository) throws -> [String] {
        var stream = Data()
        var random = SeededRandom(seed: seed)
        func next(_ bound: Int) -> Int { random.next(upTo: bound) }
        var mark = 0
        var time: Int64 = 1_600_000_000
        var tips: [String: Int] = [:]
        var tags: [String] = []
        let messages = TrickyMessages.all

        func emit(_ branch: String, message: Data, encoding: String? = nil, merge: Int? = nil) {
            mark += 1
            switch clock {
            case .steady: time += 60
            case .sameSecond: break
            case .skewed: time += Int64(next(7200)) - 3000
            }
            var header = "commit refs/heads/\(branch)\nmark :\(mark)\n"
            header += "author Author \(mark % 7) <a\(mark % 7)@example.com> \(time) +0000\n"
            header += "committer Committer <c@example.com> \(time) +0000\n"
            if let encoding { header += "encoding \(encoding)\n" }
            stream += Data(header.utf8)
            stream += Data("data \(message.count)\n".utf8) + message + Data("\n".utf8)
            if let parent = tips[branch] { stream += Data("from :\(parent)\n".utf8) }
            if let merge { stream += Data("merge :\(merge)\n".utf8) }
            let content = "\(branch) \(mark)\n"
            stream += Data("M 644 inline \(branch.replacingOccurrences(of: "/", with: "-")).txt\ndata \(content.utf8.count)\n\(content)\n".utf8)
            tips[branch] = mark
        }
        func work(_ branch: String) {
            if next(5) == 0 {
                let sample = messages[next(messages.count)]
                emit(branch, message: sample.message, encoding: sample.encoding)
            } else {
                let kinds = ["feat", "fix", "docs", "refactor", "chore", "perf", "Update", "Add"]
                let kind = kinds[next(kinds.count)]
                let text = kind.first!.isUppercase ? "\(kind) item \(mark)" : "\(kind)(area\(next(4))): change \(mark)"
                emit(branch, message: Data("\(text)\n\nBody of \(mark).\n".utf8))
            }
        }

        emit("master", message: Data("initial commit\n".utf8))
        tips["testing"] = tips["master"]
        tips["develop"] = tips["master"]
        var release = 0
        var feature = 0
        while mark < commits {
            switch next(10) {
            case 0...5:
                work("develop")
            case 6, 7:
                feature += 1
                let name = "feature/f\(feature)"
                tips[name] = tips["develop"]
                for _ in 0..<(1 + next(4)) { work(name) }
                if next(3) == 0 { work("develop") }
                emit("develop", message: Data("Merge branch '\(name)' into develop\n".utf8), merge: tips[name])
            case 8:
                emit("testing", message: Data("Merge branch 'develop' into testing\n".utf8), merge: tips["develop"])
            default:
                emit("master", message: Data("Merge branch 'testing'\n".utf8), merge: tips["testing"])
                release += 1
                let tag = tagFormat(release)
                let message = "\(tag)\n"
                stream += Data("tag \(tag)\nfrom :\(tips["master"]!)\ntagger Releaser <r@example.com> \(time) +0000\ndata \(message.utf8.count)\n\(message)\n".utf8)
                tags.append(tag)
                if next(3) == 0 {
                    work("master")
                    emit("develop", message: Data("Merge branch 'master' into develop\n".utf8), merge: tips["master"])
                }
            }
        }
        stream += Data("done\n".utf8)
        try repository.git(["fast-import", "--quiet", "--done"], input: stream)
        try repository.git("checkout", "-q", "-f", "develop")
        return tags
    }
}
