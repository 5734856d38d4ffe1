import Foundation
import Testing

@testable import ComfyClient

/// comfytop's own socket sends no `Origin` (RFC 6455 §4.1 asks it of browsers only): behind a proxy that hands
/// ComfyUI a loopback Host, ComfyUI's origin check refuses any Origin that names the proxy.
struct WebSocketOriginTests {
    @Test("the WebSocket upgrade carries Host, Upgrade and the key, and no Origin")
    func upgradeHasNoOrigin() async throws {
        let server = try LoopbackServer { _ in .http("403 Forbidden", body: "") }
        defer { server.stop() }
        var policy = ReconnectPolicy()
        policy.maxAttempts = 1
        let stream = EventStream(endpoint: try Endpoint(url: "http://127.0.0.1:\(server.port)"), policy: policy)
        for await event in stream.events() {
            if case .connection(.offline) = event { break }
        }
        let upgrades = server.requests.filter { $0.path.hasPrefix("/ws?clientId=") }
        #expect(!upgrades.isEmpty)
        for request in upgrades {
            #expect(request.header("Upgrade")?.lowercased() == "websocket")
            #expect(request.header("Host") == "127.0.0.1:\(server.port)")
            #expect(request.header("Sec-WebSocket-Key") != nil)
            #expect(request.header("Origin") == nil, "\(request.head)")
        }
    }
}
