/// The fast symbol path: every cell an upper half block (▀) whose foreground is the upper pixel and background the
/// lower one, the picture box-filtered to columns × 2·rows pixels, colours mapped straight to the depth's palette.
/// Term-image's block style, at a fraction of libchafa's cost (no symbol search): for live previews redrawn at the
/// sampler's rate. Mono has no colours to draw with: it takes libchafa's path.
enum HalfBlockRenderer {
    static func render(_ image: RGBImage, columns: Int, rows: Int, depth: PictureDepth) -> SymbolPicture {
        let pixels = image.resized(width: columns, height: rows * 2).pixels
        var cells: [SymbolCell] = []
        cells.reserveCapacity(columns * rows)
        for row in 0..<rows {
            let upper = row * 2 * columns * 3, lower = (row * 2 + 1) * columns * 3
            for column in 0..<columns {
                let u = upper + column * 3, l = lower + column * 3
                let top = color((pixels[u], pixels[u + 1], pixels[u + 2]), depth)
                let bottom = color((pixels[l], pixels[l + 1], pixels[l + 2]), depth)
                cells.append(
                    top == bottom
                        ? SymbolCell(character: " ", foreground: top, background: bottom)
                        : SymbolCell(character: "▀", foreground: top, background: bottom))
            }
        }
        return SymbolPicture(columns: columns, rows: rows, cells: cells)
    }

    static func color(_ p: (UInt8, UInt8, UInt8), _ depth: PictureDepth) -> PictureColor {
        switch depth {
        case .truecolor: return .rgb(p.0, p.1, p.2)
        case .colors256: return .palette(nearest256(p))
        case .colors16: return .palette(nearestSystem(p, count: 16))
        case .colors8: return .palette(nearestSystem(p, count: 8))
        case .mono: return .terminalForeground
        }
    }

    /// The nearest of the 6×6×6 cube (channel by channel) or the 24 greys, whichever is closer.
    static func nearest256(_ p: (UInt8, UInt8, UInt8)) -> UInt8 {
        let (r, g, b) = (Int(p.0), Int(p.1), Int(p.2))
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        func step(_ l: Int) -> Int { l == 0 ? 0 : 55 + 40 * l }
        let (lr, lg, lb) = (level(r), level(g), level(b))
        let cube = (step(lr), step(lg), step(lb))
        let mean = (r + g + b) / 3
        let grey = mean < 4 ? 0 : min(23, (mean - 3) / 10)
        let greyValue = 8 + grey * 10
        func distance(_ c: (Int, Int, Int)) -> Int {
            (c.0 - r) * (c.0 - r) + (c.1 - g) * (c.1 - g) + (c.2 - b) * (c.2 - b)
        }
        if distance((greyValue, greyValue, greyValue)) < distance(cube) { return UInt8(232 + grey) }
        return UInt8(16 + lr * 36 + lg * 6 + lb)
    }

    static func nearestSystem(_ p: (UInt8, UInt8, UInt8), count: Int) -> UInt8 {
        var best = 0, bestDistance = Int.max
        for i in 0..<count {
            let c = XtermPalette.rgb(UInt8(i))
            let d =
                (Int(c.0) - Int(p.0)) * (Int(c.0) - Int(p.0)) + (Int(c.1) - Int(p.1)) * (Int(c.1) - Int(p.1))
                + (Int(c.2) - Int(p.2)) * (Int(c.2) - Int(p.2))
            if d < bestDistance { (best, bestDistance) = (i, d) }
        }
        return UInt8(best)
    }
}
