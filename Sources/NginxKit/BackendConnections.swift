import Foundation

/// The TCP connections nginx itself holds open to backend addresses: the kernel's tables
/// (`/proc/net/tcp`, `/proc/net/tcp6`) joined with the sockets of nginx's processes
/// (`/proc/<pid>/fd`). A removed backend is drained when nginx holds no connection to it, however
/// long a request on another backend takes.
enum BackendConnections {
    /// Open connections per address (`host:port` as the configuration writes it), or nil when
    /// the tables or nginx's sockets cannot be read (another user's nginx, a container).
    static func count(to addresses: [String], from pids: [Int32]) -> [String: Int]? {
        guard let inodes = socketInodes(of: pids) else { return nil }
        var wanted: [Endpoint: String] = [:]
        for address in addresses {
            for endpoint in Endpoint.resolve(address) { wanted[endpoint] = address }
        }
        var counts = Dictionary(uniqueKeysWithValues: addresses.map { ($0, 0) })
        var readAny = false
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = ProcFile.read(table) else { continue }
            readAny = true
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, let remote = Endpoint(kernel: fields[2]), let address = wanted[remote],
                      let inode = UInt64(fields[9]), inodes.contains(inode) else { continue }
                counts[address, default: 0] += 1
            }
        }
        return readAny ? counts : nil
    }

    /// The socket inodes every process in `pids` holds; nil when a descriptor table is unreadable.
    private static func socketInodes(of pids: [Int32]) -> Set<UInt64>? {
        var inodes = Set<UInt64>()
        for pid in pids {
            let folder = "/proc/\(pid)/fd"
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
                if FileManager.default.fileExists(atPath: "/proc/\(pid)") { return nil }
                continue
            }
            for descriptor in descriptors {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\(descriptor)"),
                      target.hasPrefix("socket:["), let inode = UInt64(target.dropFirst(8).dropLast()) else { continue }
                inodes.insert(inode)
            }
        }
        return inodes
    }
}

/// An IP address and port as 16 bytes (IPv4 mapped into IPv6) and a number.
struct Endpoint: Hashable {
    let address: [UInt8]
    let port: UInt16

    /// `0100007F:1F90` (IPv4, a little-endian word) or 32 hex digits (IPv6, four little-endian
    /// words), as `/proc/net/tcp` and `tcp6` write them.
    init?(kernel field: Substring) {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = Array(parts[0])
        guard hex.count == 8 || hex.count == 32 else { return nil }
        var bytes: [UInt8] = []
        for word in stride(from: 0, to: hex.count, by: 8) {
            guard let value = UInt32(String(hex[word..<word + 8]), radix: 16) else { return nil }
            bytes += withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        self.address = bytes.count == 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + bytes : bytes
        self.port = port
    }

    init(address: [UInt8], port: UInt16) {
        self.address = address
        self.port = port
    }

    /// The endpoints a configured `host:port` (or `[v6]:port`) resolves to.
    static func resolve(_ text: String) -> [Endpoint] {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[close...].dropFirst(2)
        } else {
            let parts = text.split(separator: ":", maxSplits: 1)
            host = parts.first ?? ""
            portText = parts.count == 2 ? parts[1] : "80"
        }
        guard let port = UInt16(portText) else { return [] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(String(host), nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var endpoints: [Endpoint] = []
        var entry = list
        while let current = entry {
            if current.pointee.ai_family == AF_INET {
                current.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    let bytes = withUnsafeBytes(of: $0.pointee.sin_addr.s_addr, Array.init)
                    endpoints.append(Endpoint(address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + bytes, port: port))
                }
            } else if current.pointee.ai_family == AF_INET6 {
                current.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    endpoints.append(Endpoint(address: withUnsafeBytes(of: $0.pointee.sin6_addr, Array.init), port: port))
                }
            }
            entry = current.pointee.ai_next
        }
        return endpoints
    }
}
