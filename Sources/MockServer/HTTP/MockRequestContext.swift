import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Hummingbird's `BasicWebSocketRequestContext`, plus the request's channel: `OriginCheck` marks the channel of an
/// upgrade it refuses, so that `OriginRefusalStatus` can answer 403 where Hummingbird writes 400.
struct MockRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
