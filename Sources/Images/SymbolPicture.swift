/// A colour as a terminal cell takes it: exact RGB (truecolor), an index in the terminal's palette (256, 16 or 8
/// colours), or the terminal's own foreground/background (mono).
public enum PictureColor: Hashable, Sendable {
    case rgb(UInt8, UInt8, UInt8)
    case palette(UInt8)
    case terminalForeground
    case terminalBackground

    /// The colour as RGB, with the xterm palette for indexes and `foreground`/`background` for the terminal's own.
    public func resolved(
        foreground: (UInt8, UInt8, UInt8) = (229, 229, 229),
        background: (UInt8, UInt8, UInt8) = (0, 0, 0)
    ) -> (UInt8, UInt8, UInt8) {
        switch self {
        case .rgb(let r, let g, let b): return (r, g, b)
        case .palette(let index): return XtermPalette.rgb(index)
        case .terminalForeground: return foreground
        case .terminalBackground: return background
        }
    }
}

/// How many colours the picture may use; `mono` draws with the terminal's foreground on its background only.
public enum PictureDepth: String, Sendable, CaseIterable {
    case truecolor, colors256, colors16, colors8, mono
}

/// Which characters may draw the picture. More shapes give more detail and need fonts that have them:
/// `block` (half and eighth blocks, everywhere), `quadrant` (2×2, Unicode 1.1, everywhere), `sextant`
/// (2×3, Unicode 13 "legacy computing", recent fonts), `ascii` (any terminal).
public enum SymbolSet: String, Sendable, CaseIterable {
    case block, quadrant, sextant, ascii
}

/// One terminal cell of a picture.
public struct SymbolCell: Hashable, Sendable {
    public var character: Unicode.Scalar
    public var foreground: PictureColor
    public var background: PictureColor

    public init(character: Unicode.Scalar, foreground: PictureColor, background: PictureColor) {
        self.character = character
        self.foreground = foreground
        self.background = background
    }
}

/// A picture as a grid of cells, row after row (`cells.count == columns * rows`), to draw through curses.
public struct SymbolPicture: Hashable, Sendable {
    public let columns: Int
    public let rows: Int
    public let cells: [SymbolCell]

    public init(columns: Int, rows: Int, cells: [SymbolCell]) {
        self.columns = columns
        self.rows = rows
        self.cells = cells
    }

    public subscript(column: Int, row: Int) -> SymbolCell { cells[row * columns + column] }

    /// The picture as text with SGR colour sequences, one line per row, each ending with a reset and "\n":
    /// what `comfytop view` prints on a terminal without graphics.
    public func ansiText() -> String {
        var out = ""
        out.reserveCapacity(cells.count * 24)
        for row in 0..<rows {
            var last: (PictureColor, PictureColor)? = nil
            for column in 0..<columns {
                let cell = self[column, row]
                if last.map({ $0.0 != cell.foreground || $0.1 != cell.background }) ?? true {
                    out +=
                        "\u{1B}[0" + Self.sgr(cell.foreground, background: false)
                        + Self.sgr(cell.background, background: true) + "m"
                    last = (cell.foreground, cell.background)
                }
                out.unicodeScalars.append(cell.character)
            }
            out += "\u{1B}[0m\n"
        }
        return out
    }

    private static func sgr(_ color: PictureColor, background: Bool) -> String {
        switch color {
        case .rgb(let r, let g, let b): return (background ? ";48;2;" : ";38;2;") + "\(r);\(g);\(b)"
        case .palette(let i) where i < 8: return ";\((background ? 40 : 30) + Int(i))"
        case .palette(let i) where i < 16: return ";\((background ? 100 : 90) + Int(i) - 8)"
        case .palette(let i): return (background ? ";48;5;" : ";38;5;") + "\(i)"
        case .terminalForeground: return background ? ";7" : ""
        case .terminalBackground: return ""
        }
    }
}

/// The xterm 256-colour palette (the 16 system colours as xterm's defaults).
public enum XtermPalette {
    public static func rgb(_ index: UInt8) -> (UInt8, UInt8, UInt8) {
        let i = Int(index)
        if i < 16 {
            let table: [(UInt8, UInt8, UInt8)] = [
                (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
                (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
                (255, 0, 255), (0, 255, 255), (255, 255, 255),
            ]
            return table[i]
        }
        if i < 232 {
            let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
            let c = i - 16
            return (levels[c / 36], levels[(c / 6) % 6], levels[c % 6])
        }
        let gray = UInt8(8 + (i - 232) * 10)
        return (gray, gray, gray)
    }
}
