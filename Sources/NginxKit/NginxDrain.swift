import Foundation
import GitKit

extension NginxSwitch {
    /// Waits until nothing is in flight to the backends the switch removed: no connection
    /// from nginx's processes to their addresses (per backend, whatever runs on the others),
    /// and no worker of an earlier configuration still finishing requests. Where nginx's
    /// sockets cannot be read, until every worker from before the switch has exited.
    public func drain(_ result: NginxSwitchResult, timeout: TimeInterval) throws {
        let deadline = now().addingTimeInterval(timeout)
        let started = now()
        var lastReport = Date.distantPast
        while true {
            let left = remainingWork(result)
            if left.isEmpty { return }
            if now() >= deadline {
                throw ActionableError("still in flight after \(Int(timeout)) s: \(left.joined(separator: "; "))",
                                      hint: "Wait before stopping the removed backends; switch-nginx \(result.target) --drain=SECONDS waits again.")
            }
            if now().timeIntervalSince(lastReport) >= 1 {
                progress("draining (\(String(format: "%.0f", now().timeIntervalSince(started))) s): \(left.joined(separator: "; "))")
                lastReport = now()
            }
            usleep(50_000)
        }
    }

    /// What a drain still waits for, one phrase each; empty when drained.
    private func remainingWork(_ result: NginxSwitchResult) -> [String] {
        // Workers of an earlier configuration: those this switch replaced, and any an earlier
        // reload left finishing requests ("shutting down").
        let processes = settings.checkWorkers ? NginxProcesses.read(pidFile: settings.pidFile) : nil
        let replaced = result.result == "switched" ? NginxProcesses.alive(result.workersBefore) : []
        let old = Array(Set(replaced + (processes?.workers.filter(NginxProcesses.isShuttingDown) ?? []))).sorted()
        let oldWorkers = old.isEmpty ? [] : ["\(old.count) old worker(s) (pid \(old.map(String.init).joined(separator: ", ")))"]
        guard let processes, !result.removedBackends.isEmpty,
              let counts = BackendConnections.count(to: result.removedBackends, from: [processes.master] + processes.workers)
        else { return oldWorkers }
        return counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value) connection(s)" }
    }
}
