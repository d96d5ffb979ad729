import Foundation

/// Test hooks, like git's GIT_TEST_* variables: `RELEASE_TEST_CRASH_AT=<step>` kills the
/// process with SIGKILL when it reaches that step, `RELEASE_TEST_PAUSE_AT=<step>` makes it wait
/// there until killed, so tests can prove every interruption is resumable or undoable and
/// that a running writer keeps others out. Release steps: journal-written, moved-N,
/// tree-updated; nginx steps: nginx-checked-out, nginx-validated, nginx-reloaded.
public enum CrashPoint {
    public static func reached(_ step: String, _ environment: [String: String]) {
        if environment["RELEASE_TEST_CRASH_AT"] == step { kill(getpid(), SIGKILL) }
        if environment["RELEASE_TEST_PAUSE_AT"] == step {
            FileHandle.standardError.write(Data("paused at \(step)\n".utf8))
            while true { sleep(60) }
        }
    }
}
