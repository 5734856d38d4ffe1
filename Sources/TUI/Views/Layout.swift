/// Where each pane goes for a terminal size. Panes collapse in order: outputs, then the queue shrinks, then the
/// message line; below the minimum only the "too small" screen is drawn.
public struct Layout: Sendable, Equatable {
    public static let minWidth = 40
    public static let minHeight = 10

    public var header: Rect
    public var queue: Rect
    public var job: Rect
    public var outputs: Rect?
    public var message: Rect?
    public var footer: Rect
    public var tooSmall: Bool

    public init(width: Int, height: Int, queueRows: Int, outputRows: Int) {
        tooSmall = width < Self.minWidth || height < Self.minHeight
        header = Rect(x: 0, y: 0, width: width, height: 1)
        footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        message = height >= 12 ? Rect(x: 0, y: height - 2, width: width, height: 1) : nil
        let top = 1
        let bottom = height - 1 - (message == nil ? 0 : 1)
        let middle = max(0, bottom - top)
        if width >= 100 {
            let queueWidth = max(38, width * 38 / 100)
            queue = Rect(x: 0, y: top, width: queueWidth, height: middle)
            let rightWidth = width - queueWidth
            let outHeight = height >= 20 ? min(max(3, outputRows + 2), max(3, middle / 3)) : 0
            job = Rect(x: queueWidth, y: top, width: rightWidth, height: middle - outHeight)
            outputs =
                outHeight > 0
                ? Rect(x: queueWidth, y: top + middle - outHeight, width: rightWidth, height: outHeight) : nil
        } else {
            let queueHeight = min(max(3, queueRows + 2), max(3, middle / 3))
            queue = Rect(x: 0, y: top, width: width, height: queueHeight)
            let rest = middle - queueHeight
            let outHeight = height >= 24 ? min(max(3, outputRows + 2), max(3, rest / 3)) : 0
            job = Rect(x: 0, y: top + queueHeight, width: width, height: rest - outHeight)
            outputs =
                outHeight > 0
                ? Rect(x: 0, y: top + queueHeight + rest - outHeight, width: width, height: outHeight) : nil
        }
    }
}

extension Canvas {
    /// A box with a title; returns the inside.
    @discardableResult
    public mutating func box(_ rect: Rect, title: String, focused: Bool, glyphs: Glyphs) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let border = Style(focused ? .title : .border, bold: focused)
        let ascii = glyphs.ascii
        let (h, v): (UInt32, UInt32) = ascii ? (0x2D, 0x7C) : (0x2500, 0x2502)
        // The frame's cells are written directly (as `put` would, clipped to the canvas): no strings.
        var x = repeatCode(rect.x, rect.y, ascii ? 0x2B : 0x250C, count: 1, border)
        x = repeatCode(x, rect.y, h, count: rect.width - 2, border)
        repeatCode(x, rect.y, ascii ? 0x2B : 0x2510, count: 1, border)
        for y in rect.y + 1..<rect.maxY - 1 {
            repeatCode(rect.x, y, v, count: 1, border)
            repeatCode(rect.maxX - 1, y, v, count: 1, border)
        }
        x = repeatCode(rect.x, rect.maxY - 1, ascii ? 0x2B : 0x2514, count: 1, border)
        x = repeatCode(x, rect.maxY - 1, h, count: rect.width - 2, border)
        repeatCode(x, rect.maxY - 1, ascii ? 0x2B : 0x2518, count: 1, border)
        put(rect.x + 2, rect.y, " \(title) ", Style(.title, bold: true), maxX: rect.maxX - 2)
        return rect.inset(1)
    }

    /// A progress bar with the role gradient of the theme (start/mid/end) and a track.
    public mutating func bar(_ x: Int, _ y: Int, width: Int, fraction: Double?, glyphs: Glyphs) {
        let role: Role =
            fraction == nil
            ? .progressTrack
            : (fraction ?? 0) < 0.34 ? .progressStart : (fraction ?? 0) < 0.99 ? .progressMid : .progressEnd
        bar(x, y, width: width, fraction: fraction, glyphs: glyphs, filled: Style(role), track: Style(.progressTrack))
    }

    /// A bar's cells as `Glyphs.bar` spells them, written directly: its filled part, then the track; clipped to
    /// `maxX` as `put` clips. Returns the column after it.
    @discardableResult
    public mutating func bar(
        _ x: Int, _ y: Int, width: Int, fraction: Double?, glyphs: Glyphs, filled: Style, track: Style,
        maxX: Int? = nil
    ) -> Int {
        guard width > 0 else { return x }
        let parts = glyphs.barParts(fraction, width: width)
        var col = repeatCode(x, y, glyphs.ascii ? 0x23 : 0x2588, count: parts.full, filled, maxX: maxX)
        if parts.partial != 0 { col = repeatCode(col, y, parts.partial, count: 1, filled, maxX: maxX) }
        return repeatCode(col, y, parts.trackCode, count: parts.track, track, maxX: maxX)
    }
}
