import Foundation
import GitKit

/// Where the running nginx keeps its pid file and error log, resolved as nginx resolves them:
/// the `pid` and `error_log` directives of the effective configuration (`nginx -T` through the
/// validate command, so includes count), relative paths against nginx's prefix (`-p`, else the
/// compiled one from `nginx -V`), and the compiled defaults when a directive is absent.
struct NginxPaths {
    var pidFile: String?
    /// nil when nginx logs errors to stderr or syslog, or where it could not be found.
    var errorLog: String?
    /// Said once when the error log cannot be watched.
    var note: String?

    static func resolve(validate: ConfiguredCommand) -> NginxPaths? {
        guard let dumpCommand = validate.replacingTestFlag(with: "-T"),
              let dump = try? dumpCommand.runSeparately(timeout: 20), dump.status == 0 else { return nil }
        let build = validate.replacingTestFlag(with: "-V").flatMap { try? $0.runSeparately(timeout: 20) }
        let compiled = String(decoding: (build?.stdout ?? Data()) + (build?.stderr ?? Data()), as: UTF8.self)
        func option(_ name: String) -> String? {
            compiled.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("--\(name)=") }.map { String($0.dropFirst(name.count + 3)) }
        }
        let prefix = validate.value(after: "-p") ?? option("prefix") ?? "/usr/share/nginx/"
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : (prefix as NSString).appendingPathComponent(path)
        }
        let main = NginxConfigFile(text: mainFile(of: String(decoding: dump.stdout, as: UTF8.self)))
        var paths = NginxPaths()
        paths.pidFile = (main.topLevel("pid") ?? option("pid-path")).map(absolute)
        let errorLog = main.topLevel("error_log") ?? option("error-log-path")
        if let errorLog, errorLog == "stderr" || errorLog.hasPrefix("syslog:") || errorLog.hasPrefix("memory:") {
            paths.note = "nginx logs errors to \(errorLog.hasPrefix("syslog:") ? "syslog" : errorLog): confirming reloads by workers and probes only"
        } else {
            paths.errorLog = errorLog.map(absolute)
        }
        return paths
    }

    /// The first file of an `nginx -T` dump: the main configuration, whose top level holds
    /// `pid` and `error_log`.
    static func mainFile(of dump: String) -> String {
        var lines: [Substring] = []
        var started = false
        for line in dump.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# configuration file ") {
                if started { break }
                started = true
                continue
            }
            if started { lines.append(line) }
        }
        return lines.joined(separator: "\n")
    }
}
