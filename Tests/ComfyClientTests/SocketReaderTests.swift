import Foundation
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import ComfyClient

/// The WebSocket reader at the end of the socket's pipeline, on NIO's embedded channel (frames in, frames out, a
/// clock the test moves).
@Suite("SocketReader: messages, pings and the close handshake on the socket's loop")
struct SocketReaderTests {
    /// What the sink was given, in order.
    typealias Seen = LockedLog<String>

    struct Harness {
        let channel: EmbeddedChannel
        let seen: Seen
        let ended: EventLoopFuture<SocketEnding>
    }

    static func make(limit: Int = 1 << 20, flags: Bool = false) throws -> Harness {
        let channel = EmbeddedChannel()
        let seen = Seen()
        let ended = channel.eventLoop.makePromise(of: SocketEnding.self)
        let sink = SocketReader.Sink(
            greeted: { seen.append("greeted \($0)") },
            event: { event in
                switch event {
                case .status(let remaining, _): seen.append("status \(remaining)")
                case .progress(_, _, let value, let max): seen.append("progress \(Int(value))/\(Int(max))")
                case .preview(let image): seen.append("preview \(image.bytes.count)")
                default: seen.append("other")
                }
            },
            readComplete: { seen.append("read") })
        let reader = SocketReader(
            limit: limit, pingPeriod: .seconds(2), previewMetadata: flags, sink: sink, ended: ended)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.pipeline.syncOperations.addHandler(reader)
        return Harness(channel: channel, seen: seen, ended: ended.futureResult)
    }

