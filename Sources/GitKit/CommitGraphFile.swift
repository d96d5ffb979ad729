import CLibGit2
import Foundation

/// git's commit-graph (`objects/info/commit-graph`, or the layers of
/// `objects/info/commit-graphs/commit-graph-chain`): each commit's parents and committer date
/// without inflating the commit. libgit2 1.5 does not read it for walks, so GitKit does, for the
/// walks alone. Anything unexpected in a file (another version or hash, a chunk out of bounds)
/// makes release ignore the graph and read commits as before; commits made after the graph
/// was written are simply not in it.
final class CommitGraphFile: @unchecked Sendable {
    /// One file of the chain, mapped read-only.
    private struct Layer {
        let file: MappedFile
        /// Where the chunks end: the checksum follows.
        let end: Int
        let fanout: Int
        let ids: Int
        let data: Int
        let edges: Int?
        let count: UInt32
        /// Commits in the layers before this one: positions are global across the chain.
        let offset: UInt32

        var base: UnsafeRawPointer { file.base }
    }

    private let layers: [Layer]
    let count: UInt32

    private static let noParent: UInt32 = 0x7000_0000

    /// The graph of a repository, or nil when it has none git would use.
    static func open(_ repository: Repository) -> CommitGraphFile? {
        let enabled = (try? repository.config().bool("core.commitGraph")) ?? true
        guard !repository.isShallow, let objects = repository.ownObjectsDirectory, enabled else { return nil }
        // Like git: the single file when there is one, else the chain.
        let info = objects + "/info/"
        if FileManager.default.fileExists(atPath: info + "commit-graph") { return CommitGraphFile([(info + "commit-graph", nil)]) }
        guard let chain = try? String(contentsOfFile: info + "commit-graphs/commit-graph-chain", encoding: .utf8) else { return nil }
        let hashes = chain.split(whereSeparator: \.isNewline).map(String.init)
        guard !hashes.isEmpty, hashes.allSatisfy({ $0.utf8.count == 40 && $0.utf8.allSatisfy(\.isHexDigit) }) else { return nil }
        return CommitGraphFile(hashes.map { (info + "commit-graphs/graph-\($0).graph", $0) })
    }

    /// `files`: each path with, for a chain's layers, the hash its name gives.
    private init?(_ files: [(path: String, hash: String?)]) {
        var offset: UInt32 = 0
        var layers: [Layer] = []
        for (index, file) in files.enumerated() {
            let bases = files.prefix(index).compactMap(\.hash)
            guard let layer = CommitGraphFile.map(file.path, offset: offset, hash: file.hash, bases: bases) else {
                CommitGraphFile.unmap(layers)
                return nil
            }
            layers.append(layer)
            // Positions must stay below the 0x70000000 git uses for "no parent".
            guard case (let next, false) = offset.addingReportingOverflow(layer.count), next < 0x7000_0000 else {
                CommitGraphFile.unmap(layers)
                return nil
            }
            offset = next
        }
        self.layers = layers
        count = offset
    }

    deinit { CommitGraphFile.unmap(layers) }

    private static func unmap(_ layers: [Layer]) {
        for layer in layers { layer.file.unmap() }
    }

