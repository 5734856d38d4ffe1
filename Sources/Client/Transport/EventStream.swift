import ComfyJSON
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import WSClient

/// The state of the WebSocket connection, as a screen or a script reports it.
public enum ConnectionEvent: Sendable, Equatable {
    case connecting(attempt: Int)
    /// The server greeted us; `sid` is our session id (our clientId).
    case connected(sid: String)
    /// The connection dropped or could not be made; the next attempt comes after `delay` seconds.
    case reconnecting(attempt: Int, delay: Double, reason: String)
    /// Given up (or stopped); no more events will follow.
    case offline(reason: String)
}

/// What an `EventStream` yields: connection changes and server messages.
public enum ClientEvent: Sendable, Equatable {
    case connection(ConnectionEvent)
    case server(ServerEvent)
}

/// ComfyUI's WebSocket as an `AsyncSequence` of typed events, with pings to notice a dead connection, and
/// reconnects with capped exponential backoff and jitter. It always uses its own clientId.
public struct EventStream: Sendable {
    public let endpoint: Endpoint
    public let clientID: String
    public var policy: ReconnectPolicy
    /// Ask for type-4 previews (with prompt and node ids) for our own prompts.
    public var previewMetadata: Bool
    /// Ping period; a missing pong within one period closes the connection.
    public var pingPeriod: Duration
    /// The budget of an attempt's connect, upgrade and first `status` message (ComfyUI greets as soon as the
    /// socket opens): an attempt not greeted by then is closed, and retried after the usual backoff.
    public var greetingTimeout: Duration = EventStream.greetingBudget
    /// The `greetingTimeout` of streams made in this task (10 s); tests shorten it for the streams a session makes.
    @TaskLocal public static var greetingBudget: Duration = .seconds(10)

