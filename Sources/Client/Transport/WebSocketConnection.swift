import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSClient

/// One WebSocket connection to ComfyUI: the upgrade, TLS without SNI for IP literals, the frame limit, and a
/// `SocketReader` at the end of the pipeline that hands each message to its sink on the channel's event loop.
///
/// `WSClient.WebSocketClient` always hands the URL's host to TLS as the SNI name, and NIOSSL refuses an IP
/// address there (`cannotUseIPAddressInSNI`), so `wss://10.0.0.5:8188` could never connect. This sets the
/// pipeline up itself (through `WSClient`'s public `ClientConnection`) and gives TLS no server name for an IP
/// literal: SNI is left out, as RFC 6066 says, and the certificate is checked against the address (NIOSSL matches
/// IP subject-alternative-names with the peer's address). WSCore's message handler is not used: it runs two async
/// sequences and a task per message, which cost more than the rest of a message's path together (B3, B8).
struct WebSocketConnection {
    let endpoint: Endpoint
    let path: String
    let headers: [(String, String)]
    let maxFrameSize: Int
    let pingPeriod: TimeAmount
    let previewMetadata: Bool
    /// Told of each channel as it is made, before the connect (for a deadline that can close it).
    var opened: (@Sendable (any Channel) -> Void)? = nil

    /// Connects on `loop`, reads the socket into `sink` (on the loop's thread) until it closes, and says how it
    /// ended. Throws when the connection or the upgrade fails.
    func run(on loop: any EventLoop, logger: Logger, sink: SocketReader.Sink) async throws -> SocketEnding {
        let tls = endpoint.isTLS ? try NIOSSLContext(configuration: try ComfyAPI.tlsConfiguration(endpoint)) : nil
        let channel = UpgradeChannel(
            host: endpoint.host, authority: endpoint.hostHeader, path: path, headers: headers, sslContext: tls,
            maxFrameSize: maxFrameSize, pingPeriod: pingPeriod, previewMetadata: previewMetadata, sink: sink,
            opened: opened)
        return try await ClientConnection(
            channel, address: .hostname(endpoint.host, port: endpoint.port), eventLoopGroup: loop, logger: logger
        ).run()
    }

    /// True for an IPv4 or IPv6 literal (which must not be sent as SNI).
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

extension WebSocketConnection {
    struct UpgradeChannel: ClientConnectionChannel {
        enum UpgradeResult: Sendable {
            case websocket(EventLoopFuture<SocketEnding>)
            case notUpgraded
        }

        typealias Value = EventLoopFuture<UpgradeResult>

        let host: String
        let authority: String
        let path: String
        let headers: [(String, String)]
        let sslContext: NIOSSLContext?
        let maxFrameSize: Int
        let pingPeriod: TimeAmount
        let previewMetadata: Bool
        let sink: SocketReader.Sink
        let opened: (@Sendable (any Channel) -> Void)?