    /// Maps one file and checks its structure as far as it is cheap to: the header, every chunk
    /// inside the file, the fanout in order and the ids sorted within their fanout buckets,
    /// and, for a chain's layer, its checksum matching its name and its bases the layers
    /// before it. A damaged graph is ignored, never half-trusted.
    private static func map(_ path: String, offset: UInt32, hash: String?, bases: [String]) -> Layer? {
        guard let file = MappedFile(path) else { return nil }
        let (base, length) = (file.base, file.length)
        func fail() -> Layer? { file.unmap(); return nil }
        guard length >= 8 + 12 + 20 else { return fail() }
        // "CGPH", version 1, SHA-1, chunk count, base-graph count.
        guard base.word(at: 0) == 0x4347_5048, base.load(fromByteOffset: 4, as: UInt8.self) == 1,
              base.load(fromByteOffset: 5, as: UInt8.self) == 1,
              Int(base.load(fromByteOffset: 7, as: UInt8.self)) == bases.count else { return fail() }
        let chunkCount = Int(base.load(fromByteOffset: 6, as: UInt8.self))
        guard 8 + (chunkCount + 1) * 12 <= length else { return fail() }
        var chunks: [UInt32: (start: Int, end: Int)] = [:]
        for index in 0..<chunkCount {
            let entry = 8 + index * 12
            let start = base.loadUnaligned(fromByteOffset: entry + 4, as: UInt64.self).bigEndian
            let end = base.loadUnaligned(fromByteOffset: entry + 16, as: UInt64.self).bigEndian
            guard start <= end, end <= UInt64(length - 20) else { return fail() }
            chunks[base.word(at: entry)] = (Int(start), Int(end))
        }
        // A chain's layer is named by its checksum, the file's last 20 bytes.
        if let hash {
            let trailer = UnsafeRawBufferPointer(start: base + length - 20, count: 20)
            guard hex(trailer) == hash.lowercased() else { return fail() }
        }
        // BASE lists the layers below, in order.
        if !bases.isEmpty {
            guard let listed = chunks[0x4241_5345], listed.end - listed.start == bases.count * 20 else { return fail() }
            let raw = UnsafeRawBufferPointer(start: base + listed.start, count: bases.count * 20)
            guard hex(raw) == bases.joined().lowercased() else { return fail() }
        }
        // OIDF (fanout), OIDL (ids), CDAT (commit data), EDGE (octopus parents, optional).
        guard let fanout = chunks[0x4F49_4446], fanout.end - fanout.start == 256 * 4,
              let ids = chunks[0x4F49_444C], let data = chunks[0x4344_4154] else { return fail() }
        let count = base.word(at: fanout.start + 255 * 4)
        guard count < 0x7000_0000, ids.end - ids.start == Int(count) * 20, data.end - data.start == Int(count) * 36 else { return fail() }
        var bucketStart: UInt32 = 0
        for bucket in 0..<256 {
            let bucketEnd = base.word(at: fanout.start + bucket * 4)
            guard bucketEnd >= bucketStart, bucketEnd <= count else { return fail() }
            for index in Int(bucketStart)..<Int(bucketEnd) {
                let id = base + ids.start + index * 20
                guard id.load(as: UInt8.self) == UInt8(bucket),
                      index == 0 || memcmp(id - 20, id, 20) < 0 else { return fail() }
            }
            bucketStart = bucketEnd
        }
        return Layer(file: file, end: length - 20, fanout: fanout.start, ids: ids.start, data: data.start,
                     edges: chunks[0x4544_4745].map(\.start), count: count, offset: offset)
    }

    /// The global position of a commit, or nil when the graph does not have it.
    func position(of id: OID) -> UInt32? {
        var id = id
        return withUnsafeBytes(of: &id.raw) { key -> UInt32? in
            for layer in layers.reversed() {
                if let found = OID.position(of: key, fanout: layer.base + layer.fanout, ids: layer.base + layer.ids) {
                    return layer.offset + UInt32(found)
                }
            }
            return nil
        }
    }

    private func layer(of position: UInt32) -> (Layer, Int)? {
        for layer in layers where position >= layer.offset && position < layer.offset + layer.count {
            return (layer, Int(position - layer.offset))
        }
        return nil
    }

