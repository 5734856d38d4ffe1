import Foundation

/// A rectangle on the screen.
public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The rectangle less a border of `n` cells.
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
}

/// One cell: a single-column grapheme (or "" for the right half of a wide one) and its style.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: Style

    public static let blank = Cell(text: " ", style: .plain)
}

/// What a frame looks like, cell by cell. Pure: views draw into it, a terminal shows it.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y), clipped to `maxX` (default: the right edge); returns the column after it.
    @discardableResult
    public mutating func put(_ x: Int, _ y: Int, _ text: String, _ style: Style = .plain, maxX: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(maxX ?? width, width)
        var col = x
        for ch in text {
            let w = Self.width(of: ch)
            if w == 0 { continue }
            if col + w > limit { break }
            if col >= 0 {
                self[col, y] = Cell(text: ch == "\t" ? " " : String(ch), style: style)
                if w == 2, col + 1 < width { self[col + 1, y] = Cell(text: "", style: style) }
            }
            col += w
        }
        return col
    }

    /// Fills a rectangle with spaces of a style.
    public mutating func fill(_ rect: Rect, _ style: Style = .plain) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) { self[x, y] = Cell(text: " ", style: style) }
        }
    }

    /// Display width of a character: 0 for controls and combining marks, 2 for wide East Asian and emoji.
    public static func width(of ch: Character) -> Int {
        guard let scalar = ch.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        // The common cases without a Unicode property lookup: Latin (no combining marks below U+0300), box
        // drawing and block elements (the frames and bars drawn on every screen).
        if v < 0x300 || (0x2500..<0x25A0).contains(v) { return 1 }
        if scalar.properties.generalCategory == .nonspacingMark { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    /// Display width of a string.
    public static func width(of text: String) -> Int { text.reduce(0) { $0 + width(of: $1) } }

    /// The text of each row (for tests and golden screens).
    public var lines: [String] {
        (0..<height).map { y in (0..<width).map { self[$0, y].text }.joined() }
    }

    /// Rows that differ from `other` (all rows if the size differs).
    public func changedRows(from other: Canvas?) -> [Int] {
        guard let other, other.width == width, other.height == height else { return Array(0..<height) }
        return (0..<height).filter { y in
            let start = y * width
            return cells[start..<start + width] != other.cells[start..<start + width]
        }
    }
}

/// Text helpers for fixed columns.
public enum Text {
    /// `"%.1f"` without String(format:) (slow on Linux, and the header is drawn on every frame).
    public static func oneDecimal(_ x: Double) -> String {
        guard x.isFinite else { return "?" }
        let tenths = Int((abs(x) * 10).rounded(.toNearestOrEven))
        return (x < 0 && tenths > 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }

    /// A fraction as a percentage, right-aligned in three digits (`" 42%"` → `"%3.0f%%"`, without String(format:),
    /// which is slow on Linux and called on every frame).
    public static func percent(_ fraction: Double) -> String {
        let value = (fraction * 100).rounded(.toNearestOrEven)
        let digits = value.isFinite ? String(Int(max(-99, min(999, value)))) : "?"
        return String(repeating: " ", count: max(0, 3 - digits.count)) + digits + "%"
    }

    /// Cuts to `width` columns with an ellipsis, or pads with spaces.
    public static func fit(_ s: String, _ width: Int, ascii: Bool = false) -> String {
        guard width > 0 else { return "" }
        let w = Canvas.width(of: s)
        if w <= width { return s + String(repeating: " ", count: width - w) }
        var out = ""
        var used = 0
        let ellipsis = ascii ? "~" : "…"
        for ch in s {
            let cw = Canvas.width(of: ch)
            if used + cw > width - 1 { break }
            out.append(ch)
            used += cw
        }
        return out + ellipsis + String(repeating: " ", count: max(0, width - used - 1))
    }

    /// Right-aligns in `width` columns.
    public static func right(_ s: String, _ width: Int) -> String {
        let w = Canvas.width(of: s)
        return w >= width ? s : String(repeating: " ", count: width - w) + s
    }
}
