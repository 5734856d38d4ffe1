/// A picture drawn with characters: per cell a character and a foreground and background colour. Colours are
/// what the terminal is given at the picture's depth: packed 0xRRGGBB for truecolor, a palette index otherwise;
/// in mono they are ignored and the characters alone carry the picture.
public struct CellPicture: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let depth: ColorDepth
    public private(set) var codes: [UInt32]
    public private(set) var fg: [UInt32]
    public private(set) var bg: [UInt32]
    /// Up to two combining marks after each cell's character (the first in the low 32 bits, 0: none), or empty
    /// when no cell has any. Kitty's Unicode placeholders number their rows and columns with them.
    public private(set) var marks: [UInt64]

    /// A picture of `width`×`height` cells; nil when an array's length does not match.
    public init?(
        width: Int, height: Int, depth: ColorDepth, codes: [UInt32], fg: [UInt32], bg: [UInt32], marks: [UInt64] = []
    ) {
        let n = width * height
        guard width > 0, height > 0, codes.count == n, fg.count == n, bg.count == n, marks.isEmpty || marks.count == n
        else { return nil }
        self.marks = marks
        self.width = width
        self.height = height
        self.depth = depth
        self.codes = codes
        self.fg = fg
        self.bg = bg
    }

    /// The cell at (x, y): its character and colours.
    public func cell(_ x: Int, _ y: Int) -> (code: UInt32, fg: UInt32, bg: UInt32) {
        let i = y * width + x
        return (codes[i], fg[i], bg[i])
    }
}

/// A picture placed on a canvas. Its characters are also written into the canvas cells (so text renders and
/// golden screens show them); the colours travel here, beside the cells, for the terminal to paint.
public struct CanvasPicture: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var picture: CellPicture

    public var rect: Rect { Rect(x: x, y: y, width: picture.width, height: picture.height) }
}

extension Canvas {
    /// Draws `picture` with its top-left cell at (x, y), clipped to the canvas.
    public mutating func draw(_ picture: CellPicture, x: Int, y: Int) {
        guard x >= 0, y >= 0, x + picture.width <= width, y + picture.height <= height else { return }
        for row in 0..<picture.height {
            for col in 0..<picture.width {
                let code = picture.codes[row * picture.width + col]
                self[x + col, y + row] = Cell(code: code == 0 ? 0x20 : code, style: .plain)
            }
        }
        pictures.append(CanvasPicture(x: x, y: y, picture: picture))
    }

    /// Rows covered by a picture in `self` or `other` whose pictures differ (the colours changed there even
    /// where the characters did not).
    func pictureRows(comparedWith other: Canvas) -> Set<Int> {
        guard pictures != other.pictures else { return [] }
        var rows = Set<Int>()
        for placed in pictures + other.pictures { rows.formUnion(placed.y..<placed.y + placed.picture.height) }
        return rows
    }
}

/// A picture in a graphics protocol, placed over `columns`×`rows` blank cells from (x, y). `bytes` are escape
/// sequences made here from decoded pixels (never server text), to write with the cursor at the top-left cell.
/// Two are the same picture when they are the same render (`version`) at the same place: the bytes are not
/// compared.
public struct CanvasGraphic: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var columns: Int
    public var rows: Int
    /// The protocol's image id (kitty), one per slot.
    public var imageID: UInt32
    /// Which render this is (a new picture has a new version).
    public var version: Int
    public var bytes: [UInt8]
    /// What removes it (kitty: delete the image); nil: the cells must be repainted (iTerm2, sixel).
    public var removal: [UInt8]?

    public static func == (a: CanvasGraphic, b: CanvasGraphic) -> Bool {
        a.x == b.x && a.y == b.y && a.columns == b.columns && a.rows == b.rows && a.imageID == b.imageID
            && a.version == b.version
    }
}

extension Canvas {
    /// Places a graphics-protocol picture at (x, y) over blank cells (clipped away if it does not fit).
    public mutating func place(_ graphic: CanvasGraphic) {
        guard graphic.x >= 0, graphic.y >= 0, graphic.x + graphic.columns <= width, graphic.y + graphic.rows <= height
        else { return }
        fill(Rect(x: graphic.x, y: graphic.y, width: graphic.columns, height: graphic.rows))
        graphics.append(graphic)
    }
}
