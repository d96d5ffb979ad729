import Foundation
@testable import NginxKit
import Testing

/// A one-connection TCP server on the loopback, behaving as a test needs: answering, trickling
/// bytes, or closing without a word. It accepts one connection and stops.
final class TinyServer: @unchecked Sendable {
    enum Behaviour { case answer, trickle, close }

    let port: UInt16
    private let descriptor: Int32
    private let lock = NSLock()
    private var request = ""

    init(ipv6: Bool = false, _ behaviour: Behaviour) throws {
        let family = ipv6 ? AF_INET6 : AF_INET
        descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            withUnsafeBytes(of: address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            withUnsafeBytes(of: address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let fd = descriptor
        let listening = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard listening else { throw POSIXError(.EADDRNOTAVAIL) }
        // sin_port and sin6_port both sit two bytes in.
        port = withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
        Thread.detachNewThread { [self] in serve(behaviour) }
    }

    var received: String { lock.withLock { request } }

    private func serve(_ behaviour: Behaviour) {
        let client = accept(descriptor, nil, nil)
        defer { close(client); close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(client, &buffer, buffer.count, 0)
        lock.withLock { request = String(decoding: buffer[0..<max(0, count)], as: UTF8.self) }
        switch behaviour {
        case .answer:
            _ = send(client, "HTTP/1.0 200 OK\r\n\r\nhello", 24, Int32(MSG_NOSIGNAL))
        case .trickle:
            for _ in 0..<20 {
                guard send(client, "H", 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                usleep(200_000)
            }
        case .close:
            return
        }
    }
}

struct HTTPProbeTests {
    @Test func parsesNamesIPv4AndBracketedIPv6() throws {
        #expect(HTTPProbe.parse("http://[::1]:8080/health")?.host == "::1")
        #expect(HTTPProbe.parse("http://[::1]:8080/health")?.port == 8080)
        #expect(HTTPProbe.parse("http://[::1]/")?.port == 80)
        #expect(HTTPProbe.parse("http://10.0.0.1:81")?.path == "/")
        #expect(HTTPProbe.parse("http://app1.internal/health")?.host == "app1.internal")
        #expect(HTTPProbe.parse("https://x/") == nil)
        #expect(HTTPProbe.parse("http://[::1:80/") == nil)
    }

    @Test func anIPv6BackendAnswersWithTheHeadersGiven() throws {
        let server = try TinyServer(ipv6: true, .answer)
        let result = HTTPProbe.get("http://[::1]:\(server.port)/health", headers: ["X-Canary: 1"])
        #expect(result == .success(.init(status: 200, body: "hello")))
        #expect(server.received.contains("X-Canary: 1\r\n"))
        #expect(server.received.hasPrefix("GET /health HTTP/1.0\r\nHost: [::1]:\(server.port)\r\n"))
    }

    @Test func aTricklingBackendIsCutOffAtTheDeadline() throws {
        let server = try TinyServer(.trickle)
        // A timeout per read would take all 20 bytes (4 s) and call them malformed.
        let result = HTTPProbe.get("http://127.0.0.1:\(server.port)/", timeout: 1)
        #expect(result == .failure(.timedOut(1)), "one deadline for the whole exchange, not one per byte")
        #expect("\(HTTPProbe.Failure.timedOut(1))" == "timed out after 1 s")
    }

    @Test func aBackendThatClosesSaysSo() throws {
        let server = try TinyServer(.close)
        #expect(HTTPProbe.get("http://127.0.0.1:\(server.port)/") == .failure(.closedEarly))
        #expect("\(HTTPProbe.Failure.closedEarly)" == "connection closed before an answer")
    }
}
