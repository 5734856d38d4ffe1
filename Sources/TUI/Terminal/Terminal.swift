/// What the app needs from a terminal. `CursesTerminal` is the real one; tests use `MemoryTerminal`.
public protocol Terminal: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Shows `canvas`, writing only what differs from `previous`.
    func draw(_ canvas: Canvas, previous: Canvas?)
    /// The next key, or nil after `timeoutMS`. `wakeable`: a new state may end the wait early.
    func readKey(timeoutMS: Int, wakeable: Bool) -> Key?
    /// Writes bytes straight to the terminal (notifications).
    func writeRaw(_ text: String)
}

/// An in-memory terminal for tests: keeps the last canvas and replays queued keys.
public final class MemoryTerminal: Terminal {
    public var width: Int
    public var height: Int
    public private(set) var screen: Canvas?
    public private(set) var frames = 0
    public private(set) var raw = ""
    public var keys: [Key] = []

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public func draw(_ canvas: Canvas, previous: Canvas?) {
        // As a real terminal: a frame that changes nothing writes nothing.
        guard canvas != screen || previous == nil else { return }
        screen = canvas
        frames += 1
    }

    public func readKey(timeoutMS: Int, wakeable: Bool) -> Key? { keys.isEmpty ? nil : keys.removeFirst() }

    public func writeRaw(_ text: String) { raw += text }
}
