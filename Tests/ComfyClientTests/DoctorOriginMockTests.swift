import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

/// The mock's origin check answers as ComfyUI's does (403, WebSocket upgrades included), and comfytop's socket,
/// which sends no Origin, passes it.
@Suite("doctor and comfytop's socket against the mock's origin check")
struct DoctorOriginMockTests {
    @Test("no Origin: the upgrade passes the origin check; an Origin naming another host gets 403, as from ComfyUI")
    func originCheck() async throws {
        let mock = try await MockHarness.start(originCheck: true)
        defer { Task { await mock.stop() } }
        let probes = DoctorProbes(timeout: 10)
        let plain = await probes.webSocket(endpoint: try Endpoint(url: mock.baseURL))
        guard case .upgraded = plain else {
            Issue.record("without Origin: \(plain)")
            return
        }
        let foreign = Auth(headers: ["Origin": "http://proxy.example:8080"])
        let refused = await probes.webSocket(endpoint: try Endpoint(url: mock.baseURL, auth: foreign))
        guard case .refused(let status, _, _) = refused else {
            Issue.record("with a foreign Origin: \(refused)")
            return
        }
        #expect(status == 403)
        // The HTTP side refuses the same Origin with 403 as well.
        let queue = try await mock.request("GET", "/queue", headers: [("Origin", "http://proxy.example:8080")])
        #expect(queue.status == 403)

        // comfytop's own socket connects with the check on.
        var policy = ReconnectPolicy()
        policy.maxAttempts = 1
        let stream = EventStream(endpoint: try Endpoint(url: mock.baseURL), policy: policy)
        var connected = false
        for await event in stream.events() {
            if case .connection(.connected) = event {
                connected = true
                break
            }
            if case .connection(.offline) = event { break }
        }
        #expect(connected)
    }

    @Test("a plain GET /ws (no Upgrade) gets aiohttp's 400, as from ComfyUI")
    func plainGet() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        for path in ["/ws", "/api/ws"] {
            let answer = try await mock.get(path)
            #expect(answer.status == 400)
            #expect(answer.text.hasPrefix("No WebSocket UPGRADE hdr: None"))
        }
    }
}
