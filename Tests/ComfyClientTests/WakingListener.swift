import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A host that accepts TCP connections and says nothing (a ComfyUI that hangs) until `wake(relayingTo:)`; from
/// then on each new connection is relayed to a port on 127.0.0.1 (a mock), while the connections taken while it
/// was silent stay silent. One thread per accept loop and per relay direction.
final class WakingListener: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var target: Int?
    private var sockets: [Int32] = []
    private var stopped = false
    private var accepted = 0

    init() throws {
        (listener, port) = try loopbackSocket()
        Thread { [self] in acceptLoop() }.start()
    }

    /// Connections accepted so far (silent or relayed).
    var acceptedCount: Int { lock.withLock { accepted } }

    /// From now on, new connections are relayed to `port` on 127.0.0.1.
    func wake(relayingTo port: Int) {
        lock.withLock { target = port }
    }

    /// Stops accepting and closes every connection, silent or relayed.
    func stop() {
        let open: [Int32] = lock.withLock {
            stopped = true
            return sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            let (isStopped, relay): (Bool, Int?) = lock.withLock {
                if connection >= 0 {
                    accepted += 1
                    sockets.append(connection)
                }
                return (stopped, target)
            }
            if isStopped { return }
            guard connection >= 0, let relay else { continue }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: relay)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard upstream >= 0, connected == 0 else {
                shutdown(connection, Int32(SHUT_RDWR))
                continue
            }
            lock.withLock { sockets.append(upstream) }
            Thread { Self.pump(from: connection, to: upstream) }.start()
            Thread { Self.pump(from: upstream, to: connection) }.start()
        }
    }

    /// Copies bytes until either side ends, then ends both (the descriptors are left for the kernel at exit:
    /// closing them here could close a number another test reuses).
    private static func pump(from source: Int32, to sink: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        outer: while true {
            let n = recv(source, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            var offset = 0
            while offset < n {
                let sent = buffer[offset..<n].withUnsafeBytes {
                    send(sink, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else { break outer }
                offset += sent
            }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(sink, Int32(SHUT_RDWR))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
