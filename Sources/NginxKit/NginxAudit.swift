import Foundation
import GitKit

/// One line of the audit log: who switched what, when, and how it ended.
public struct NginxAuditRecord: Codable, Sendable {
    public let time: Date
    public let `operator`: String
    public let host: String
    public let from: NginxSwitchResult.State
    public let to: NginxSwitchResult.State?
    public let result: String
    public let reason: String?

    static func read(_ line: Substring) -> NginxAuditRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(NginxAuditRecord.self, from: Data(line.utf8))
    }
}

extension NginxSwitch {
    /// One JSON line per attempt, appended in a single write.
    func audit(from: NginxSwitchResult.State, to: NginxSwitchResult.State?, result: String, reason: String?) {
        appendToAuditLog(NginxAuditRecord(
            time: now(), operator: Repository.operatorName(environment),
            host: ProcessInfo.processInfo.hostName, from: from, to: to, result: result, reason: reason))
    }

    /// Appends `entry` to the audit log as one JSON line, in a single write.
    public func appendToAuditLog<Entry: Encodable>(_ entry: Entry) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard var line = try? encoder.encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        let descriptor = open(settings.auditLog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            progress("warning: could not append to the audit log \(settings.auditLog): \(String(cString: strerror(errno)))")
            return
        }
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}