    static func text(_ s: String, fin: Bool = true, opcode: WebSocketOpcode = .text) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: s))
    }

    /// The frames the reader wrote (no encoder here: `data` is still unmasked, the key beside it).
    static func sent(_ channel: EmbeddedChannel) throws -> [WebSocketFrame] {
        var out: [WebSocketFrame] = []
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) { out.append(frame) }
        return out
    }

    static let status = #"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 2}}, "sid": "me"}}"#
    static let progress = #"{"type": "progress", "data": {"value": 3, "max": 8, "prompt_id": "p", "node": "2"}}"#

    @Test("each message reaches the sink at once, in order; the greeting first; a read ends with readComplete")
    func messagesInOrder() throws {
        let h = try Self.make(flags: true)
        // The feature flags go out first, masked as a client's frames must be.
        let flags = try Self.sent(h.channel)
        #expect(flags.count == 1 && flags[0].opcode == .text && flags[0].maskKey != nil)
        #expect(String(buffer: flags[0].data).contains("supports_preview_metadata"))
        // Two messages in one read (the embedded channel ends each `writeInbound` with a read-complete).
        h.channel.pipeline.fireChannelRead(Self.text(Self.status))
        h.channel.pipeline.fireChannelRead(Self.text(Self.progress))
        h.channel.pipeline.fireChannelReadComplete()
        try h.channel.writeInbound(Self.text(Self.status))
        #expect(h.seen.all == ["greeted me", "status 2", "progress 3/8", "read", "status 2", "read"])
    }

    @Test("a fragmented message is joined; a binary preview arrives whole")
    func fragments() throws {
        let h = try Self.make()
        let whole = Self.progress
        let cut = whole.index(whole.startIndex, offsetBy: 30)
        try h.channel.writeInbound(Self.text(String(whole[..<cut]), fin: false))
        try h.channel.writeInbound(Self.text(String(whole[cut...]), fin: true, opcode: .continuation))
        var preview = ByteBuffer()
        preview.writeInteger(UInt32(1))
        preview.writeInteger(UInt32(1))
        preview.writeBytes([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
        try h.channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: preview))
        #expect(h.seen.all == ["read", "progress 3/8", "read", "preview 7", "read"])
    }

    @Test("a message over the limit closes the socket and says how big it was")
    func tooLarge() throws {
        let h = try Self.make(limit: 64)
        try h.channel.writeInbound(Self.text(String(repeating: "x", count: 40), fin: false))
        try h.channel.writeInbound(Self.text(String(repeating: "y", count: 40), fin: false, opcode: .continuation))
        let ending = try h.ended.wait()
        guard case .failed(let error as FrameTooLarge) = ending else {
            Issue.record("ended as \(ending)")
            return
        }
        #expect(error.bytes == 80 && error.limit == 64)
        #expect(!h.seen.all.contains { $0 != "read" })
    }

    @Test("a server's ping is answered with its data; an unanswered ping closes the socket a period later")
    func pings() throws {
        let h = try Self.make()
        try h.channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "abc")))
        let pong = try Self.sent(h.channel)
        #expect(pong.count == 1 && pong[0].opcode == .pong && String(buffer: pong[0].data) == "abc")
        #expect(pong[0].maskKey != nil)
        // Our ping goes out after a period; its pong keeps the socket open.
        h.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        let ping = try Self.sent(h.channel)
        #expect(ping.count == 1 && ping[0].opcode == .ping)
        try h.channel.writeInbound(WebSocketFrame(fin: true, opcode: .pong, data: ping[0].data))
        h.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(h.channel.isActive)
        // The next ping goes unanswered: closed at the one after.
        _ = try Self.sent(h.channel)
        h.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!h.channel.isActive)
        guard case .noPong(let seconds) = try h.ended.wait() else {
            Issue.record("not ended for the ping")
            return
        }
        #expect(seconds == 2)
    }

    @Test("a server that never answers pings but keeps sending stays connected; silence after a ping closes")
    func messagesProveLife() throws {
        let h = try Self.make()
        for _ in 0..<5 {
            h.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
            #expect(try Self.sent(h.channel).map(\.opcode) == [.ping])
            // Part of a large message (no whole frame yet) still proves the server alive.
            try h.channel.writeInbound(Self.text("{", fin: false))
            try h.channel.writeInbound(Self.text("}", fin: true, opcode: .continuation))
        }
        #expect(h.channel.isActive)
        h.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(!h.channel.isActive)
        guard case .noPong = try h.ended.wait() else {
            Issue.record("not ended for the ping")
            return
        }
    }

    @Test("the server's close frame is answered with its code, and the ending names it")
    func close() throws {
        let h = try Self.make()
        var data = ByteBuffer()
        data.write(webSocketErrorCode: .goingAway)
        try h.channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        let answer = try Self.sent(h.channel)
        #expect(answer.count == 1 && answer[0].opcode == .connectionClose)
        var body = answer[0].data
        #expect(body.readWebSocketErrorCode() == .goingAway)
        guard case .closedByServer(let code) = try h.ended.wait() else {
            Issue.record("not ended by the server")
            return
        }
        #expect(code == .goingAway)
    }

    @Test("a continuation with no message, or a message inside a fragmented one, is a protocol error")
    func protocolErrors() throws {
        let h = try Self.make()
        try h.channel.writeInbound(Self.text("x", fin: true, opcode: .continuation))
        guard case .failed(let error) = try h.ended.wait() else {
            Issue.record("not failed")
            return
        }
        #expect(String(describing: error).contains("continuation"))
    }

    @Test("a frame the decoder refuses is named in words, not as a Swift case name")
    func decoderErrorsInWords() throws {
        let h = try Self.make()
        h.channel.pipeline.fireErrorCaught(NIOWebSocketError.fragmentedControlFrame)
        guard case .failed(let error) = try h.ended.wait() else {
            Issue.record("not failed")
            return
        }
        let endpoint = try Endpoint(url: "http://gpu:8188")
        #expect(
            EventStream.describe(error, endpoint: endpoint)
                == "the server broke the WebSocket protocol: a control frame split into fragments")
    }

    struct ConnectError: Error, CustomStringConvertible {
        let description: String
    }

    @Test("a port or host that holds 403, 401 or ssl does not make a network error read as a refusal or TLS")
    func reasonsFromTypesNotText() throws {
        let endpoint = try Endpoint(url: "http://ssl-box:4031")
        let error = ConnectError(
            description: #"NIOConnectionError(host: "ssl-box", port: 4031, connectionErrors: [No route to host])"#)
        let reason = EventStream.describe(error, endpoint: endpoint)
        #expect(!reason.contains("upgrade") && !reason.contains("TLS"))
        #expect(reason.contains("No route to host"))
        let refused = ConnectError(description: "connect(descriptor:addr:size:): Connection refused (errno: 111)")
        #expect(EventStream.describe(refused, endpoint: endpoint).hasPrefix("connection refused"))
    }
}
