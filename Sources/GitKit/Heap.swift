/// What a `Heap` holds: `before` says which of two entries comes out first.
protocol HeapEntry {
    func before(_ other: Self) -> Bool
}

/// A binary heap: `pop` returns an entry no other comes before. The walks' queues (commits by
/// date, graph positions by level) are built on it.
struct Heap<Entry: HeapEntry> {
    private var entries: [Entry] = []

    var first: Entry? { entries.first }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].before(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var best = parent
                if left < entries.count, entries[left].before(entries[best]) { best = left }
                if right < entries.count, entries[right].before(entries[best]) { best = right }
                if best == parent { break }
                entries.swapAt(parent, best)
                parent = best
            }
        }
        return top
    }
}
