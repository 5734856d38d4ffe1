import CChafa
import Foundation

/// What a libchafa canvas is made for.
struct CanvasKey: Hashable {
    let columns: Int
    let rows: Int
    let options: SymbolOptions
}

/// A few libchafa canvases kept for reuse, the most recently used last. A canvas is used by one caller at a time
/// (under the lock): libchafa's canvases are not safe to share between threads. Unchecked Sendable: every access
/// to `entries` holds `lock`.
final class CanvasPool: @unchecked Sendable {
    private struct Entry {
        let key: CanvasKey
        let canvas: OpaquePointer
    }

    private var entries: [Entry] = []
    private let lock = NSLock()
    private let capacity = 4

    /// Runs `body` with the canvas for `key`, made by `make` when none is kept; nil when none can be made.
    func withCanvas<T>(_ key: CanvasKey, make: () -> OpaquePointer?, _ body: (OpaquePointer) -> T) -> T? {
        lock.lock()
        defer { lock.unlock() }
        let canvas: OpaquePointer
        if let index = entries.firstIndex(where: { $0.key == key }) {
            let entry = entries.remove(at: index)
            entries.append(entry)
            canvas = entry.canvas
        } else {
            guard let made = make() else { return nil }
            if entries.count >= capacity { chafa_canvas_unref(entries.removeFirst().canvas) }
            entries.append(Entry(key: key, canvas: made))
            canvas = made
        }
        return body(canvas)
    }
}
