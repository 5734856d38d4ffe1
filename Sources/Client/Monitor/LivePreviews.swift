import Foundation

/// One live preview frame as received: the encoded bytes (JPEG or PNG, a few to a few hundred KiB), never decoded
/// here. `seq` grows with every frame this monitor received, so "is there something newer" is one comparison.
public struct PreviewFrame: Sendable {
    public var promptID: String
    public var seq: Int
    public var format: PreviewImage.Format
    public var bytes: [UInt8]
    public var nodeID: String?
    public var receivedAt: Date
}

/// The newest preview frame of each recent prompt, outside `MonitorState`: the state carries only a small
/// `PreviewMark` (sequence number, node, time), so copying, comparing and handing the state to the screen never
/// touches image bytes. A frame replaces the one before it (a fast sampler overwrites; nothing queues), and a
/// reader asks for the newest bytes when it is ready to draw, so it can never be handed a stale picture.
/// Shared by the session (writer) and the screen (reader); thread-safe.
public final class LivePreviews: @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [String: PreviewFrame] = [:]
    private var order: [String] = []
    private var nextSeq = 0
    /// How many prompts keep their last frame (the running one, and a few finished ones to look back at).
    public let capacity: Int

    public init(capacity: Int = 4) { self.capacity = max(1, capacity) }

    /// Keeps `image` as the newest frame of `promptID`; returns its sequence number.
    @discardableResult
    public func put(_ image: PreviewImage, for promptID: String, now: Date) -> Int {
        lock.withLock {
            nextSeq += 1
            frames[promptID] = PreviewFrame(
                promptID: promptID, seq: nextSeq, format: image.format, bytes: image.bytes, nodeID: image.nodeID,
                receivedAt: now)
            if let i = order.firstIndex(of: promptID) { order.remove(at: i) }
            order.append(promptID)
            while order.count > capacity { frames[order.removeFirst()] = nil }
            return nextSeq
        }
    }

    /// The newest frame of a prompt (nil: none kept).
    public func latest(for promptID: String) -> PreviewFrame? { lock.withLock { frames[promptID] } }

    /// How many frames were received in all.
    public var received: Int { lock.withLock { nextSeq } }
}
