import CLibDeflate
import CLibGit2
import Foundation

/// The repository's pack files (`objects/pack/pack-*.pack` and their `.idx`), mapped read-only,
/// for history walks to read commits without libgit2: a walk spends most of its time
/// inflating commits, and libdeflate does that in about two thirds of zlib's time. Only what
/// is simple is taken here: a whole (not deltified) object in a version 2 index whose pack
/// matches it. Everything else (loose objects, deltas, alternates, objects written in memory)
/// is left to libgit2, so a missing or odd pack costs speed, never an answer.
final class PackFiles {
    private struct Pack {
        let indexFile: MappedFile
        let packFile: MappedFile
        let count: Int

        var index: UnsafeRawPointer { indexFile.base }
        var indexLength: Int { indexFile.length }
        var pack: UnsafeRawPointer { packFile.base }
        var packLength: Int { packFile.length }
    }

    private let packs: [Pack]

    /// The packs of `objects` (a repository's objects folder), or nil when it has none.
    static func open(objects: String) -> PackFiles? {
        let folder = objects + "/pack/"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        let packs = names.filter { $0.hasPrefix("pack-") && $0.hasSuffix(".idx") }.sorted().compactMap {
            PackFiles.map(index: folder + $0, pack: folder + $0.dropLast(4) + ".pack")
        }
        return packs.isEmpty ? nil : PackFiles(packs)
    }

    private init(_ packs: [Pack]) { self.packs = packs }

    deinit {
        for pack in packs {
            pack.indexFile.unmap()
            pack.packFile.unmap()
        }
    }

    /// What a pack holds for an id.
    enum Entry {
        /// A commit, inflated into the buffer `allocate` gave.
        case commit(UnsafeRawBufferPointer)
        /// Another kind of object, whole.
        case notCommit
        /// Not here in a form this reader takes: ask libgit2.
        case elsewhere
    }

    /// Looks `id` up in every pack; a commit found whole is inflated into `allocate(size)`.
    func entry(_ id: OID, decompressor: OpaquePointer, allocate: (Int) -> UnsafeMutableRawPointer) -> Entry {
        var key = id.raw
        return withUnsafeBytes(of: &key) { key in
            for pack in packs {
                guard let offset = PackFiles.offset(of: key, in: pack) else { continue }
                return PackFiles.read(pack, at: offset, decompressor: decompressor, allocate: allocate)
            }
            return .elsewhere
        }
    }

    /// Maps an index and its pack, checking what is cheap to check: the index's header, its
    /// fanout in order, its size matching its count, and the pack's header and checksum
    /// matching the index. Anything else and the pack is left to libgit2.
    private static func map(index indexPath: String, pack packPath: String) -> Pack? {
        guard let indexFile = MappedFile(indexPath) else { return nil }
        guard let packFile = MappedFile(packPath) else {
            indexFile.unmap()
            return nil
        }
        func fail() -> Pack? {
            indexFile.unmap()
            packFile.unmap()
            return nil
        }
        let (index, indexLength, pack, packLength) = (indexFile.base, indexFile.length, packFile.base, packFile.length)
        // "\377tOc", version 2, 256 fanout words; then ids, CRCs, offsets, large offsets, and
        // two checksums (the pack's, then the index's own).
        guard indexLength >= 8 + 1024 + 40, index.word(at: 0) == 0xFF74_4F63, index.word(at: 4) == 2 else { return fail() }
        var previous: UInt32 = 0
        for bucket in 0..<256 {
            let value = index.word(at: 8 + bucket * 4)
            guard value >= previous else { return fail() }
            previous = value
        }
        let count = Int(previous)
        let fixed = 8 + 1024 + count * 28 + 40
        guard indexLength >= fixed, (indexLength - fixed) % 8 == 0 else { return fail() }
        // "PACK", version 2 or 3, the same object count, and the pack's checksum in the index.
        guard packLength >= 12 + 20, pack.word(at: 0) == 0x5041_434B, [2, 3].contains(pack.word(at: 4)),
              Int(pack.word(at: 8)) == count,
              memcmp(pack + packLength - 20, index + indexLength - 40, 20) == 0 else { return fail() }
        return Pack(indexFile: indexFile, packFile: packFile, count: count)
    }

    /// Where the pack stores `key`, from the index's fanout and sorted ids.
    private static func offset(of key: UnsafeRawBufferPointer, in pack: Pack) -> Int? {
        guard let found = OID.position(of: key, fanout: pack.index + 8, ids: pack.index + 8 + 1024) else { return nil }
        let offsets = 8 + 1024 + pack.count * 24
        let small = pack.index.word(at: offsets + found * 4)
        guard small & 0x8000_0000 != 0 else { return Int(small) }
        let large = offsets + pack.count * 4 + Int(small & 0x7FFF_FFFF) * 8
        guard large + 8 <= pack.indexLength - 40 else { return nil }
        let value = pack.index.loadUnaligned(fromByteOffset: large, as: UInt64.self).bigEndian
        return value < UInt64(Int.max) ? Int(value) : nil
    }

    /// The object at `offset`: its type and size in a variable-length header, then its zlib
    /// stream. Whatever does not add up is left to libgit2, which reports it as git would.
    private static func read(_ pack: Pack, at offset: Int, decompressor: OpaquePointer,
                             allocate: (Int) -> UnsafeMutableRawPointer) -> Entry {
        let end = pack.packLength - 20
        guard offset >= 12, offset < end else { return .elsewhere }
        var position = offset
        var byte = pack.pack.load(fromByteOffset: position, as: UInt8.self)
        let type = (byte >> 4) & 7
        var size = Int(byte & 0x0F)
        var shift = 4
        while byte & 0x80 != 0 {
            position += 1
            guard position < end, shift <= 28 else { return .elsewhere }
            byte = pack.pack.load(fromByteOffset: position, as: UInt8.self)
            size |= Int(byte & 0x7F) << shift
            shift += 7
        }
        position += 1
        guard size <= 1 << 26 else { return .elsewhere }  // no commit is that big: a damaged header
        switch type {
        case 1: break
        case 2, 3, 4: return .notCommit
        default: return .elsewhere  // deltas, or a damaged header
        }
        let output = allocate(size)
        let result = libdeflate_zlib_decompress(decompressor, pack.pack + position, end - position, output, size, nil)
        guard result == LIBDEFLATE_SUCCESS else { return .elsewhere }
        return .commit(UnsafeRawBufferPointer(start: output, count: size))
    }
}
