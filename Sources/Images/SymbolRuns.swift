/// Fewer colour changes for the same picture. A terminal is sent a colour sequence whenever a cell's colours
/// differ from the cell before it, and curses sends both colours then (about 22 bytes at 256 colours). Many cells
/// can be drawn with the previous cell's colours without changing what is seen: a space shows only its
/// background, a full block only its foreground, and a glyph with its colours swapped is its complement (▀ on
/// ▄, ▘ on ▟, a sextant on its inverse).
extension SymbolPicture {
    /// The same picture with, in every row, each cell drawn in its left neighbour's colours where that looks the
    /// same.
    public func withFewerColourChanges() -> SymbolPicture {
        var out = cells
        for row in 0..<rows {
            for column in 1..<max(1, columns) {
                let i = row * columns + column
                let previous = out[i - 1]
                let cell = out[i]
                if cell.foreground == previous.foreground && cell.background == previous.background { continue }
                if let same = Self.restyled(cell, toMatch: previous) { out[i] = same }
            }
        }
        return SymbolPicture(columns: columns, rows: rows, cells: out)
    }

    /// `cell` drawn with `previous`'s colours, when that shows the same thing.
    static func restyled(_ cell: SymbolCell, toMatch previous: SymbolCell) -> SymbolCell? {
        let (fg, bg) = (previous.foreground, previous.background)
        let c = cell.character
        // A space shows only its background, a full block only its foreground; one colour is either.
        if c == " " || cell.foreground == cell.background, cell.background == bg {
            return SymbolCell(character: " ", foreground: fg, background: bg)
        }
        if c == "█" || cell.foreground == cell.background, cell.foreground == fg {
            return SymbolCell(character: "█", foreground: fg, background: bg)
        }
        // Swapped colours and the complement glyph.
        guard cell.background == fg || cell.foreground == bg, let complement = complement(of: c) else { return nil }
        if cell.background == fg && cell.foreground == bg {
            return SymbolCell(character: complement, foreground: fg, background: bg)
        }
        if complement == " ", cell.foreground == bg {
            return SymbolCell(character: " ", foreground: fg, background: bg)
        }
        if complement == "█", cell.background == fg {
            return SymbolCell(character: "█", foreground: fg, background: bg)
        }
        return nil
    }

    /// The glyph that covers exactly what `c` leaves uncovered, when the symbol sets have one.
    public static func complement(of c: Unicode.Scalar) -> Unicode.Scalar? {
        switch c.value {
        case 0x20: return "█"
        case 0x2588: return " "
        case 0x2580: return "▄"
        case 0x2584: return "▀"
        case 0x258C: return "▐"
        case 0x2590: return "▌"
        case 0x2594: return "▇"
        case 0x2587: return "▔"
        case 0x2595: return "▉"
        case 0x2589: return "▕"
        case 0x2596...0x259F:
            guard let bits = mask(c) else { return nil }
            return scalar(forMask: 64 | (15 & ~bits))
        case 0x1FB00...0x1FB3B:
            guard let bits = mask(c) else { return nil }
            return scalar(forMask: 63 & ~bits)
        default: return nil
        }
    }

    /// A glyph's 2×3 cell mask (bit 0 top left … bit 5 bottom right) for quadrants, halves and sextants.
    static func mask(_ c: Unicode.Scalar) -> Int? {
        switch c.value {
        case 0x2596...0x259F:
            // Flag 64: a 2×2 quadrant mask (1 upper left, 2 upper right, 4 lower left, 8 lower right), which
            // complements among quadrants, not sextants.
            let quads: [Int] = [4, 8, 1, 1 | 4 | 8, 1 | 8, 1 | 2 | 4, 1 | 2 | 8, 2, 2 | 4, 2 | 4 | 8]
            return 64 | quads[Int(c.value - 0x2596)]
        case 0x1FB00...0x1FB3B:
            var n = Int(c.value - 0x1FB00) + 1
            if n >= 21 { n += 1 }
            if n >= 42 { n += 1 }
            return n
        default: return nil
        }
    }

    static func scalar(forMask bits: Int) -> Unicode.Scalar? {
        if bits & 64 != 0 {
            // A quadrant mask (flag 64): 1 upper left, 2 upper right, 4 lower left, 8 lower right.
            let quad = bits & 15
            switch quad {
            case 0: return " "
            case 15: return "█"
            case 3: return "▀"
            case 12: return "▄"
            case 5: return "▌"
            case 10: return "▐"
            default:
                let quads: [Int] = [4, 8, 1, 1 | 4 | 8, 1 | 8, 1 | 2 | 4, 1 | 2 | 8, 2, 2 | 4, 2 | 4 | 8]
                return quads.firstIndex(of: quad).flatMap { Unicode.Scalar(0x2596 + UInt32($0)) }
            }
        }
        switch bits {
        case 0: return " "
        case 63: return "█"
        case 21: return "▌"
        case 42: return "▐"
        default:
            var k = bits - 1
            if bits > 42 { k -= 1 }
            if bits > 21 { k -= 1 }
            return Unicode.Scalar(0x1FB00 + UInt32(k))
        }
    }
}
