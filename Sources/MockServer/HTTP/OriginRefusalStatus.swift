import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// ComfyUI's origin check refuses a WebSocket upgrade with 403, as any request. Hummingbird cannot say so: a
/// refused upgrade is answered by its upgrade channel with a hard-coded 400, past the router. `OriginCheck` marks
/// the channel of an upgrade it refuses; this handler, which Hummingbird adds to the HTTP pipeline of a connection
/// that did not upgrade (after the router refused), takes the mark and turns that connection's 400 into 403.
/// Every other answer passes untouched.
final class OriginRefusalStatus: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private static let marked = Mutex<Set<ObjectIdentifier>>([])
    private var refused = false

    /// Called by `OriginCheck` when it refuses an upgrade on `channel`.
    static func mark(_ channel: any Channel) {
        _ = marked.withLock { $0.insert(ObjectIdentifier(channel)) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let id = ObjectIdentifier(context.channel)
        refused = Self.marked.withLock { $0.remove(id) != nil }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if refused, case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest {
            refused = false
            head.status = .forbidden
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        }
        context.write(data, promise: promise)
    }
}
