import ComfyClient
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

/// One cell: a character's first scalar (0 for the right half of a wide one) and its style. Plain data, so a frame
/// is cheap to make, compare and copy; combining marks that follow a character live beside the cells (`Canvas`).
public struct Cell: Sendable, Equatable {
    public var code: UInt32
    public var style: Style

    public init(text: String, style: Style) {
        code = text.unicodeScalars.first?.value ?? 0
        self.style = style
    }

    init(code: UInt32, style: Style) {
        self.code = code
        self.style = style
    }

    /// The cell's character ("" for the right half of a wide one), without combining marks.
    public var text: String { code == 0 ? "" : Unicode.Scalar(code).map { String($0) } ?? "" }

    public static let blank = Cell(code: 0x20, style: .plain)
}

/// What a frame looks like, cell by cell. Pure: views draw into it, a terminal shows it.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Combining marks (and other zero-width scalars) after the character of a cell, by cell index. Rare.
    private var marks: [Int: String] = [:]
    /// Pictures drawn on the canvas (their colours, which cells cannot hold). Empty on most screens.
    public internal(set) var pictures: [CanvasPicture] = []
    /// Pictures drawn by a graphics protocol over blank cells (kitty, iTerm2, sixel): the terminal writes them
    /// after the cells and removes them when a frame no longer has them. Empty on most screens.
    public internal(set) var graphics: [CanvasGraphic] = []

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            cells[y * width + x] = newValue
            if !marks.isEmpty { marks[y * width + x] = nil }
        }
    }

    /// The combining marks after the character of the cell at `index` (y * width + x), if any.
    func marks(at index: Int) -> String? { marks.isEmpty ? nil : marks[index] }

    /// A cell's text with its combining marks.
    public func text(_ x: Int, _ y: Int) -> String {
        let cell = self[x, y]
        guard let extra = marks[y * width + x] else { return cell.text }
        return cell.text + extra
    }

    /// Writes `text` from (x, y), clipped to `maxX` (default: the right edge); returns the column after it.
    @discardableResult
    public mutating func put(_ x: Int, _ y: Int, _ text: String, _ style: Style = .plain, maxX: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(maxX ?? width, width)
        var col = x
        var last: Int?
        // Printable ASCII (most of every frame) is one cell a byte: no width lookup, no escape check.
        let row = y * width
        var ascii = 0
        for byte in text.utf8 {
            guard byte >= 0x20, byte < 0x7F else { break }
            if col + 1 > limit { return col }
            if col >= 0 {
                cells[row + col] = Cell(code: UInt32(byte), style: style)
                if !marks.isEmpty { marks[row + col] = nil }
            }
            col += 1
            ascii += 1
        }
        if ascii == text.utf8.count { return col }
        if ascii > 0, col - 1 >= 0 { last = row + col - 1 }
        let rest = text.unicodeScalars[text.utf8.index(text.utf8.startIndex, offsetBy: ascii)...]
        for scalar in rest {
            let w = Self.width(of: scalar)
            if w == 0 {
                // Every text on the screen passes here: a control, DEL, C1 or bidi override is shown as the
                // sanitiser's visible escape (`^[`, `<U+202E>`), never sent. Only zero-width scalars can be one.
                if TerminalText.needsEscape(scalar) {
                    col = put(col, y, TerminalText.sanitize(String(scalar)), style, maxX: limit)
                    last = nil
                    continue
                }
                // A combining mark belongs to the character before it.
                if let last, scalar.value >= 0x300 { marks[last, default: ""].unicodeScalars.append(scalar) }
                continue
            }
            if col + w > limit { break }
            last = nil
            if col >= 0 {
                let code = scalar.value == 0x09 ? 0x20 : scalar.value
                self[col, y] = Cell(code: code, style: style)
                last = y * width + col
                if w == 2, col + 1 < width { self[col + 1, y] = Cell(code: 0, style: style) }
            }
            col += w
        }
        return col
    }

    /// Fills a rectangle with spaces of a style.
    public mutating func fill(_ rect: Rect, _ style: Style = .plain) {
        for y in max(0, rect.y)..<min(height, rect.maxY) { repeatCode(rect.x, y, 0x20, count: rect.width, style) }
    }

    /// Writes `count` copies of a one-column scalar from (x, y), clipped as `put` clips; returns the column after
    /// them. For frames, bars and fills: no string is built.
    @discardableResult
    public mutating func repeatCode(_ x: Int, _ y: Int, _ code: UInt32, count: Int, _ style: Style, maxX: Int? = nil)
        -> Int
    {
        guard y >= 0, y < height, count > 0 else { return x }
        let end = min(x + count, min(maxX ?? width, width))
        guard end > x else { return x }
        let start = max(0, x)
        if start < end {
            let row = y * width
            let cell = Cell(code: code, style: style)
            for k in row + start..<row + end { cells[k] = cell }
            if !marks.isEmpty { for k in row + start..<row + end { marks[k] = nil } }
        }
        return end
    }

    /// Display width of a scalar: 0 for controls and combining marks, 2 for wide East Asian and emoji.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        // Tab is drawn as one space.
        if v == 0x09 { return 1 }
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        // The common cases without a Unicode property lookup: Latin (no combining marks below U+0300), and the
        // symbols the screens draw on every frame (all one column, none a mark or format character): dashes and
        // the ellipsis, arrows, mathematical operators (≈ ≡), technical symbols (⏹), box drawing, blocks,
        // geometric shapes (● ▶), miscellaneous symbols and dingbats (✓ ✗).
        if v < 0x300 || (0x2010..<0x2028).contains(v) || (0x2190..<0x2800).contains(v) { return 1 }
        let category = scalar.properties.generalCategory
        if category == .nonspacingMark || category == .enclosingMark || category == .format { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    /// Columns a scalar takes as `put` draws it: a control or bidi override takes its visible escape's width.
    static func drawnWidth(of scalar: Unicode.Scalar) -> Int {
        let w = width(of: scalar)
        guard w == 0, TerminalText.needsEscape(scalar) else { return w }
        return TerminalText.sanitize(String(scalar)).unicodeScalars.count
    }

    /// Display width of a character (its first scalar's).
    public static func width(of ch: Character) -> Int {
        guard let scalar = ch.unicodeScalars.first else { return 0 }
        return drawnWidth(of: scalar) == 0 ? 0 : ch.unicodeScalars.reduce(0) { $0 + drawnWidth(of: $1) }
    }

    /// Display width of a string, as drawn.
    public static func width(of text: String) -> Int {
        var n = 0
        for byte in text.utf8 {
            guard byte >= 0x20, byte < 0x7F else {
                return text.unicodeScalars.reduce(0) { $0 + drawnWidth(of: $1) }
            }
            n += 1
        }
        return n
    }

    /// The text of each row (for tests and golden screens).
    public var lines: [String] {
        (0..<height).map { y in (0..<width).map { text($0, y) }.joined() }
    }

    /// Rows that differ from `other` (all rows if the size differs).
    public func changedRows(from other: Canvas?) -> [Int] {
        guard let other, other.width == width, other.height == height else { return Array(0..<height) }
        var marked =
            marks == other.marks ? [] : Set((Array(marks.keys) + Array(other.marks.keys)).map { $0 / max(1, width) })
        if !pictures.isEmpty || !other.pictures.isEmpty { marked.formUnion(pictureRows(comparedWith: other)) }
        let rowBytes = width * MemoryLayout<Cell>.stride
        return cells.withUnsafeBufferPointer { mine in
            other.cells.withUnsafeBufferPointer { theirs in
                (0..<height).filter { y in
                    if marked.contains(y) { return true }
                    let start = y * width
                    // Equal bytes are equal cells (most rows did not change); unequal bytes may differ only in a
                    // cell's padding, so such a row is compared cell by cell.
                    if let a = mine.baseAddress, let b = theirs.baseAddress,
                        memcmp(a + start, b + start, rowBytes) == 0
                    {
                        return false
                    }
                    for k in start..<start + width where mine[k] != theirs[k] { return true }
                    return false
                }
            }
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
        if w <= width { return w == width ? s : s + String(repeating: " ", count: width - w) }
        let ellipsisText = ascii ? "~" : "…"
        // Printable ASCII is cut by bytes, without walking grapheme clusters.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return String(decoding: s.utf8.prefix(width - 1), as: UTF8.self) + ellipsisText
        }
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
