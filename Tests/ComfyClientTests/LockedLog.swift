import Foundation

/// What callbacks on other threads were given, in order, for a test to read or to wait on.
final class LockedLog<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []

    func append(_ item: Element) { lock.withLock { items.append(item) } }
    var all: [Element] { lock.withLock { items } }

    /// Returns once `condition` holds for what was given so far; throws after `seconds`, naming what was seen.
    func wait(deadline seconds: Double, until condition: ([Element]) -> Bool) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition(all) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FleetTestError("condition not met in \(seconds) s; seen: \(all)")
    }
}
