import ComfyJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// `GET /ws?clientId=`: registers the socket with the engine, writes what the engine routes to it, and reads
/// the client's messages (only the first one matters: the feature-flag handshake).
enum WebSocketRoute {
    static func register(on router: Router<MockContext>, path: String, engine: MockEngine) {
        router.ws(RouterPath(stringLiteral: path), shouldUpgrade: Self.shouldUpgrade) { inbound, outbound, context in
            let clientID = MockRoutes.query(context.request)["clientId"]
            let (sid, id, frames) = await engine.connect(clientID: clientID)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in frames {
                        do {
                            switch frame {
                            case .text(let text): try await outbound.write(.text(text))
                            case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                            case .close:
                                try await outbound.close(.goingAway, reason: "mock: connection dropped")
                                return
                            }
                        } catch {
                            return
                        }
                    }
                }
                group.addTask {
                    var first = true
                    do {
                        for try await message in inbound.messages(maxSize: 64 * 1024 * 1024) {
                            if case .text(let text) = message {
                                await engine.received(text: text, sid: sid, isFirst: first)
                                first = false
                            } else {
                                first = false
                            }
                        }
                    } catch {}
                }
                await group.next()
                group.cancelAll()
            }
            await engine.disconnect(sid: sid, id: id)
        }
    }

    /// A plain `GET /ws` (no `Upgrade: websocket`) gets aiohttp's 400, as from ComfyUI, not Hummingbird's 200.
    @Sendable static func shouldUpgrade(_ request: Request, _ context: MockContext) throws -> RouterShouldUpgrade {
        let upgrade = request.headers[.upgrade]
        guard upgrade?.trimmingCharacters(in: .whitespaces).lowercased() == "websocket" else {
            throw NotAnUpgrade(upgrade: upgrade)
        }
        return .upgrade([:])
    }
}

/// aiohttp's `WebSocketResponse` answer to a request without `Upgrade: websocket`: 400, text/plain.
struct NotAnUpgrade: HTTPResponseError {
    let upgrade: String?
    var status: HTTPResponse.Status { .badRequest }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let text = "No WebSocket UPGRADE hdr: \(upgrade ?? "None")\n Can \"Upgrade\" only to \"WebSocket\"."
        return Response(
            status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