        func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
            opened?(channel)
            return channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
                    maxFrameSize: maxFrameSize,
                    // A frame over the limit must reach us as an error (NIO's automatic handling would close
                    // the socket quietly, and the user would see only "connection closed").
                    enableAutomaticErrorHandling: false,
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            // The decoder refuses an oversized frame without saying its size: a peek at each
                            // frame's header, in front of it, lets the error say how big the frame was.
                            let sizes = FrameSizes(limit: maxFrameSize)
                            let decoder = try channel.pipeline.syncOperations.handler(
                                type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
                            try channel.pipeline.syncOperations.addHandler(sizes, position: .before(decoder))
                            try channel.pipeline.syncOperations.addHandler(CloseOnFrameError(sizes: sizes))
                            let ended = channel.eventLoop.makePromise(of: SocketEnding.self)
                            try channel.pipeline.syncOperations.addHandler(
                                SocketReader(
                                    limit: maxFrameSize, pingPeriod: pingPeriod, previewMetadata: previewMetadata,
                                    sink: sink, ended: ended))
                            return .websocket(ended.futureResult)
                        }
                    })
                var head = HTTPHeaders()
                // No Origin: only browsers must send one (RFC 6455 §4.1), and behind a proxy that hands ComfyUI
                // a loopback Host (nginx's default) ComfyUI's origin check refuses any Origin naming the proxy.
                head.replaceOrAdd(name: "Host", value: authority)
                for (name, value) in headers { head.add(name: name, value: value) }
                let upgrade = NIOTypedHTTPClientUpgradeConfiguration(
                    upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: head),
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture { UpgradeResult.notUpgraded }
                    })
                var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
                pipeline.leftOverBytesStrategy = .forwardBytes
                if let sslContext {
                    let serverName = WebSocketConnection.isIPAddress(host) ? nil : host
                    let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                    try channel.pipeline.syncOperations.addHandler(tls, position: .first)
                }
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: pipeline)
            }
        }

        func handle(value: Value, logger: Logger) async throws -> SocketEnding {
            switch try await value.get() {
            case .websocket(let ended): return try await ended.get()
            case .notUpgraded: throw WebSocketClientError.webSocketUpgradeFailed
            }
        }
    }
}
extension Endpoint {
    /// The `Host` header: the authority as the URL has it (brackets around IPv6, the port unless default).
    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? h : "\(h):\(port)"
    }

    /// The path and query of the WebSocket URL for a clientId (with the token query, if any).
    func webSocketPath(clientID: String) -> String {
        let full = url("/ws", query: [("clientId", clientID)])
        let prefix = "\(scheme)://\(hostHeader)"
        return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : "/ws?clientId=\(clientID)"
    }
}

/// A frame the client refused for its size.
public struct FrameTooLarge: Error, CustomStringConvertible, Sendable {
    public let bytes: Int
    public let limit: Int

    public var description: String {
        "frame of \(Self.mebibytes(bytes)) MiB exceeds the limit of \(limit >> 20) MiB; ComfyUI's previews and "
            + "messages are far smaller, so it was refused"
    }

    static func mebibytes(_ n: Int) -> String {
        let tenths = n / (1024 * 1024 / 10)
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// Reads the header of each WebSocket frame as it passes (bytes unchanged), to know the size of the frame the
/// decoder behind it is reading. Lives on the channel's event loop only.
final class FrameSizes: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let limit: Int
    /// The payload length of the latest frame header seen.
    private(set) var lastLength = 0
    private var header: [UInt8] = []
    private var skip = 0

    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var view = buffer.readableBytesView[...]
        while !view.isEmpty {
            if skip > 0 {
                let n = min(skip, view.count)
                skip -= n
                view = view.dropFirst(n)
                continue
            }
            header.append(view.removeFirst())
            guard let length = Self.payloadLength(header) else { continue }
            lastLength = length
            header.removeAll(keepingCapacity: true)
            skip = length
        }
        context.fireChannelRead(data)
    }

    /// The payload length, once `h` holds a whole frame header.
    static func payloadLength(_ h: [UInt8]) -> Int? {
        guard h.count >= 2 else { return nil }
        let masked = h[1] & 0x80 != 0
        let short = Int(h[1] & 0x7F)
        let extra = short == 126 ? 2 : short == 127 ? 8 : 0
        let size = 2 + extra + (masked ? 4 : 0)
        guard h.count >= size else { return nil }
        var length = short
        if extra > 0 {
            length = 0
            for k in 0..<extra { length = length << 8 | Int(h[2 + k]) }
            if length < 0 { length = Int.max }
        }
        return length
    }
}

/// Closes the socket as soon as the frame decoder refuses a frame (one over the size limit, or broken), and says
/// how big it was. Without it the refused frame's bytes keep arriving, and are buffered, while the close
/// handshake waits.
final class CloseOnFrameError: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    let sizes: FrameSizes

    init(sizes: FrameSizes) { self.sizes = sizes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.fireChannelRead(data) }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketError, error == .invalidFrameLength, sizes.lastLength > sizes.limit {
            context.fireErrorCaught(FrameTooLarge(bytes: sizes.lastLength, limit: sizes.limit))
        } else {
            context.fireErrorCaught(error)
        }
        if error is NIOWebSocketError { context.close(promise: nil) }
    }
}
