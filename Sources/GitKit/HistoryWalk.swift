import CLibDeflate
import CLibGit2
import Foundation

/// A walk reached the commits where a shallow clone's history stops, so what lies beyond
/// (perhaps the rest of a range, perhaps the release it starts from) is not in the repository.
public struct ShallowHistoryError: Error, Sendable {
    public let boundary: OID
}

/// A commit as a history walk reads it: enough to list and order it.
public struct CommitSummary: Equatable, Sendable {
    public let id: OID
    public let parentCount: Int
    public let author: Signature
    /// Exactly what `git log --pretty=%s` prints.
    public let subject: String

    public var isMerge: Bool { parentCount > 1 }
}

/// `git rev-list tips ^hidden`, reading every commit object once, straight from the object
/// database. Commits come out in the order `git log` prints them (git's `limit_list`: newest
/// committer date first, ties in the order they were reached); should clock skew or equal
/// timestamps put a parent before its child, the list is re-sorted so that never happens.
final class HistoryWalk {
    private let repository: Repository
    private let reader: CommitReader
    private var graph = CommitGraph()

    /// `allowingCut`: a walk that reaches where a shallow clone's history stops ends there,
    /// as git's does; otherwise it throws `ShallowHistoryError`, since the answer would miss
    /// what lies beyond.
    init(_ repository: Repository, allowingCut: Bool = false) throws {
        self.repository = repository
        reader = try repository.commitReader.get()
        if let previous = repository.lastWalk { graph = previous }
        graph.boundary = repository.isShallow ? repository.shallowBoundary() : []
        graph.allowingCut = allowingCut
        graph.file = repository.commitGraph
    }

    /// Whether the last walk reached where a shallow clone's history stops.
    var reachedCut: Bool { graph.reachedCut }

    /// The commits of the range, in output order. libgit2's object cache is off meanwhile:
    /// the walk reads every object once, and filling the cache cost a tenth of the walk.
    func run(_ range: RevisionRange) throws -> [Int32] {
        _ = clibgit2_cache_objects(0)
        defer {
            _ = clibgit2_cache_objects(1)
            repository.lastWalk = graph
        }
        return try graph.limit(range, reader: reader)
    }

    /// The summaries of listed commits, in order; those the walk took from the commit-graph
    /// are read now. A long list is shared out among the cores (up to four), each with its
    /// own reader: reading from the packs takes no lock.
    func summaries(_ list: [Int32]) throws -> [CommitSummary] {
        _ = clibgit2_cache_objects(0)
        defer { _ = clibgit2_cache_objects(1) }
        let parts = list.count < 2048 ? 1 : min(4, ProcessInfo.processInfo.activeProcessorCount)
        guard parts > 1 else { return try list.map { try graph.summary($0, reader: reader) } }
        let work = try SummaryWork(graph, list, readers: [reader] + (1..<parts).map { _ in try CommitReader(repository) })
        DispatchQueue.concurrentPerform(iterations: parts) { work.run(part: $0) }
        return try work.results()
    }

    func id(_ node: Int32) -> OID { graph.nodes[Int(node)].id }
    func isMerge(_ node: Int32) -> Bool { graph.nodes[Int(node)].parents.count > 1 }
}

/// Summaries read in parts, one per thread: each part has its own reader and result slot,
/// and the walk's nodes are only read meanwhile.
private final class SummaryWork: @unchecked Sendable {
    let graph: CommitGraph
    let list: [Int32]
    let readers: [CommitReader]
    /// One slot per part, written by that part's thread alone.
    private let slots: UnsafeMutableBufferPointer<Result<[CommitSummary], any Error>?>

