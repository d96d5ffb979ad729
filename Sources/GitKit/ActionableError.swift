/// A refusal or failure a user can act on, from a part of the code that knows nothing of
/// releases (running a program, the lock, nginx): what was wrong, then what to do.
public struct ActionableError: Error, Equatable, Sendable {
    public let message: String
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

extension ActionableError {
    /// Any error as one line of text for a message.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ActionableError: error.message
        case let error as GitError: error.message
        default: "\(error)"
        }
    }
}

extension StringProtocol {
    /// The text as an error message quotes it: a value pasted into the configuration can be
    /// any length, and an error must stay a line or two.
    public var clipped: String { clipped(80) }

    public func clipped(_ limit: Int) -> String {
        count <= limit ? String(self) : String(prefix(limit - 20)) + "… (\(count) characters)"
    }
}