    public init(
        endpoint: Endpoint, clientID: String = EventStream.newClientID(), policy: ReconnectPolicy = ReconnectPolicy(),
        previewMetadata: Bool = true, pingPeriod: Duration = .seconds(2)
    ) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.policy = policy
        self.previewMetadata = previewMetadata
        self.pingPeriod = pingPeriod
    }

    /// A fresh clientId of our own: never another client's (borrowing one deafens its owner).
    public static func newClientID() -> String {
        "comfytop-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
    }

    /// Starts connecting; the sequence ends after `.offline`, or when the consumer stops iterating.
    public func events() -> AsyncStream<ClientEvent> {
        let (stream, continuation) = AsyncStream<ClientEvent>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            await run { event in _ = continuation.yield(event) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Connects on one of NIO's shared event loops and hands every event to `handle` (see `run(on:_:readComplete:)`).
    public func run(_ handle: @escaping @Sendable (ClientEvent) -> Void) async {
        await run(on: MultiThreadedEventLoopGroup.singleton.next(), handle)
    }

    /// Connects on `loop`, and hands every event to `handle` on that loop's thread as it is read, in order, until
    /// `.offline` or cancellation; `readComplete` follows each read from the socket (one read may bring several
    /// messages, or none). No task or queue between the socket and `handle`: for a session whose actor runs on the
    /// same loop, a read costs one wake-up of one thread (B3, B8).
    public func run(
        on loop: any EventLoop, _ handle: @escaping @Sendable (ClientEvent) -> Void,
        readComplete: @escaping @Sendable () -> Void = {}
    ) async {
        // Connection changes are handed on on the loop too, in order with the messages.
        let emit: @Sendable (ClientEvent) async -> Void = { event in
            try? await loop.submit { handle(event) }.get()
        }
        var attempt = 0
        var failures = 0
        while !Task.isCancelled {
            attempt += 1
            await emit(.connection(.connecting(attempt: attempt)))
            let greeted = LockedFlag()
            let sink = SocketReader.Sink(
                greeted: { sid in
                    greeted.set()
                    handle(.connection(.connected(sid: sid)))
                },
                event: { handle(.server($0)) }, readComplete: readComplete)
            let reason = await connectOnce(on: loop, sink: sink, greeted: greeted)
            if Task.isCancelled { break }
            failures = greeted.value ? 1 : failures + 1
            if let max = policy.maxAttempts, failures >= max {
                await emit(.connection(.offline(reason: reason)))
                return
            }
            let delay = policy.delay(attempt: failures, random: Double.random(in: 0...1))
            await emit(.connection(.reconnecting(attempt: attempt + 1, delay: delay, reason: reason)))
            // A policy read from a config file may hold anything: never trap on the conversion.
            try? await Task.sleep(for: .milliseconds(WireNumber.int(min(max(delay, 0), 3600) * 1000) ?? 15_000))
        }
        await emit(.connection(.offline(reason: "stopped")))
    }

    /// One connection: returns why it ended.
    private func connectOnce(on loop: any EventLoop, sink: SocketReader.Sink, greeted: LockedFlag) async -> String {
        var logger = Logger(label: "comfytop.ws")
        logger.logLevel = .critical
        let deadline = GreetingDeadline(budget: greetingTimeout)
        defer { deadline.finish() }
        var sink = sink
        let greet = sink.greeted
        sink.greeted = { sid in
            deadline.greeted()
            greet(sid)
        }
        let connection = WebSocketConnection(
            endpoint: endpoint, path: endpoint.webSocketPath(clientID: clientID), headers: endpoint.auth.httpHeaders,
            maxFrameSize: Self.maxMessageBytes, pingPeriod: TimeAmount(pingPeriod), previewMetadata: previewMetadata,
            opened: { deadline.attach($0) })
        let noAnswer = "no answer from \(endpoint.displayURL) within \(ComfyError.format(deadline.seconds)) s"
        do {
            let ending = try await withTaskCancellationHandler {
                try await connection.run(on: loop, logger: logger, sink: sink)
            } onCancel: {
                deadline.cancel()
            }
            if deadline.expired { return noAnswer }
            switch ending {
            case .closedByServer(let code): return "closed by the server (code \(code))"
            case .closed: return greeted.value ? "connection closed" : "closed before the server greeted us"
            case .noPong(let seconds):
                return "no answer to a ping within \(ComfyError.format(seconds)) s (the connection was closed)"
            case .failed(let error): return Self.describe(error, endpoint: endpoint)
            }
        } catch let error as ComfyError {
            return deadline.expired ? noAnswer : error.scrubbed(endpoint.scrub).description
        } catch {
            return deadline.expired ? noAnswer : Self.describe(error, endpoint: endpoint)
        }
    }

    /// The largest WebSocket message (and frame) accepted: 16 MiB. ComfyUI's previews are JPEG or PNG at
    /// `--preview-size` (512 px by default: tens to a few hundred KiB; a 2048 px PNG stays under 13 MiB), and its
    /// text messages are small JSON, `executed` outputs included. A bigger frame is refused as soon as its header
    /// is read (nothing of it is buffered) and the connection is reopened.
    public static let maxMessageBytes = 16 * 1024 * 1024

    /// Why a connection failed, in words, from the error's type (its text holds the host and port: a port such as
    /// 4031 or a host named `ssl-gpu` must not make it read as a 403 or a TLS failure).
    static func describe(_ error: any Error, endpoint: Endpoint) -> String {
        if let tooLarge = error as? FrameTooLarge { return tooLarge.description }
        if let broken = error as? SocketProtocolError { return broken.description }
        if error as? WebSocketClientError == .webSocketUpgradeFailed {
            return "the server refused the WebSocket upgrade at \(endpoint.displayURL)/ws (a proxy that wants "
                + "credentials, or not ComfyUI?)"
        }
        let text = endpoint.scrub(String(describing: error))
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            return ComfyError.tls(url: endpoint.displayURL, detail: ComfyAPI.tlsDetail(text)).description
        }
        let lower = text.lowercased()
        if lower.contains("connection refused") || lower.contains("errno: 111") {
            return "connection refused (is ComfyUI running at \(endpoint.displayURL)?)"
        }
        return text
    }
}

/// A thread-safe one-way flag.
final class LockedFlag: @unchecked Sendable {
    private var flag = false
    private let lock = NSLock()
    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
