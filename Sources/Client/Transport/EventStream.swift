import ComfyJSON
import Foundation
import Logging
import NIOCore
import NIOPosix
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
            await run({ event in _ = continuation.yield(event) }, group: nil)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Connects, and hands every event to `handle` as it is read, in order, until `.offline` or cancellation.
    /// No queue in between: the reading task runs the handler itself (for a monitor, one hop fewer per message).
    ///
    /// The socket gets an event loop of its own, and the reading task (with whatever `handle` does, actors
    /// included) runs on that loop's thread: a message goes from the socket to the handler without waking
    /// another thread.
    public func run(_ handle: @escaping @Sendable (ClientEvent) async -> Void) async {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(loop: group.next())
        await withTaskExecutorPreference(executor) {
            await run(handle, group: group)
        }
        try? await group.shutdownGracefully()
    }

    /// The reconnecting loop. `group`: the socket's event loops (nil: NIO's shared ones).
    private func run(_ emit: @escaping @Sendable (ClientEvent) async -> Void, group: (any EventLoopGroup)?) async {
        var attempt = 0
        var failures = 0
        while !Task.isCancelled {
            attempt += 1
            await emit(.connection(.connecting(attempt: attempt)))
            let greeted = LockedFlag()
            let reason = await connectOnce(emit, greeted: greeted, group: group)
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
    private func connectOnce(
        _ emit: @escaping @Sendable (ClientEvent) async -> Void, greeted: LockedFlag, group: (any EventLoopGroup)?
    ) async -> String {
        var logger = Logger(label: "comfytop.ws")
        logger.logLevel = .critical
        let wantFlags = previewMetadata
        let deadline = GreetingDeadline(budget: greetingTimeout)
        defer { deadline.finish() }
        let connection = WebSocketConnection(
            endpoint: endpoint, path: endpoint.webSocketPath(clientID: clientID), headers: endpoint.auth.httpHeaders,
            maxFrameSize: Self.maxMessageBytes, autoPing: .enabled(timePeriod: pingPeriod), closeTimeout: .seconds(2),
            opened: { deadline.attach($0) })
        let noAnswer = "no answer from \(endpoint.displayURL) within \(ComfyError.format(deadline.seconds)) s"
        do {
            let close = try await withTaskCancellationHandler {
                try await connection.run(group: group ?? MultiThreadedEventLoopGroup.singleton, logger: logger) {
                    inbound, outbound, _ in
                    if wantFlags {
                        try await outbound.write(
                            .text(#"{"type": "feature_flags", "data": {"supports_preview_metadata": true}}"#))
                    }
                    var decoder = FrameDecoder()
                    for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                        let event: ServerEvent
                        switch message {
                        case .text(let text): event = decoder.decode(text: text)
                        case .binary(let buffer): event = decoder.decode(binary: Array(buffer.readableBytesView))
                        }
                        if case .status(_, let sid?) = event, !greeted.value {
                            greeted.set()
                            deadline.greeted()
                            await emit(.connection(.connected(sid: sid)))
                        }
                        await emit(.server(event))
                    }
                }
            } onCancel: {
                deadline.cancel()
            }
            if deadline.expired { return noAnswer }
            if let close { return "closed by the server (code \(close.closeCode))" }
            return greeted.value ? "connection closed" : "closed before the server greeted us"
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

    static func describe(_ error: any Error, endpoint: Endpoint) -> String {
        let text = endpoint.scrub(String(describing: error))
        let lower = text.lowercased()
        if let tooLarge = error as? FrameTooLarge { return tooLarge.description }
        if lower.contains("messagetoolarge") || lower.contains("invalidframelength") {
            return "the server sent a WebSocket message larger than the limit of \(maxMessageBytes >> 20) MiB "
                + "(ComfyUI's previews and messages are far smaller); it was refused"
        }
        if lower.contains("connection refused") || lower.contains("errno: 111") {
            return "connection refused (is ComfyUI running at \(endpoint.displayURL)?)"
        }
        if lower.contains("401") || lower.contains("403") || lower.contains("upgradefailed") {
            return "the server refused the WebSocket upgrade at \(endpoint.displayURL)/ws (a proxy that wants "
                + "credentials, or not ComfyUI?)"
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

/// Runs tasks on a NIO event loop, so code that reads a socket can run on the thread that receives its bytes.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
