import Foundation

/// A box the session writes and the UI thread reads; only the latest value counts (a burst of states is drawn
/// once). Each write also wakes the UI thread (see `Wakeup`).
final class Mailbox<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private var version = 0
    private let lock = NSLock()
    let wakeup: Wakeup?

    init(_ value: Value, wakeup: Wakeup? = nil) {
        self.value = value
        self.wakeup = wakeup
    }

    func set(_ v: Value) {
        lock.withLock {
            value = v
            version += 1
        }
        wakeup?.signal()
    }

    func get() -> (Value, Int) { lock.withLock { (value, version) } }
}

/// Messages from other threads (action results) for the UI thread, in order; each one wakes it.
final class Inbox: @unchecked Sendable {
    private var messages: [Msg] = []
    private let lock = NSLock()
    let wakeup: Wakeup?

    init(wakeup: Wakeup?) { self.wakeup = wakeup }

    func post(_ message: Msg) {
        lock.withLock { messages.append(message) }
        wakeup?.signal()
    }

    var isEmpty: Bool { lock.withLock { messages.isEmpty } }

    func takeAll() -> [Msg] {
        lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }
}
