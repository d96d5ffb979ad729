
/// A misspelt key is silently ignored by git-config readers; release names it instead, with
/// the known key it most resembles.
public enum UnknownKeys {
    /// One warning per key under `[section]` that is not in `known` (full names, any case).
    /// Keys with a subsection (`nginx.app1.branch`) are checked by `allowsSubsection` instead.
    public static func warnings(in config: Config, section: String, known: [String],
                         allowsSubsection: (String, String) -> Bool = { _, _ in false }) throws -> [String] {
        let lowered = Dictionary(known.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var warnings: [String] = []
        for (name, _) in try config.entries(matching: "^" + section + "\\.") {
            let key = name.lowercased()
            if lowered[key] != nil { continue }
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count >= 3, allowsSubsection(parts.dropFirst().dropLast().joined(separator: "."), String(parts.last!).lowercased()) {
                continue
            }
            let nearest = known.min { distance(key, $0.lowercased()) < distance(key, $1.lowercased()) }
            let suggestion = nearest.flatMap { distance(key, $0.lowercased()) <= max(2, key.count / 3) ? " (did you mean \($0)?)" : nil }
            let warning = "warning: unknown configuration key \(name.clipped) is ignored\(suggestion ?? "")"
            if !warnings.contains(warning) { warnings.append(warning) }
        }
        return warnings
    }

    /// Levenshtein distance between two short strings.
    static func distance(_ one: String, _ two: String) -> Int {
        let a = Array(one.utf8), b = Array(two.utf8)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
