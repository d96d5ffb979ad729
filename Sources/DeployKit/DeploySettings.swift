import Foundation
import GitKit
import NginxKit

/// How `release deploy` rolls a release out on this host. Read only from host configuration
/// (the nginx repository's `.git/config`, the user's and the system's git config), never from a
/// committed file: the publish command runs with the operator's rights.
public struct DeploySettings: Sendable {
    public enum Strategy: String, Codable, Sendable, CaseIterable {
        /// Half the instances out, published, live and soaked; then the other half.
        case halves
        /// One instance at a time: out, published, back, soaked.
        case oneByOne = "one-by-one"
    }

    /// `deploy.publish`: deploys one instance (`{instance}`, `{tag}`, `{version}`).
    public var publish: ConfiguredCommand?
    public var publishTimeout: TimeInterval = 600
    public var strategy = Strategy.halves
    /// Seconds of watching the access log after new code goes live.
    public var soak: TimeInterval = 60
    /// The share of 5xx answers from new instances that stops the deploy and rolls back.
    public var maxErrorRate = 0.01
    /// nginx's access log, written with a format holding `$status` and `$upstream_addr`.
    public var accessLog: String?
    /// Seconds a published instance has to answer its health URLs.
    public var healthWait: TimeInterval = 60
    /// Seconds to wait for requests in flight to instances taken out.
    public var drainTimeout: TimeInterval = 60
    public var warnings: [String] = []

    static let knownKeys = ["instances", "publish", "publishTimeout", "strategy", "soak", "maxErrorRate",
                            "accessLog", "healthWait", "drainTimeout", "publishTest"].map { "deploy." + $0 }
    public static let publishPlaceholders: Set = ["instance", "tag", "version"]

    public init(repository: Repository) throws {
        let config = try repository.config()
        if let text = try config.string("deploy.publish") {
            let command = try ConfiguredCommand(parsing: text, key: "deploy.publish")
            try Self.check(command, key: "deploy.publish", allowed: Self.publishPlaceholders)
            publish = command
        }
        if let text = try config.string("deploy.strategy") {
            guard let value = Strategy(rawValue: text) else {
                throw ActionableError("deploy.strategy = \(text.clipped) is not a strategy", hint: "Use halves or one-by-one.")
            }
            strategy = value
        }
        func seconds(_ key: String, allowZero: Bool = false) throws -> TimeInterval? {
            guard let text = try config.string("deploy." + key) else { return nil }
            guard let value = TimeInterval(text), allowZero ? value >= 0 : value > 0, value <= 86_400 else {
                throw ActionableError("deploy.\(key) = \(text.clipped) is not a number of seconds", hint: "Use e.g. 60.")
            }
            return value
        }
        publishTimeout = try seconds("publishTimeout") ?? publishTimeout
        soak = try seconds("soak", allowZero: true) ?? soak
        healthWait = try seconds("healthWait") ?? healthWait
        drainTimeout = try seconds("drainTimeout") ?? drainTimeout
        if let text = try config.string("deploy.maxErrorRate") {
            let number = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
            guard let number, (0...1).contains(number) else {
                throw ActionableError("deploy.maxErrorRate = \(text.clipped) is not a rate", hint: "Use a share such as 0.01, or 1%.")
            }
            maxErrorRate = number
        }
        accessLog = try config.string("deploy.accessLog").flatMap { $0.isEmpty ? nil : $0 }
        warnings = try UnknownKeys.warnings(in: config, section: "deploy", known: Self.knownKeys)
    }

    /// Refuses a `{placeholder}` the command cannot be given: it would reach the program as is.
    public static func check(_ command: ConfiguredCommand, key: String, allowed: Set<String>) throws {
        if let word = command.words.first(where: { $0.filter { $0 == "{" }.count != $0.filter { $0 == "}" }.count }) {
            throw ActionableError("\(key) has an unmatched brace in \(word.clipped)", hint: "Write placeholders whole, e.g. {instance}.")
        }
        if let unknown = command.placeholders.subtracting(allowed).sorted().first {
            throw ActionableError("\(key) uses {\(unknown.clipped)}, which release does not fill in",
                                  hint: "Placeholders: \(allowed.sorted().map { "{\($0)}" }.joined(separator: ", ")).")
        }
    }
}
