import Foundation
import GitKit

/// How a reload's outcome is known for certain: nginx's processes, its error log, and probes
/// through it.
extension NginxSwitch {
    /// Whether the probes can confirm a reload to `members`: every member says who it is, and
    /// what runs now answers in some way the target does not (from yun-app1 to `all`, every
    /// old answer is also a new one, so the probes cannot tell).
    func probesTell(_ members: [NginxSettings.Target], from current: NginxSwitchResult.State) -> Bool {
        guard !settings.probes.isEmpty, members.allSatisfy({ $0.answer != nil }) else { return false }
        let wanted = Set(members.compactMap(\.answer))
        let runningNow = settings.target(onBranch: current.branch).map(settings.members(of:)) ?? []
        let answeredNow = runningNow.compactMap(\.answer)
        return !answeredNow.isEmpty && answeredNow.contains { !wanted.contains($0) }
    }

    /// Why a reload did not take, and whether nginx applied it anyway.
    struct ReloadFailure: Error {
        let message: String
        let applied: Bool
    }

    /// The reload command returns before nginx applies it, and a configuration that passes
    /// `nginx -t` can still fail to apply. The outcome is decided only on a definitive sign:
    /// new workers, with every old one no longer accepting connections (success), or a final
    /// `[emerg]` (failure). nginx retries a busy port for about 2.5 s, logging each try, so
    /// those lines are not yet an outcome. Where the host cannot see nginx's processes, the
    /// probes decide; without probes, the error log is watched past the retries.
    /// `probesDecide`: the probes will tell the target's answers from others, so they confirm
    /// what the processes cannot.
    func reloadAndConfirm(before: NginxProcesses?, logOffset: UInt64?, probesDecide: Bool = false,
                          interrupted: () -> Bool = { false }) throws {
        let reload = try settings.reload.run()
        guard reload.status == 0 else {
            throw ReloadFailure(message: "the reload command (\(settings.reload)) failed: \(Self.essence(of: reload.output))", applied: false)
        }
        let started = now()
        let deadline = started.addingTimeInterval(settings.reloadTimeout)
        var applied = false
        while true {
            if let emergency = finalEmergency(since: logOffset) {
                throw ReloadFailure(message: "nginx could not apply the configuration: \(emergency)", applied: applied)
            }
            if let before {
                guard NginxProcesses.isAlive(before.master) else {
                    throw ReloadFailure(message: "the nginx master \(before.master) died during the reload", applied: false)
                }
                applied = applied || !Set(NginxProcesses.children(of: before.master)).subtracting(before.workers).isEmpty
                // Old workers close their listening sockets as they retitle themselves.
                if applied, before.workers.allSatisfy({ !NginxProcesses.isAlive($0) || NginxProcesses.isShuttingDown($0) }) {
                    return
                }
            } else if probesDecide || now().timeIntervalSince(started) >= min(3, settings.reloadTimeout) {
                return
            }
            if interrupted() { throw ReloadFailure(message: "interrupted while nginx reloaded", applied: true) }
            if now() >= deadline {
                throw ReloadFailure(message: applied ? "nginx's old workers kept accepting connections \(Int(settings.reloadTimeout)) s after the reload"
                                                     : "nginx started no new worker within \(Int(settings.reloadTimeout)) s of the reload",
                                    applied: applied)
            }
            usleep(10_000)
        }
    }

    /// With `nginx.probe` (one or more URLs), requests through nginx (sent at once, each on a new connection) must
    /// all be answered by the target's backends; asked again until they are, or until
    /// `nginx.reloadTimeout`, since a reload nginx has not finished still answers the old way.
    /// Where the processes are out of sight, one passing round is not enough: nginx's master
    /// lets old and new workers accept side by side for about 100 ms, so the answers must
    /// still all come from the target a while after they first did.
    func probeTraffic(reaching members: [NginxSettings.Target], logOffset: UInt64?, interrupted: () -> Bool) throws {
        guard !settings.probes.isEmpty else { return }
        let answers = members.compactMap(\.answer)
        let deadline = now().addingTimeInterval(settings.reloadTimeout)
        var firstPass: Date?
        while true {
            if let emergency = finalEmergency(since: logOffset) {
                throw ReloadFailure(message: "nginx could not apply the configuration: \(emergency)", applied: false)
            }
            do {
                for probe in settings.probes { try probeOnce(probe, answers: answers, members: members) }
                if settings.checkWorkers { return }
                if let firstPass, now().timeIntervalSince(firstPass) >= 0.3 { return }
                firstPass = firstPass ?? now()
                usleep(100_000)
            } catch let failure as ReloadFailure {
                firstPass = nil
                if now() >= deadline { throw failure }
                if interrupted() { throw ReloadFailure(message: "interrupted while probing", applied: true) }
                usleep(100_000)
            }
        }
    }