    func id(at position: UInt32) -> OID? {
        guard let (layer, index) = layer(of: position) else { return nil }
        var raw = git_oid()
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: UnsafeRawBufferPointer(start: layer.base + layer.ids + index * 20, count: 20)) }
        return OID(raw)
    }

    /// The topological level git records (0: not computed, by an old git).
    func generation(at position: UInt32) -> UInt32 {
        guard let (layer, index) = layer(of: position) else { return 0 }
        return layer.base.word(at: layer.data + index * 36 + 28) >> 2
    }

    /// Parents (as positions) and committer time; nil when the entry points outside the graph.
    func commit(at position: UInt32) -> (parents: [UInt32], time: Int64)? {
        guard let (layer, index) = layer(of: position) else { return nil }
        let entry = layer.data + index * 36 + 20
        let first = layer.base.word(at: entry)
        let second = layer.base.word(at: entry + 4)
        let high = layer.base.word(at: entry + 8)
        let low = layer.base.word(at: entry + 12)
        let time = Int64(high & 0x3) << 32 | Int64(low)
        var parents: [UInt32] = []
        if first != Self.noParent { parents.append(first) }
        if second & 0x8000_0000 != 0 {
            guard let edges = layer.edges else { return nil }
            var edge = Int(second & 0x7FFF_FFFF)
            while true {
                let offset = edges + edge * 4
                guard offset + 4 <= layer.end else { return nil }
                let value = layer.base.word(at: offset)
                parents.append(value & 0x7FFF_FFFF)
                if value & 0x8000_0000 != 0 { break }
                edge += 1
            }
        } else if second != Self.noParent {
            parents.append(second)
        }
        guard parents.allSatisfy({ $0 < count }) else { return nil }
        // A parent's level is below its child's: anything else is a damaged entry.
        let level = high >> 2
        if level > 0, !parents.allSatisfy({ generation(at: $0) < level }) { return nil }
        return (parents, time)
    }
}

private func hex(_ bytes: UnsafeRawBufferPointer) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
}

/// The commit-graph's commits, and those newer than it read from their objects (a release
/// just cut, commits since the last `git gc`), numbered after the graph's: ancestry and merge
/// bases from levels, even when the newest commits are not in the graph yet.
final class GraphCommits {
    let file: CommitGraphFile
    /// A commit's parents, from its object.
    let read: (OID) throws -> [OID]
    private var extras: [(id: OID, parents: [UInt32], level: UInt32)] = []
    private var extraIndex: [OID: UInt32] = [:]
    /// Past this many commits outside the graph, the graph is too stale to be worth it, and
    /// libgit2 answers from then on.
    private static let extraLimit = 10_000
    private(set) var exhausted = false

    init(file: CommitGraphFile, read: @escaping (OID) throws -> [OID]) {
        self.file = file
        self.read = read
    }

    private var count: Int { Int(file.count) + extras.count }

    private func known(_ id: OID) -> UInt32? { file.position(of: id) ?? extraIndex[id] }

    /// The commit's position, reading it and its ancestors down to the graph when it is newer;
    /// nil when that is too many commits.
    func position(of id: OID) throws -> UInt32? {
        if let position = known(id) { return position }
        var pending: [(id: OID, parents: [OID]?)] = [(id, nil)]
        while let (current, read) = pending.popLast() {
            guard known(current) == nil else { continue }
            let parents = try read ?? self.read(current)
            let unresolved = parents.filter { known($0) == nil }
            guard unresolved.isEmpty else {
                pending.append((current, parents))
                pending += unresolved.map { ($0, nil) }
                continue
            }
            guard extras.count < Self.extraLimit else {
                exhausted = true
                return nil
            }
            let positions = parents.map { known($0)! }
            let levels = positions.map(level(at:))
            let level = levels.contains(0) ? 0 : (levels.max() ?? 0) + 1
            extraIndex[current] = UInt32(count)
            extras.append((current, positions, level))
        }
        return known(id)
    }

    func level(at position: UInt32) -> UInt32 {
        position < file.count ? file.generation(at: position) : extras[Int(position - file.count)].level
    }

    func parents(at position: UInt32) -> [UInt32]? {
        position < file.count ? file.commit(at: position)?.parents : extras[Int(position - file.count)].parents
    }

    func id(at position: UInt32) -> OID? {
        position < file.count ? file.id(at: position) : extras[Int(position - file.count)].id
    }

