import ComfyJSON
import ComfyMock
import Foundation
import Logging
import NIOCore
import NIOWebSocket
import WSClient

/// A frame a test socket received.
public enum ReceivedFrame: Sendable {
    case text(JSONValue)
    case binary([UInt8])

    /// `status`, `progress`, …, or `binary/<type>` as the fixtures count them.
    public var kind: String {
        switch self {
        case .text(let json): return json["type"]?.stringValue ?? "?"
        case .binary(let bytes):
            guard bytes.count >= 4 else { return "binary/?" }
            let type = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            return "binary/\(type)"
        }
    }

    public var json: JSONValue? {
        if case .text(let j) = self { return j }
        return nil
    }
}

/// A WebSocket client for tests: records every frame, sends on request, closes on request.
public final class TestSocket: Sendable {
    private let state = LockedBox<[ReceivedFrame]>([])
    private let closed = LockedBox<Bool>(false)
    private let outgoing: AsyncStream<String?>.Continuation
    private let task: Task<Void, Never>

    public init(baseURL: String, path: String) {
        let url = baseURL.replacingOccurrences(of: "http://", with: "ws://") + path
        let (stream, continuation) = AsyncStream<String?>.makeStream()
        outgoing = continuation
        let state = self.state
        let closed = self.closed
        task = Task {
            var logger = Logger(label: "test.ws")
            logger.logLevel = .critical
            _ = try? await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 64 * 1024 * 1024), logger: logger
            ) { inbound, outbound, _ in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream {
                            guard let text else {
                                try? await outbound.close(.normalClosure, reason: nil)
                                return
                            }
                            try? await outbound.write(.text(text))
                        }
                    }
                    group.addTask {
                        do {
                            for try await message in inbound.messages(maxSize: 64 * 1024 * 1024) {
                                switch message {
                                case .text(let text):
                                    let json = (try? JSONValue.parse(text)) ?? .string(text)
                                    state.mutate { $0.append(.text(json)) }
                                case .binary(let buffer):
                                    state.mutate { $0.append(.binary(Array(buffer.readableBytesView))) }
                                }
                            }
                        } catch {}
                    }
                    await group.next()
                    group.cancelAll()
                }
            }
            closed.mutate { $0 = true }
        }
    }

    public var frames: [ReceivedFrame] { state.value }
    public var kinds: [String] { frames.map(\.kind) }
    public var isClosed: Bool { closed.value }

    public func send(_ text: String) { outgoing.yield(text) }

    public func close() async {
        outgoing.yield(nil)
        outgoing.finish()
        _ = await task.value
    }

    public func abandon() {
        task.cancel()
    }

    /// Waits until a received frame satisfies `match`, then returns it.
    @discardableResult
    public func waitFor(
        _ what: String, seconds: Double = 15, _ match: @escaping @Sendable (ReceivedFrame) -> Bool
    ) async throws -> ReceivedFrame {
        try await waitUntil(what, seconds: seconds) { self.frames.contains(where: match) }
        guard let frame = frames.first(where: match) else { throw HarnessError("\(what): frame vanished") }
        return frame
    }

    public func waitForCount(_ count: Int, seconds: Double = 15) async throws {
        try await waitUntil("\(count) frames (have \(frames.count): \(kinds))", seconds: seconds) {
            self.frames.count >= count
        }
    }
}

/// A tiny lock-protected box for test state shared with socket tasks.
public final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    public init(_ value: Value) { stored = value }
    public var value: Value { lock.withLock { stored } }
    public func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
