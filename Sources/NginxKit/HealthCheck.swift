import Foundation

/// One backend's answer to its health URL.
public struct HealthCheck: Codable, Sendable, Equatable {
    public let target: String
    public let url: String
    public let ok: Bool
    public let detail: String

    /// Asks each backend's health URL once, all at the same time: healthy means a 2xx answer
    /// within `timeout` (from connecting to the last byte).
    public static func probe(_ urls: [(url: String, target: String)], timeout: TimeInterval) -> [HealthCheck] {
        var seen = Set<String>()
        let unique = urls.filter { seen.insert($0.url).inserted }
        let results = ProbeResults(count: unique.count)
        let finished = DispatchGroup()
        for (index, entry) in unique.enumerated() {
            finished.enter()
            Thread.detachNewThread {
                results.set(index, HTTPProbe.get(entry.url, timeout: timeout))
                finished.leave()
            }
        }
        finished.wait()
        return zip(unique, results.values).map { entry, outcome in
            switch outcome {
            case .success(let response):
                HealthCheck(target: entry.target, url: entry.url, ok: (200..<300).contains(response.status), detail: "HTTP \(response.status)")
            case .failure(let failure):
                HealthCheck(target: entry.target, url: entry.url, ok: false, detail: failure.description)
            }
        }
    }
}

/// Probe answers collected from concurrent requests.
final class ProbeResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<HTTPProbe.Response, HTTPProbe.Failure>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<HTTPProbe.Response, HTTPProbe.Failure>) {
        lock.withLock { results[index] = result }
    }

    var values: [Result<HTTPProbe.Response, HTTPProbe.Failure>] { lock.withLock { results.compactMap { $0 } } }
}
