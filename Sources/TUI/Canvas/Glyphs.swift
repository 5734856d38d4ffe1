/// The glyphs a screen uses: Unicode where the locale is UTF-8, ASCII otherwise.
public struct Glyphs: Sendable, Equatable {
    public var ascii: Bool

    public init(ascii: Bool) { self.ascii = ascii }

    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// A progress bar of `width` cells at eighth-block resolution; nil fraction is "unknown" (a dotted track).
    public func bar(_ fraction: Double?, width: Int) -> (filled: String, rest: String) {
        guard width > 0 else { return ("", "") }
        guard let fraction else { return ("", String(repeating: ascii ? "." : "·", count: width)) }
        let f = max(0, min(1, fraction))
        if ascii {
            let full = Int(f * Double(width))
            return (String(repeating: "#", count: full), String(repeating: "-", count: width - full))
        }
        let eighths = Int((f * Double(width) * 8).rounded(.down))
        let full = eighths / 8
        let partial = Self.eighths[eighths % 8]
        let used = full + (partial.isEmpty ? 0 : 1)
        return (String(repeating: "█", count: full) + partial, String(repeating: " ", count: max(0, width - used)))
    }

    public var running: String { ascii ? ">" : "▶" }
    public var pending: String { ascii ? "." : "·" }
    public var done: String { ascii ? "+" : "✓" }
    public var cached: String { ascii ? "=" : "≡" }
    public var failed: String { ascii ? "x" : "✗" }
    public var interrupted: String { ascii ? "!" : "⏹" }
    public var unknown: String { "?" }
    public var lamp: String { ascii ? "*" : "●" }
    public var approx: String { ascii ? "~" : "≈" }
    public var vertical: String { ascii ? "|" : "│" }
    public var horizontal: String { ascii ? "-" : "─" }
    public var ellipsis: String { ascii ? "~" : "…" }
}
