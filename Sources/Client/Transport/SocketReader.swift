import Foundation
import NIOCore
import NIOWebSocket

/// How one WebSocket connection ended, as `SocketReader` saw it.
enum SocketEnding: Sendable {
    /// The server sent a close frame with this code.
    case closedByServer(WebSocketErrorCode)
    /// The socket closed with no close frame (or we closed it).
    case closed
    /// A ping went unanswered for a whole period.
    case noPong(seconds: Double)
    /// The pipeline reported an error (an oversized or broken frame, a TLS failure, a reset).
    case failed(any Error)
}

/// ComfyUI's WebSocket, read on its channel's event loop, as the last handler of the pipeline: frames become
/// messages (text or binary; continuations joined; at most `limit` bytes), messages become `ServerEvent`s, and each
/// one goes to `onEvent` at once, in order, on the loop's thread; `onReadComplete` follows every read from the
/// socket, however many messages it held. No task and no queue in between: a read costs one wake-up of one thread
/// (B3, B8). It also pings every `pingPeriod` (a ping followed by a whole period with nothing read closes the
/// connection), answers the server's pings and its close frame, and asks for type-4 previews when `previewMetadata`
/// is set.
///
/// Lives on its channel's event loop only (as every NIO handler).
final class SocketReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Where the messages go; every call is made on the channel's event loop.
    struct Sink: Sendable {
        /// The server greeted us (its first `status` carries our session id); called once, before that message.
        var greeted: @Sendable (String) -> Void
        var event: @Sendable (ServerEvent) -> Void
        var readComplete: @Sendable () -> Void
    }

    let limit: Int
    let pingPeriod: TimeAmount
    let previewMetadata: Bool
    let sink: Sink
    /// Completed when the channel closes, with how.
    let ended: EventLoopPromise<SocketEnding>

    private var decoder = FrameDecoder()
    private var partial: ByteBuffer?
    private var partialIsText = false
    private var pinger: RepeatedTask?
    private var awaitingPong = false
    private var pings: UInt32 = 0
    private var ending: SocketEnding?
    private var isGreeted = false
    private var finished = false

    init(
        limit: Int, pingPeriod: TimeAmount, previewMetadata: Bool, sink: Sink, ended: EventLoopPromise<SocketEnding>
    ) {
        self.limit = limit
        self.pingPeriod = pingPeriod
        self.previewMetadata = previewMetadata
        self.sink = sink
        self.ended = ended
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if previewMetadata {
            send(
                context, .text,
                #"{"type": "feature_flags", "data": {"supports_preview_metadata": true}}"#)
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: pingPeriod, delay: pingPeriod) { _ in
            let (reader, context) = loopBound.value
            reader.ping(context)
        }
        if !context.channel.isActive { finish() }
    }

    func handlerRemoved(context: ChannelHandlerContext) { finish() }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if ending == nil { ending = .failed(SocketProtocolError(error) ?? error) }
        context.close(promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Any bytes from the server prove the connection alive, not only a pong: a pong queued behind a large
        // preview on a slow link, or a server that sends messages but never answers pings, must not be dropped.
        awaitingPong = false
        sink.readComplete()
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard partial == nil else { return protocolError(context, "a new message inside a fragmented one") }
            if frame.fin {
                deliver(frame.unmaskedData, text: frame.opcode == .text)
            } else {
                partial = frame.unmaskedData
                partialIsText = frame.opcode == .text
            }
        case .continuation:
            guard var buffer = partial else { return protocolError(context, "a continuation with no message") }
            var data = frame.unmaskedData
            guard buffer.readableBytes + data.readableBytes <= limit else {
                ending = .failed(FrameTooLarge(bytes: buffer.readableBytes + data.readableBytes, limit: limit))
                partial = nil
                context.close(promise: nil)
                return
            }
            buffer.writeBuffer(&data)
            if frame.fin {
                partial = nil
                deliver(buffer, text: partialIsText)
            } else {
                partial = buffer
            }
        case .ping:
            guard frame.fin else { return protocolError(context, "a fragmented ping") }
            send(context, .pong, frame.unmaskedData)
        case .pong:
            awaitingPong = false
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            if ending == nil { ending = .closedByServer(code) }
            // Answer the close (with its code, as RFC 6455 §5.5.1 asks), then close the socket.
            var answer = context.channel.allocator.buffer(capacity: 2)
            answer.write(webSocketErrorCode: code)
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: answer)
            context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in context.close(promise: nil) }
        default:
            protocolError(context, "an unknown opcode")
        }
    }

    private func deliver(_ buffer: ByteBuffer, text: Bool) {
        let event: ServerEvent =
            text
            ? buffer.withUnsafeReadableBytes { raw in
                decoder.decode(raw.bindMemory(to: UInt8.self), raw: String(buffer: buffer))
            }
            : decoder.decode(binary: Array(buffer.readableBytesView))
        if !isGreeted, case .status(_, let sid?) = event {
            isGreeted = true
            sink.greeted(sid)
        }
        sink.event(event)
    }

    private func ping(_ context: ChannelHandlerContext) {
        guard ending == nil, context.channel.isActive else { return }
        if awaitingPong {
            ending = .noPong(seconds: Double(pingPeriod.nanoseconds) / 1e9)
            context.close(promise: nil)
            return
        }
        awaitingPong = true
        pings &+= 1
        var data = context.channel.allocator.buffer(capacity: 4)
        data.writeInteger(pings)
        send(context, .ping, data)
    }

    private func send(_ context: ChannelHandlerContext, _ opcode: WebSocketOpcode, _ text: String) {
        send(context, opcode, context.channel.allocator.buffer(string: text))
    }

    private func send(_ context: ChannelHandlerContext, _ opcode: WebSocketOpcode, _ data: ByteBuffer) {
        // A client masks every frame it sends (RFC 6455 §5.3); the encoder applies the key.
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func protocolError(_ context: ChannelHandlerContext, _ what: String) {
        if ending == nil { ending = .failed(SocketProtocolError(what: what)) }
        partial = nil
        context.close(promise: nil)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        pinger?.cancel()
        pinger = nil
        ended.succeed(ending ?? .closed)
    }
}

/// The server broke the WebSocket protocol (after the upgrade).
struct SocketProtocolError: Error, CustomStringConvertible {
    let what: String
    var description: String { "the server broke the WebSocket protocol: \(what)" }

    init(what: String) { self.what = what }

    /// The frame decoder's error in words (its own are Swift case names); nil for any other error.
    init?(_ error: any Error) {
        switch error as? NIOWebSocketError {
        case .fragmentedControlFrame: what = "a control frame split into fragments"
        case .multiByteControlFrameLength: what = "a control frame longer than 125 bytes"
        case .invalidFrameLength: what = "a frame length that cannot be read"
        case nil: return nil
        }
    }
}
