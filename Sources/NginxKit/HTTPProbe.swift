import Foundation

/// One HTTP/1.0 GET over a new connection, for health checks and traffic probes: plain http
/// on the private network between nginx and its backends, no redirects, no keep-alive. The
/// whole exchange has one deadline, so a backend that accepts and then trickles bytes (or
/// never answers) cannot hold `release` longer than the timeout.
public enum HTTPProbe {
    public struct Response: Equatable, Sendable {
        public let status: Int
        public let body: String
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case badURL(String)
        case connection(String)
        case timedOut(TimeInterval)
        case closedEarly
        case malformedResponse

        public var description: String {
            switch self {
            case .badURL(let url): "not an http:// URL: \(url)"
            case .connection(let reason): reason
            case .timedOut(let seconds): "timed out after \(String(format: "%g", seconds)) s"
            case .closedEarly: "connection closed before an answer"
            case .malformedResponse: "malformed HTTP response"
            }
        }
    }

    /// `http://host[:port]/path`, the host a name, an IPv4 address or a bracketed IPv6 one.
    static func parse(_ url: String) -> (host: String, port: UInt16, hostHeader: Substring, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = authority
        var port: UInt16 = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = UInt16(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            guard let number = UInt16(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        }
        guard !host.isEmpty else { return nil }
        return (String(host), port, authority, path.isEmpty ? "/" : String(path))
    }

    public static func get(_ url: String, timeout: TimeInterval = 2, headers: [String] = []) -> Result<Response, Failure> {
        guard let target = parse(url) else { return .failure(.badURL(url)) }
        let deadline = Date().addingTimeInterval(timeout)
        let name = "\(target.hostHeader)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var addresses: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, String(target.port), &hints, &addresses) == 0, let address = addresses else {
            return .failure(.connection("cannot resolve \(target.host)"))
        }
        defer { freeaddrinfo(addresses) }
        let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.ai_protocol)
        guard descriptor >= 0 else { return .failure(.connection(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)

        if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { return .failure(.connection("\(name): \(String(cString: strerror(errno)))")) }
            guard wait(descriptor, for: Int16(POLLOUT), until: deadline) else { return .failure(.timedOut(timeout)) }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { return .failure(.connection("\(name): \(String(cString: strerror(error)))")) }
        }
        let extra = headers.map { $0 + "\r\n" }.joined()
        var request = Array("GET \(target.path) HTTP/1.0\r\nHost: \(name)\r\n\(extra)Connection: close\r\n\r\n".utf8)
        while !request.isEmpty {
            guard wait(descriptor, for: Int16(POLLOUT), until: deadline) else { return .failure(.timedOut(timeout)) }
            let sent = send(descriptor, request, request.count, Int32(MSG_NOSIGNAL))
            guard sent > 0 else { return .failure(.connection("\(name): \(String(cString: strerror(errno)))")) }
            request.removeFirst(sent)
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            guard wait(descriptor, for: Int16(POLLIN), until: deadline) else { return .failure(.timedOut(timeout)) }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { break }
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            guard count > 0 else { return .failure(.connection("\(name): \(String(cString: strerror(errno)))")) }
            received.append(contentsOf: buffer[0..<count])
        }
        guard !received.isEmpty else { return .failure(.closedEarly) }
        let text = String(decoding: received, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
              let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return .failure(.malformedResponse) }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return .success(Response(status: code, body: body))
    }

    /// Waits until the socket is ready, or the deadline passes (false).
    private static func wait(_ descriptor: Int32, for events: Int16, until deadline: Date) -> Bool {
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(min(left * 1000, 60_000)) + 1)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return true }
        }
    }
}