    /// Whether `ancestor` is reachable from `descendant`, walking down only through commits
    /// whose level can still reach it; nil when either is not in the graph or levels are missing.
    func isAncestor(_ ancestor: OID, of descendant: OID) throws -> Bool? {
        guard let target = try position(of: ancestor), let start = try position(of: descendant) else { return nil }
        return isAncestor(target, of: start)
    }

    private func isAncestor(_ target: UInt32, of start: UInt32) -> Bool? {
        let floor = level(at: target)
        guard floor > 0 else { return nil }
        var seen = [Bool](repeating: false, count: Int(count))
        var pending = [start]
        seen[Int(start)] = true
        while let next = pending.popLast() {
            if next == target { return true }
            guard let parents = parents(at: next) else { return nil }
            for parent in parents where !seen[Int(parent)] {
                seen[Int(parent)] = true
                let parentLevel = level(at: parent)
                if parentLevel == 0 { return nil }
                if parentLevel >= floor { pending.append(parent) }
            }
        }
        return false
    }

    /// The merge base of two commits when there is exactly one (or none: unrelated
    /// histories), by git's paint-down in level order; nil when either commit is not in the
    /// graph, levels are missing, or several bases need a recursive merge.
    func mergeBase(_ one: OID, _ two: OID) throws -> OID?? {
        guard let first = try position(of: one), let second = try position(of: two) else { return nil }
        if first == second { return .some(one) }
        let (parent1, parent2, stale, result): (UInt8, UInt8, UInt8, UInt8) = (1, 2, 4, 8)
        var flags = [UInt8](repeating: 0, count: Int(count))
        var queue = LevelQueue()
        var results: [UInt32] = []
        for (position, flag) in [(first, parent1), (second, parent2)] {
            let start = level(at: position)
            guard start > 0 else { return nil }
            flags[Int(position)] |= flag
            queue.push(position, level: start, fresh: true)
        }
        // Like git's queue_has_nonstale, counted: entries pushed without the stale paint.
        while queue.fresh > 0, let next = queue.pop() {
            var paint = flags[Int(next)] & (parent1 | parent2 | stale)
            if paint == parent1 | parent2 {
                if flags[Int(next)] & result == 0 {
                    flags[Int(next)] |= result
                    results.append(next)
                }
                paint |= stale
            }
            guard let parents = parents(at: next) else { return nil }
            for parent in parents where flags[Int(parent)] & paint != paint {
                let parentLevel = level(at: parent)
                guard parentLevel > 0 else { return nil }
                flags[Int(parent)] |= paint
                queue.push(parent, level: parentLevel, fresh: paint & stale == 0)
            }
        }
        // The paint can find a base and some of its own ancestors: keep those no other base
        // reaches (git's remove_redundant).
        var best: [UInt32] = []
        for candidate in results {
            var redundant = false
            for other in results where other != candidate {
                guard let reaches = isAncestor(candidate, of: other) else { return nil }
                if reaches { redundant = true; break }
            }
            if !redundant { best.append(candidate) }
        }
        switch best.count {
        case 0: return .some(nil)
        case 1: return id(at: best[0]).map { .some($0) }
        default: return nil
        }
    }

}

/// A max-heap of graph positions by level, counting the entries pushed as fresh.
private struct LevelQueue {
    private struct Entry: HeapEntry {
        let level: UInt32
        let position: UInt32
        let fresh: Bool

        func before(_ other: Entry) -> Bool { level > other.level }
    }

    private var heap = Heap<Entry>()
    private(set) var fresh = 0

    mutating func push(_ position: UInt32, level: UInt32, fresh: Bool) {
        heap.push(Entry(level: level, position: position, fresh: fresh))
        if fresh { self.fresh += 1 }
    }

    mutating func pop() -> UInt32? {
        guard let top = heap.pop() else { return nil }
        if top.fresh { fresh -= 1 }
        return top.position
    }
}
