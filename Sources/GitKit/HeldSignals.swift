import Foundation

/// SIGINT and SIGTERM held for a while and looked at when it suits: an nginx switch between
/// its steps (an operator's Ctrl-C, or a stopping service manager, ends it with the repository
/// back where nginx's running commit is, never half-way), a program release waits for (the
/// signal is passed on to it, and release reports what was interrupted).
public struct HeldSignals {
    private var previous = sigset_t()

    public static func hold() -> HeldSignals {
        var held = HeldSignals()
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_BLOCK, &set, &held.previous)
        return held
    }

    /// The held signal that arrived, if any.
    public var pending: Int32? {
        var set = sigset_t()
        sigpending(&set)
        return [SIGINT, SIGTERM].first { sigismember(&set, $0) == 1 }
    }

    /// Takes a held signal that arrived off the queue: the switch has acted on it (rolled
    /// back, or finished), so it must not end the process before the outcome is told.
    public func consume() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        var none = timespec(tv_sec: 0, tv_nsec: 0)
        while pending != nil, sigtimedwait(&set, nil, &none) > 0 {}
    }

    /// Lets held signals through again, once any that arrived have been acted on.
    public func release() {
        consume()
        var previous = self.previous
        sigprocmask(SIG_SETMASK, &previous, nil)
    }
}
