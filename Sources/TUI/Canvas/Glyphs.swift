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

    /// A bar's cells: `full` whole blocks, one partial block (0: none), then `track` cells of `trackCode`.
    public func barParts(_ fraction: Double?, width: Int)
        -> (full: Int, partial: UInt32, track: Int, trackCode: UInt32)
    {
        guard width > 0 else { return (0, 0, 0, 0x20) }
        guard let fraction else { return (0, 0, width, ascii ? 0x2E : 0xB7) }
        let f = max(0, min(1, fraction))
        if ascii {
            let full = Int(f * Double(width))
            return (full, 0, width - full, 0x2D)
        }
        let eighths = Int((f * Double(width) * 8).rounded(.down))
        let full = eighths / 8
        // ▏ (U+258F) is one eighth, ▉ (U+2589) seven.
        let partial: UInt32 = eighths % 8 == 0 ? 0 : 0x2590 - UInt32(eighths % 8)
        let used = full + (partial == 0 ? 0 : 1)
        return (full, partial, max(0, width - used), 0x20)
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
