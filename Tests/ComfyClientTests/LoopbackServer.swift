import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests that need a server to misbehave in ways the mock does not:
/// echo requests, redirect elsewhere, trickle bytes, send huge bodies. One thread per connection; every request
/// is recorded (its head as text).
final class LoopbackServer: @unchecked Sendable {
    struct Request: Sendable {
        var head: String
        /// The body, read up to its Content-Length.
        var body: [UInt8] = []
        var method: String { head.split(separator: " ").first.map(String.init) ?? "" }
        var path: String { head.split(separator: " ").dropFirst().first.map(String.init) ?? "" }
        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    /// What to answer.
    enum Reply: Sendable {
        /// These bytes (a whole response, head and body), then close.
        case raw([UInt8])
        /// A head, then the body a byte at a time with `interval` seconds between bytes.
        case trickle(head: String, body: [UInt8], interval: Double)
        /// A head, then `chunk` repeated `count` times (stops when the client goes away).
        case repeated(head: String, chunk: [UInt8], count: Int)
        /// No answer: the connection is closed once the request was read.
        case drop

        static func http(_ status: String, body: String, headers: [String] = []) -> Reply {
            let bytes = Array(body.utf8)
            let head =
                (["HTTP/1.1 \(status)", "Content-Length: \(bytes.count)", "Connection: close"] + headers)
                .joined(separator: "\r\n") + "\r\n\r\n"
            return .raw(Array(head.utf8) + bytes)
        }
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var stopped = false
    private let handler: @Sendable (Request) -> Reply

    /// Listens on `host` (a loopback IPv4 address: 127.0.0.1, or 127.0.0.2 for "another host").
    init(host: String = "127.0.0.1", handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        (listener, port) = try loopbackSocket(host: host)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var requests: [Request] { lock.withLock { recorded } }

    /// Wakes the accept loop, which closes the listener itself: closed here, its descriptor number could be
    /// reused by another test's socket while the loop still calls accept(2) on it, and this server would then
    /// answer that test's requests.
    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            if lock.withLock({ stopped }) {
                if connection >= 0 { close(connection) }
                return
            }
            if connection < 0 { continue }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !data.containsHeadEnd {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return }
            data += buffer[0..<n]
        }
        let head = String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        var request = Request(head: head)
        let length = request.header("Content-Length").flatMap { Int($0) } ?? 0
        var body = Array(data.dropFirst(head.utf8.count + 4))
        while body.count < length {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            body += buffer[0..<n]
        }
        request.body = body
        lock.withLock { recorded.append(request) }
        switch handler(request) {
        case .raw(let bytes): _ = write(fd, bytes)
        case .trickle(let head, let body, let interval):
            guard write(fd, Array(head.utf8)) else { return }
            for byte in body {
                if lock.withLock({ stopped }) { return }
                Thread.sleep(forTimeInterval: interval)
                guard write(fd, [byte]) else { return }
            }
        case .repeated(let head, let chunk, let count):
            guard write(fd, Array(head.utf8)) else { return }
            for _ in 0..<count {
                guard write(fd, chunk) else { return }
            }
        case .drop: return
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}

/// A TCP socket bound to a free port of a loopback IPv4 address (127.0.0.1, or 127.0.0.2 for "another host"),
/// listening unless `listen` is false: its descriptor and port. The descriptor is closed if any step fails.
func loopbackSocket(host: String = "127.0.0.1", listen: Bool = true) throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LoopbackError("socket failed") }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard bound == 0, !listen || Glibc.listen(fd, 16) == 0 else {
        close(fd)
        throw LoopbackError("bind/listen failed")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

struct LoopbackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension [UInt8] {
    fileprivate var containsHeadEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 {
            return true
        }
        return false
    }
}
