import Foundation
import GitKit

/// One HTTP/1.0 GET over a new connection, for health checks and traffic probes: plain http
/// on the private network between nginx and its backends, no redirects, no keep-alive.
public enum HTTPProbe {
    public struct Response: Equatable, Sendable {
        public let status: Int
        public let body: String
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case badURL(String)
        case connection(String)
        case malformedResponse

        public var description: String {
            switch self {
            case .badURL(let url): "not an http:// URL: \(url)"
            case .connection(let reason): reason
            case .malformedResponse: "malformed HTTP response"
            }
        }
    }

    public static func get(_ url: String, timeout: TimeInterval = 2) -> Result<Response, Failure> {
        guard url.hasPrefix("http://") else { return .failure(.badURL(url)) }
        let rest = url.dropFirst("http://".count)
        let hostPort = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(hostPort.count)
        let parts = hostPort.split(separator: ":", maxSplits: 1)
        guard let host = parts.first, let port = parts.count == 2 ? UInt16(parts[1]) : 80 else { return .failure(.badURL(url)) }

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var addresses: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(String(host), String(port), &hints, &addresses) == 0, let address = addresses else {
            return .failure(.connection("cannot resolve \(host)"))
        }
        defer { freeaddrinfo(addresses) }
        let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard descriptor >= 0 else { return .failure(.connection(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            return .failure(.connection("\(host):\(port): \(String(cString: strerror(errno)))"))
        }
        let request = "GET \(path.isEmpty ? "/" : String(path)) HTTP/1.0\r\nHost: \(hostPort)\r\nConnection: close\r\n\r\n"
        let sent = request.withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count else { return .failure(.connection("\(host):\(port): \(String(cString: strerror(errno)))")) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { return .failure(.connection("\(host):\(port): \(String(cString: strerror(errno)))")) }
            received.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
              let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return .failure(.malformedResponse) }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return .success(Response(status: code, body: body))
    }
}
