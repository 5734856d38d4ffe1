import Foundation
import NIOCore

/// Closes a WebSocket attempt whose server has not greeted us within a budget.
///
/// NIO has no timeout on the HTTP upgrade, so a host that accepts the TCP connection and never answers would keep
/// an attempt open forever, and a silent host that later starts answering would never be tried again. The clock
/// starts when the attempt's channel is made (before the TCP connect) and covers the connect, the upgrade and the
/// server's first `status` message, which ComfyUI sends as soon as the socket opens. Cancelling the attempt closes
/// its channels too, greeted or not (an awaited connection does not notice a cancelled task).
final class GreetingDeadline: @unchecked Sendable {
    let budget: Duration
    private let lock = NSLock()
    /// Every channel of the attempt (a host name with several addresses is tried on several), until it finishes.
    private var channels: [any Channel] = []
    private var timer: Scheduled<Void>?
    private var state = State.waiting

    private enum State {
        case waiting, greeted, expired, cancelled, finished
    }

    init(budget: Duration) {
        self.budget = budget
    }

    /// True when the budget ran out before the greeting (the attempt was closed for it).
    var expired: Bool { lock.withLock { state == .expired } }

    /// The budget in seconds, for the reason's words.
    var seconds: Double {
        let parts = budget.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// A channel of the attempt exists: the first one starts the clock. One made after the attempt was cancelled
    /// or timed out is closed at once.
    func attach(_ channel: any Channel) {
        let closeNow: Bool = lock.withLock {
            switch state {
            case .waiting:
                channels.append(channel)
                if timer == nil {
                    timer = channel.eventLoop.scheduleTask(in: TimeAmount(budget)) { self.expire() }
                }
                return false
            case .greeted:
                channels.append(channel)
                return false
            case .expired, .cancelled: return true
            case .finished: return false
            }
        }
        if closeNow { channel.close(promise: nil) }
    }

    /// The server greeted us: the deadline is off (the channels are kept, for `cancel`).
    func greeted() {
        lock.withLock {
            guard state == .waiting else { return }
            state = .greeted
            timer?.cancel()
            timer = nil
        }
    }

    /// The attempt's task was cancelled: close its channels now, greeted or not.
    func cancel() {
        close(as: .cancelled)
    }

    /// The attempt is over, however it ended.
    func finish() {
        lock.withLock {
            if state == .waiting || state == .greeted { state = .finished }
            disarm()
        }
    }

    private func expire() {
        close(as: .expired)
    }

    /// Expiring ends only an attempt still waiting for its greeting; cancelling ends a greeted one too.
    private func close(as ending: State) {
        let toClose: [any Channel] = lock.withLock {
            guard state == .waiting || (ending == .cancelled && state == .greeted) else { return [] }
            state = ending
            let open = channels
            disarm()
            return open
        }
        for channel in toClose { channel.close(promise: nil) }
    }

    /// Under the lock.
    private func disarm() {
        timer?.cancel()
        timer = nil
        channels = []
    }
}
