import Foundation
import Testing
import TestSupport

@Suite(.scratchDirectory)
struct RandomKillTests {
    /// Kills `release cut` with SIGKILL at random moments of its work on a 3,000-commit
    /// history. Every outcome must be untouched, complete, or interrupted with a journal that
    /// `continue` completes and `abort` undoes exactly.
    @Test func everyKillLeavesTheRepositoryUntouchedCompleteOrResumable() throws {
        let template = try GitRepository(at: Scratch.directory.appendingPathComponent("template"))
        try HistoryGenerator(commits: 3000, seed: 99).generate(into: template)
        try template.git("merge", "-q", "--no-ff", "-m", "back-merge", "master")
        try template.commit("feat: the feature being released")
        #expect(try release("promote", in: template).status == 0)
        try template.git("checkout", "-q", "master")
        let before = try template.snapshot()

        func trial(_ name: String) throws -> GitRepository {
            let url = Scratch.directory.appendingPathComponent(name)
            let copy = try Command.run("/bin/cp", ["-a", template.path, url.path])
            #expect(copy.succeeded)
            return GitRepository(existing: url)
        }
        let timed = try trial("timed")
        let start = Date()
        let timedCut = try release("cut", "--date", "20261121", in: timed)
        #expect(timedCut.status == 0, "\(timedCut.stderr)")
        let duration = Date().timeIntervalSince(start)

        var outcomes: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        // Half the kills anywhere in the run, half near its end, where references move.
        let trials = 60
        for index in 0..<trials {
            let git = try trial("trial-\(index)")
            let window = index < trials / 2 ? 0...(duration * 1.1) : (duration * 0.6)...(duration * 1.05)
            let delay = Double.random(in: window, using: &generator)
            let process = try ReleaseBinary.start(["cut", "--date", "20261121"], in: git.url, environment: git.environment)
            usleep(useconds_t(delay * 1_000_000))
            ReleaseBinary.kill(process)
            let journal = FileManager.default.fileExists(atPath: git.url.appendingPathComponent(".git/release-journal.json").path)
            let tagged = !(try git.git("tag", "-l", "*-20261121")).isEmpty
            if journal {
                if index.isMultiple(of: 2) {
                    #expect(try release("continue", in: git).status == 0)
                    #expect(!(try git.git("tag", "-l", "*-20261121")).isEmpty)
                    #expect(try git.git("status", "--porcelain").isEmpty)
                    outcomes["interrupted, then continued", default: 0] += 1
                } else {
                    #expect(try release("abort", in: git).status == 0)
                    #expect(try git.snapshot() == before)
                    outcomes["interrupted, then aborted", default: 0] += 1
                }
            } else if tagged {
                #expect(try git.message("master").hasPrefix("ChangeLog for "))
                #expect(try git.git("status", "--porcelain").isEmpty)
                outcomes["complete", default: 0] += 1
            } else {
                #expect(try git.snapshot() == before, "killed after \(delay)s: neither untouched nor resumable")
                outcomes["untouched", default: 0] += 1
            }
            try git.git("fsck", "--no-dangling")
            try? FileManager.default.removeItem(at: git.url)
        }
        print("random kills of release cut (\(Int(duration * 1000)) ms per run): \(trials) tried:",
              outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        #expect(outcomes.values.reduce(0, +) == trials)
    }
}