    init(_ graph: CommitGraph, _ list: [Int32], readers: [CommitReader]) {
        self.graph = graph
        self.list = list
        self.readers = readers
        slots = .allocate(capacity: readers.count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    /// Every part's summaries, in order, once all have run.
    func results() throws -> [CommitSummary] { try slots.flatMap { try $0!.get() } }

    func run(part: Int) {
        let size = (list.count + readers.count - 1) / readers.count
        let slice = list[min(part * size, list.count)..<min((part + 1) * size, list.count)]
        let result = Result { try slice.map { try graph.summary($0, reader: readers[part]) } }
        slots[part] = result
    }
}

/// The commits a walk has met, with git's flags. A value type, so the hot loop pays no
/// run-time exclusivity checks.
struct CommitGraph {
    struct Node {
        let id: OID
        /// The commit's bytes when a walk read them (the repository's reader keeps them).
        var bytes: UnsafeRawBufferPointer?
        var parents: [Int32] = []
        var time: Int64 = 0
        var flags: UInt8 = 0
    }

    static let seen: UInt8 = 1
    static let uninteresting: UInt8 = 2
    static let queued: UInt8 = 4
    /// Parsed in this walk. A walk sees only what it parsed, as a fresh one would (git marks
    /// uninteresting only through parsed commits, which decides its answer under clock skew).
    static let parsed: UInt8 = 8
    /// Parents, date (and bytes, when read from the object) known from an earlier walk.
    static let known: UInt8 = 16
    /// Commits git keeps walking after everything queued became uninteresting (clock skew).
    static let slop = 5

    var nodes: [Node] = []
    /// git's commit-graph, when the repository has one: parents and dates without inflating.
    var file: CommitGraphFile?
    /// Where a shallow clone's history stops: these commits' parents are not here.
    var boundary: Set<OID> = []
    var allowingCut = false
    private(set) var reachedCut = false
    private var index: [OID: Int32] = [:]
    private var queue = DateQueue()
    private var interestingQueued = 0

    /// git's `limit_list`, then the ancestry check.
    mutating func limit(_ range: RevisionRange, reader: CommitReader) throws -> [Int32] {
        // What earlier walks read stays known, to be parsed again without reading; marks go.
        for index in nodes.indices { nodes[index].flags &= Self.known }
        (queue, interestingQueued, reachedCut) = (DateQueue(), 0, false)
        for id in range.hidden {
            let node = try add(id, reader)
            mark(node)
            markParentsUninteresting(node)
            enqueueIfUnseen(node)
        }
        for id in range.tips {
            enqueueIfUnseen(try add(id, reader))
        }
        var listed: [Int32] = []
        var slop = Self.slop
        var lastDate = Int64.max
        while let node = queue.pop() {
            nodes[Int(node)].flags &= ~Self.queued
            if !isUninteresting(node) { interestingQueued -= 1 }
            try processParents(node, reader)
            if isUninteresting(node) {
                markParentsUninteresting(node)
                slop = stillInteresting(lastDate, slop)
                if slop > 0 { continue }
                break
            }
            lastDate = nodes[Int(node)].time
            listed.append(node)
        }
        let result = listed.filter { !isUninteresting($0) }
        if !boundary.isEmpty { try checkCut(result) }
        return topologicallySafe(result)
    }

    /// In a shallow clone the range is exact only if history beyond the cut cannot change it:
    /// no listed commit is a boundary (its parents would belong to the range too), and none is
    /// as old as a boundary the hidden side reached (it might be that boundary's ancestor, and
    /// so not in the range at all). Commit dates order ancestry here, as they do for git.
    private mutating func checkCut(_ result: [Int32]) throws {
        if let cut = result.first(where: { boundary.contains(nodes[Int($0)].id) }) {
            reachedCut = true
            if !allowingCut { throw ShallowHistoryError(boundary: nodes[Int(cut)].id) }
        }
        let hiddenCuts = nodes.filter { $0.flags & (Self.uninteresting | Self.parsed) == Self.uninteresting | Self.parsed && boundary.contains($0.id) }
        guard let newestCut = hiddenCuts.max(by: { $0.time < $1.time }) else { return }
        if result.contains(where: { nodes[Int($0)].time <= newestCut.time }) {
            reachedCut = true
            if !allowingCut { throw ShallowHistoryError(boundary: newestCut.id) }
        }
    }

    /// A node's summary, reading its object when the walk took it from the commit-graph.
    func summary(_ node: Int32, reader: CommitReader) throws -> CommitSummary {
        let value = nodes[Int(node)]
        let bytes = try value.bytes ?? reader.read(value.id)
        return RawCommit(bytes).summary(id: value.id, parentCount: value.parents.count)
    }

    /// A tip or hidden commit, read from its object as git reads the commits it is named:
    /// the graph serves only their ancestors.
    private mutating func add(_ id: OID, _ reader: CommitReader) throws -> Int32 {
        let node = reference(id)
        // Read from its object even when an earlier walk took it from the commit-graph.
        if nodes[Int(node)].bytes == nil { nodes[Int(node)].flags &= ~Self.known }
        try parse(node, reader, fromObject: true)
        return node
    }

    /// The node for an id, created unread the first time it is named.
    private mutating func reference(_ id: OID) -> Int32 {
        if let existing = index[id] { return existing }
        let node = Int32(nodes.count)
        nodes.append(Node(id: id))
        index[id] = node
        return node
    }

    private mutating func parse(_ node: Int32, _ reader: CommitReader, fromObject: Bool = false) throws {
        guard nodes[Int(node)].flags & Self.parsed == 0 else { return }
        if nodes[Int(node)].flags & Self.known != 0 {
            nodes[Int(node)].flags |= Self.parsed
            return
        }
        let id = nodes[Int(node)].id
        if !fromObject, let file, let position = file.position(of: id), let entry = file.commit(at: position) {
            var parents: [Int32] = []
            parents.reserveCapacity(entry.parents.count)
            for parent in entry.parents {
                guard let parentID = file.id(at: parent) else { break }
                parents.append(reference(parentID))
            }
            if parents.count == entry.parents.count {
                nodes[Int(node)].parents = parents
                nodes[Int(node)].time = entry.time
                nodes[Int(node)].flags |= Self.parsed | Self.known
                return
            }
        }
        let bytes = try reader.read(id)
        let header = RawCommit.Header(bytes)
        var parents: [Int32] = []
        // Like git, a shallow clone's boundary commits are walked as if they had no parents.
        if boundary.isEmpty || !boundary.contains(id) {
            parents.reserveCapacity(header.parents.count)
            for parent in header.parents { parents.append(reference(parent)) }
        }
        nodes[Int(node)].bytes = bytes
        nodes[Int(node)].parents = parents
        nodes[Int(node)].time = header.committerTime
        nodes[Int(node)].flags |= Self.parsed | Self.known
    }

    private mutating func enqueueIfUnseen(_ node: Int32) {
        guard nodes[Int(node)].flags & Self.seen == 0 else { return }
        nodes[Int(node)].flags |= Self.seen | Self.queued
        if !isUninteresting(node) { interestingQueued += 1 }
        queue.push(node, time: nodes[Int(node)].time)
    }

    private mutating func processParents(_ node: Int32, _ reader: CommitReader) throws {
        let uninteresting = isUninteresting(node)
        for parent in nodes[Int(node)].parents {
            if uninteresting { mark(parent) }
            try parse(parent, reader)
            if uninteresting { markParentsUninteresting(parent) }
            enqueueIfUnseen(parent)
        }
    }

    private mutating func markParentsUninteresting(_ node: Int32) {
        var pending = nodes[Int(node)].parents
        while let next = pending.popLast() {
            guard !isUninteresting(next) else { continue }
            mark(next)
            if nodes[Int(next)].flags & Self.parsed != 0 { pending += nodes[Int(next)].parents }
        }
    }

    /// Flags a node uninteresting, keeping count of the interesting ones still queued.
    private mutating func mark(_ node: Int32) {
        let flags = nodes[Int(node)].flags
        if flags & Self.uninteresting == 0, flags & Self.queued != 0 { interestingQueued -= 1 }
        nodes[Int(node)].flags |= Self.uninteresting
    }

    private func isUninteresting(_ node: Int32) -> Bool { nodes[Int(node)].flags & Self.uninteresting != 0 }

    private func stillInteresting(_ lastDate: Int64, _ slop: Int) -> Int {
        guard let next = queue.peekTime else { return 0 }
        if lastDate <= next || interestingQueued > 0 { return Self.slop }
        return slop - 1
    }

    /// The list as it is when no parent comes before its child (always, without clock skew or
    /// tied timestamps); otherwise the closest order that respects ancestry.
    private func topologicallySafe(_ order: [Int32]) -> [Int32] {
        var position = [Int32](repeating: -1, count: nodes.count)
        for (offset, node) in order.enumerated() { position[Int(node)] = Int32(offset) }
        let ordered = order.enumerated().allSatisfy { offset, node in
            nodes[Int(node)].parents.allSatisfy { position[Int($0)] < 0 || position[Int($0)] > offset }
        }
        if ordered { return order }
        var children = [Int32](repeating: 0, count: nodes.count)
        for node in order {
            for parent in nodes[Int(node)].parents where position[Int(parent)] >= 0 { children[Int(parent)] += 1 }
        }
        var ready = DateQueue()
        for node in order where children[Int(node)] == 0 { ready.push(node, time: -Int64(position[Int(node)])) }
        var result: [Int32] = []
        result.reserveCapacity(order.count)
        while let node = ready.pop() {
            result.append(node)
            for parent in nodes[Int(node)].parents where position[Int(parent)] >= 0 {
                children[Int(parent)] -= 1
                if children[Int(parent)] == 0 { ready.push(parent, time: -Int64(position[Int(parent)])) }
            }
        }
        return result
    }
}

/// Commit objects read for walks, each kept until the reader goes so that it is parsed in
/// place: from the pack files when they hold the commit whole (`PackFiles`), else from
/// libgit2's object database.
final class CommitReader {
    private let odb: OpaquePointer
    private let packs: PackFiles?
    private let decompressor: OpaquePointer
    private var chunks: [UnsafeMutableRawPointer] = []
    private var next: UnsafeMutableRawPointer?
    private var remaining = 0
    private var chunkSize = 64 << 10

    init(_ repository: Repository) throws {
        var odb: OpaquePointer?
        try GitError.check(git_repository_odb(&odb, repository.pointer), "open the object database")
        self.odb = odb!
        packs = repository.packFiles
        decompressor = libdeflate_alloc_decompressor()!
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
        libdeflate_free_decompressor(decompressor)
        git_odb_free(odb)
    }

    /// The commit's bytes, valid as long as the reader.
    func read(_ id: OID) throws -> UnsafeRawBufferPointer {
        func notACommit() -> GitError { GitError(code: .invalidSpec, message: "\(id.short) is not a commit") }
        switch packs?.entry(id, decompressor: decompressor, allocate: allocate) ?? .elsewhere {
        case .commit(let bytes): return bytes
        case .notCommit: throw notACommit()
        case .elsewhere: break
        }
        var object: OpaquePointer?
        try id.withPointer { try GitError.check(git_odb_read(&object, odb, $0), "read commit \(id.short)") }
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT else { throw notACommit() }
        let size = git_odb_object_size(object)
        let copy = allocate(size)
        copy.copyMemory(from: git_odb_object_data(object)!, byteCount: size)
        return UnsafeRawBufferPointer(start: copy, count: size)
    }

    /// Room for `size` bytes in the reader's chunks, which grow up to 4 MiB each.
    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        if size > remaining || next == nil {
            let capacity = max(size, chunkSize)
            chunkSize = min(chunkSize * 2, 4 << 20)
            let chunk = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            chunks.append(chunk)
            next = chunk
            remaining = capacity
        }
        let result = next!
        next = result + size
        remaining -= size
        return result
    }
}

/// A max-heap on time; equal times come out in the order they went in, like git's
/// date-sorted commit list.
private struct DateQueue {
    private struct Entry: HeapEntry {
        let time: Int64
        let sequence: Int
        let node: Int32

        func before(_ other: Entry) -> Bool {
            time > other.time || (time == other.time && sequence < other.sequence)
        }
    }

    private var heap = Heap<Entry>()
    private var sequence = 0

    var peekTime: Int64? { heap.first?.time }

    mutating func push(_ node: Int32, time: Int64) {
        heap.push(Entry(time: time, sequence: sequence, node: node))
        sequence += 1
    }

    mutating func pop() -> Int32? { heap.pop()?.node }
}