    private func probeOnce(_ probe: String, answers: [String], members: [NginxSettings.Target]) throws {
        let outcomes = ProbeResults(count: settings.probeRequests)
        let (timeout, headers) = (settings.probeTimeout, settings.probeHeaders)
        let finished = DispatchGroup()
        for index in 0..<settings.probeRequests {
            finished.enter()
            Thread.detachNewThread {
                outcomes.set(index, HTTPProbe.get(probe, timeout: timeout, headers: headers))
                finished.leave()
            }
        }
        finished.wait()
        for outcome in outcomes.values {
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                if !answers.isEmpty, !answers.contains(where: response.body.contains) {
                    throw ReloadFailure(message: "traffic does not reach only \(members.map(\.name).joined(separator: ", ")): \(probe) answered \(response.body.trimmingCharacters(in: .whitespacesAndNewlines))", applied: true)
                }
            case .success(let response):
                throw ReloadFailure(message: "\(probe) answered HTTP \(response.status) after the switch", applied: true)
            case .failure(let failure):
                throw ReloadFailure(message: "\(probe) failed after the switch: \(failure)", applied: true)
            }
        }
    }

    /// nginx's first serious line, without timestamp and pid: the part a user needs.
    static func essence(of output: String) -> String {
        let lines = output.split(whereSeparator: \.isNewline).map(String.init)
        let line = lines.first { $0.contains("[emerg]") || $0.contains("[alert]") || $0.contains("[crit]") || $0.contains("[error]") } ?? lines.first ?? ""
        guard let bracket = line.firstIndex(of: "[") else { return line }
        var text = String(line[bracket...])
        if let range = text.range(of: #"\d+#\d+: "#, options: .regularExpression) { text.removeSubrange(range) }
        return text
    }

    func errorLogSize() -> UInt64? {
        var info = stat()
        guard let path = settings.errorLog, stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }

    /// An earlier reload may still be retrying a busy port (its `bind()` lines keep coming for
    /// about 2.5 s): its messages must not be taken for this reload's. Waits, at most 3 s,
    /// until the error log's last such line is answered ("still could not bind") or old enough.
    func waitForEarlierReload() {
        guard let path = settings.errorLog else { return }
        let deadline = now().addingTimeInterval(3)
        while now() < deadline {
            var info = stat()
            guard stat(path, &info) == 0, let handle = FileHandle(forReadingAtPath: path) else { return }
            try? handle.seek(toOffset: UInt64(max(0, Int64(info.st_size) - 4096)))
            let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            try? handle.close()
            let emergencies = tail.split(separator: "\n").filter { $0.contains("[emerg]") }
            let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
            guard let last = emergencies.last, last.contains("bind() to"), !last.contains("still could not bind"),
                  now().timeIntervalSince(modified) < 3 else { return }
            usleep(100_000)
        }
    }

    /// The first `[emerg]` in the error log since `offset` that ends the reload. A failed
    /// `bind()` is retried by nginx and only final once it logs "still could not bind()"; the
    /// message then names the address from the last try.
    private func finalEmergency(since offset: UInt64?) -> String? {
        guard let path = settings.errorLog, let offset, let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let lines = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").filter { $0.contains("[emerg]") }
        let isRetry = { (line: Substring) in line.contains("bind() to") && line.contains("failed") }
        guard let final = lines.first(where: { !isRetry($0) }) else { return nil }
        if final.contains("still could not bind"), let lastTry = lines.last(where: isRetry) {
            return Self.essence(of: String(lastTry)) + ", still after nginx's retries"
        }
        return Self.essence(of: String(final))
    }
}
