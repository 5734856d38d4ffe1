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
        let (h, v) = (glyphs.horizontal, glyphs.vertical)
        let corners = glyphs.ascii ? ["+", "+", "+", "+"] : ["┌", "┐", "└", "┘"]
        put(rect.x, rect.y, corners[0] + String(repeating: h, count: rect.width - 2) + corners[1], border)
        for y in rect.y + 1..<rect.maxY - 1 {
            put(rect.x, y, v, border)
            put(rect.maxX - 1, y, v, border)
        }
        put(rect.x, rect.maxY - 1, corners[2] + String(repeating: h, count: rect.width - 2) + corners[3], border)
        put(rect.x + 2, rect.y, " \(title) ", Style(.title, bold: true), maxX: rect.maxX - 2)
        return rect.inset(1)
    }

    /// A progress bar with the role gradient of the theme (start/mid/end) and a track.
    public mutating func bar(_ x: Int, _ y: Int, width: Int, fraction: Double?, glyphs: Glyphs) {
        let (filled, rest) = glyphs.bar(fraction, width: width)
        let role: Role =
            fraction == nil
            ? .progressTrack
            : (fraction ?? 0) < 0.34 ? .progressStart : (fraction ?? 0) < 0.99 ? .progressMid : .progressEnd
        let end = put(x, y, filled, Style(role))
        put(end, y, rest, Style(.progressTrack))
    }
}
