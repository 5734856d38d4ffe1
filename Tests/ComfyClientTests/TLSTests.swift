import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

@Suite("TLS to a mock with a self-signed certificate")
struct TLSTests {
    /// Makes a self-signed certificate for 127.0.0.1 with the openssl command.
    static func makeCertificate() throws -> (cert: String, key: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("openssl failed to make a certificate") }
        return (cert, key, dir)
    }

    @Test("rejected by default with a message that says what to do; accepted with --ca-file; HTTP and WebSocket")
    func selfSigned() async throws {
        let (cert, key, dir) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mock = try await MockHarness.start(tls: (cert, key))
        defer { Task { await mock.stop() } }

        let strict = try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL), requestTimeout: 10)
        defer { Task { await strict.shutdown() } }
        do {
            _ = try await strict.queue()
            Issue.record("a self-signed certificate was accepted without --ca-file")
        } catch {
            guard case .tls = error else {
                Issue.record("expected a TLS error, got \(error)")
                return
            }
            #expect(error.description.contains("--ca-file"))
        }

        let trusting = try ComfyAPI(
            endpoint: try Endpoint(url: mock.baseURL, tls: TLSOptions(caFile: cert)), requestTimeout: 10)
        defer { Task { await trusting.shutdown() } }
        #expect(try await trusting.queue().isEmpty)
        let (_, item) = try await JobRunner(api: trusting).run(prompt: Workflows.slow(steps: 2, delayMS: 10)) { _ in }
        #expect(item.outcome == .success)

        let insecure = try ComfyAPI(
            endpoint: try Endpoint(url: mock.baseURL, tls: TLSOptions(insecure: true)), requestTimeout: 10)
        defer { Task { await insecure.shutdown() } }
        #expect(try await insecure.queueRemaining() == 0)
    }
}
