import ComfyJSON
import ComfyTestSupport
import Foundation
import Logging
import Testing

@testable import ComfyClient
@testable import ComfyMock

/// wss:// to an IP address, the WebSocket frame limit, HTTP body limits and slow servers.
@Suite("Transport limits and TLS to IP addresses")
struct TransportLimitsTests {
    /// A self-signed certificate for both loopback addresses (as IP subject-alternative-names only).
    static func makeCertificate() throws -> (cert: String, key: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-ip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=comfytop-test", "-addext", "subjectAltName=IP:127.0.0.1,IP:::1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LoopbackError("openssl failed to make a certificate") }
        return (cert, key, dir)
    }

    /// Starts a mock on `host`; returns its port and the task that runs it.
    static func startMock(host: String, tls: (String, String)?) async throws -> (
        port: Int, engine: MockEngine, task: Task<Void, any Error>, dir: URL
    ) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-mock-\(UUID().uuidString)")
        var logger = Logger(label: "test.mock")
        logger.logLevel = .critical
        var server = MockServer(host: host, port: 0, configuration: .init(dataDirectory: dir), logger: logger)
        server.tls = tls.map { (certificate: $0.0, key: $0.1) }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { port in continuation.yield(port) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw LoopbackError("mock did not start") }
        return (port, server.engine, task, dir)
    }

    /// Reads `stream` until `until` says stop or the stream ends; returns the connection events seen.
    static func watch(_ stream: EventStream, until: @escaping @Sendable (ClientEvent) -> Bool) async -> [ClientEvent] {
        var seen: [ClientEvent] = []
        for await event in stream.events() {
            seen.append(event)
            if until(event) { break }
        }
        return seen
    }

    @Test(
        "wss:// and https:// to an IP literal connect (no SNI), the certificate checked against the address",
        arguments: ["127.0.0.1", "::1"])
    func tlsToIPAddress(host: String) async throws {
        let (cert, key, dir) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mock = try await Self.startMock(host: host, tls: (cert, key))
        defer { mock.task.cancel() }
        let authority = host.contains(":") ? "[\(host)]" : host
        let endpoint = try Endpoint(url: "https://\(authority):\(mock.port)", tls: TLSOptions(caFile: cert))
        let api = try ComfyAPI(endpoint: endpoint, requestTimeout: 10)
        defer { Task { await api.shutdown() } }
        #expect(try await api.queue().isEmpty)

        var policy = ReconnectPolicy()
        policy.maxAttempts = 2
        let stream = EventStream(endpoint: endpoint, policy: policy)
        let seen = await Self.watch(stream) { event in
            if case .connection(.connected) = event { return true }
            return false
        }
        #expect(seen.contains { if case .connection(.connected) = $0 { return true } else { return false } }, "\(seen)")

        // Without --ca-file the same server is refused: leaving SNI out does not turn verification off.
        let strict = EventStream(endpoint: try Endpoint(url: "https://\(authority):\(mock.port)"), policy: policy)
        let refused = await Self.watch(strict) { _ in false }
        #expect(!refused.contains { if case .connection(.connected) = $0 { return true } else { return false } })
        #expect(WebSocketConnection.isIPAddress(host) && !WebSocketConnection.isIPAddress("gpu-box.local"))
    }

    @Test("a WebSocket message over 16 MiB is refused with a clear reason; one under it is decoded")
    func frameLimit() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        var policy = ReconnectPolicy()
        policy.maxAttempts = 1
        let stream = EventStream(endpoint: try Endpoint(url: mock.baseURL), policy: policy)
        let engine = mock.engine
        let small = [0, 0, 0, 1, 0, 0, 0, 1] + [UInt8](repeating: 0xAB, count: 1 << 20)
        let huge = [0, 0, 0, 1, 0, 0, 0, 1] + [UInt8](repeating: 0xCD, count: 17 << 20)
        let seen = await Self.watch(stream) { event in
            switch event {
            case .connection(.connected):
                Task {
                    await engine.sendBytes(small, to: nil)
                    await engine.sendBytes(huge, to: nil)
                }
                return false
            case .connection(.offline), .connection(.reconnecting): return true
            default: return false
            }
        }
        let previews = seen.compactMap { event -> Int? in
            if case .server(.preview(let p)) = event { return p.bytes.count }
            return nil
        }
        #expect(previews == [1 << 20])
        let reasons = seen.compactMap { event -> String? in
            switch event {
            case .connection(.offline(let r)), .connection(.reconnecting(_, _, let r)): return r
            default: return nil
            }
        }
        #expect(reasons.contains { $0.contains("frame of 17.0 MiB exceeds the limit of 16 MiB") }, "\(reasons)")
    }

    @Test("an HTTP body beyond the route's limit is refused, announced or not; /history may be tens of MB")
    func bodyLimits() async throws {
        let server = try LoopbackServer { request in
            if request.path.hasPrefix("/history") {
                // Announces 2 GB: refused on the header, nothing read.
                return .repeated(
                    head: "HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\nContent-Type: application/json\r\n\r\n",
                    chunk: [UInt8](repeating: 0x20, count: 1 << 20), count: 2000)
            }
            // Announces nothing, sends 20 MiB then closes: refused once 16 MiB are read.
            return .repeated(
                head: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n",
                chunk: [UInt8](repeating: 0x20, count: 1 << 20), count: 20)
        }
        defer { server.stop() }
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:\(server.port)"), requestTimeout: 20)
        defer { Task { await api.shutdown() } }
        do {
            _ = try await api.history()
            Issue.record("a 2 GB /history was read")
        } catch {
            #expect(error.description.contains("larger than 64 MiB"), "\(error)")
        }
        do {
            _ = try await api.systemStats()
            Issue.record("a 20 MiB /system_stats was read")
        } catch {
            #expect(error.description.contains("larger than 16 MiB"), "\(error)")
        }
        #expect(ComfyAPI.bodyLimit(for: "/history") >= 48 << 20)
        #expect(ComfyAPI.bodyLimit(for: "/history/abc") >= 48 << 20)
    }

    @Test("a server that sends a byte a second times out, in the head or in the body")
    func slowServer() async throws {
        let body = Array(#"{"system": {}, "devices": []}"#.utf8)
        let server = try LoopbackServer { request in
            if request.path.hasPrefix("/system_stats") {
                return .trickle(
                    head: "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n", body: body, interval: 0.5)
            }
            let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".utf8)
            return .trickle(head: "", body: head, interval: 0.5)
        }
        defer { server.stop() }
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:\(server.port)"), requestTimeout: 1)
        defer { Task { await api.shutdown() } }
        for call in ["body", "head"] {
            do {
                if call == "body" { _ = try await api.systemStats() } else { _ = try await api.queue() }
                Issue.record("a trickling \(call) was accepted")
            } catch {
                guard case .timeout = error else {
                    Issue.record("expected a timeout for the \(call), got \(error)")
                    continue
                }
            }
        }
    }
}
