import Foundation

/// A regular file mapped read-only (git's pack indexes, packs and commit-graphs), unmapped by
/// its owner with `unmap`.
struct MappedFile {
    let base: UnsafeRawPointer
    let length: Int

    /// nil when the file cannot be opened, is not a regular file, or is empty.
    init?(_ path: String) {
        let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else { return nil }
        let length = Int(info.st_size)
        guard let memory = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), memory != MAP_FAILED else { return nil }
        base = UnsafeRawPointer(memory)
        self.length = length
    }

    func unmap() { munmap(UnsafeMutableRawPointer(mutating: base), length) }
}

extension UnsafeRawPointer {
    /// The big-endian number at `offset`, as git's binary files store them.
    func word(at offset: Int) -> UInt32 { loadUnaligned(fromByteOffset: offset, as: UInt32.self).bigEndian }
}
