/// How much of a cell a symbol's glyph covers with the foreground colour, from the Unicode definitions of the
/// block elements (U+2580–U+259F) and sextants (U+1FB00–U+1FB3B). The picture test turns cells back into pixels
/// with it; it is independent of libchafa's own glyph tables on purpose.
public enum GlyphCoverage {
    /// The foreground fraction (0…1) at the point (`x`, `y`) of the cell, both in 0..<1 from the top-left; nil for
    /// a character whose shape is not known here.
    public static func coverage(_ character: Unicode.Scalar, x: Double, y: Double) -> Double? {
        let code = character.value
        switch code {
        case 0x20, 0xA0: return 0
        case 0x2588: return 1
        case 0x2580: return y < 0.5 ? 1 : 0
        case 0x2581...0x2587: return y >= 1 - Double(code - 0x2580) / 8 ? 1 : 0
        case 0x2589...0x258F: return x < Double(0x2590 - code) / 8 ? 1 : 0
        case 0x2590: return x >= 0.5 ? 1 : 0
        case 0x2591: return 0.25
        case 0x2592: return 0.5
        case 0x2593: return 0.75
        case 0x2594: return y < 1.0 / 8 ? 1 : 0
        case 0x2595: return x >= 7.0 / 8 ? 1 : 0
        case 0x2596...0x259F:
            // Bits: 1 upper left, 2 upper right, 4 lower left, 8 lower right.
            let masks: [UInt8] = [4, 8, 1, 1 | 4 | 8, 1 | 8, 1 | 2 | 4, 1 | 2 | 8, 2, 2 | 4, 2 | 4 | 8]
            let bit: UInt8 = (y < 0.5 ? 1 : 4) << (x < 0.5 ? 0 : 1)
            return masks[Int(code - 0x2596)] & bit != 0 ? 1 : 0
        case 0x1FB00...0x1FB3B:
            let bits = sextantBits(Int(code - 0x1FB00))
            let row = min(2, Int(y * 3)), column = x < 0.5 ? 0 : 1
            return bits & (1 << (row * 2 + column)) != 0 ? 1 : 0
        default: return nil
        }
    }

    /// Whether `coverage` knows the character.
    public static func isKnown(_ character: Unicode.Scalar) -> Bool { coverage(character, x: 0, y: 0) != nil }

    /// U+1FB00 + k is the k-th 2×3 pattern (bit 0 top left, 1 top right, 2 middle left … 5 bottom right) among
    /// 1…62, leaving out the two half blocks (21: left column, 42: right column) that exist as ▌ and ▐.
    private static func sextantBits(_ k: Int) -> Int {
        var n = k + 1
        if n >= 21 { n += 1 }
        if n >= 42 { n += 1 }
        return n
    }
}

extension SymbolPicture {
    /// The picture as pixels again: every cell becomes `cellWidth`×`cellHeight` pixels, each the glyph's
    /// foreground where it covers the point and the background elsewhere (palette colours as xterm draws them,
    /// the terminal's own colours as `foreground`/`background`). Unknown glyphs count as half covered.
    public func reconstructed(
        cellWidth: Int = 4, cellHeight: Int = 8, foreground: (UInt8, UInt8, UInt8) = (229, 229, 229),
        background: (UInt8, UInt8, UInt8) = (0, 0, 0)
    ) -> RGBImage {
        let width = columns * cellWidth, height = rows * cellHeight
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = self[column, row]
                let fg = cell.foreground.resolved(foreground: foreground, background: background)
                let bg = cell.background.resolved(foreground: foreground, background: background)
                for sy in 0..<cellHeight {
                    for sx in 0..<cellWidth {
                        let cover =
                            GlyphCoverage.coverage(
                                cell.character, x: (Double(sx) + 0.5) / Double(cellWidth),
                                y: (Double(sy) + 0.5) / Double(cellHeight)) ?? 0.5
                        let i = ((row * cellHeight + sy) * width + column * cellWidth + sx) * 3
                        pixels[i] = mix(fg.0, bg.0, cover)
                        pixels[i + 1] = mix(fg.1, bg.1, cover)
                        pixels[i + 2] = mix(fg.2, bg.2, cover)
                    }
                }
            }
        }
        return RGBImage(uncheckedWidth: width, height: height, pixels: pixels)
    }

    private func mix(_ a: UInt8, _ b: UInt8, _ t: Double) -> UInt8 {
        UInt8(max(0, min(255, (Double(a) * t + Double(b) * (1 - t)).rounded())))
    }
}

/// Measures how far one picture is from another.
public enum PictureDifference {
    /// The mean absolute difference per channel (0…255) between two images of the same size; nil if sizes differ.
    public static func meanChannelError(_ a: RGBImage, _ b: RGBImage) -> Double? {
        guard a.width == b.width, a.height == b.height else { return nil }
        var total = 0
        for i in a.pixels.indices { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(total) / Double(a.pixels.count)
    }

    /// The mean luminance difference (0…255, Rec. 601 weights): what a mono picture can be judged on.
    public static func meanLuminanceError(_ a: RGBImage, _ b: RGBImage) -> Double? {
        guard a.width == b.width, a.height == b.height else { return nil }
        var total = 0.0
        for i in stride(from: 0, to: a.pixels.count, by: 3) {
            total += abs(luma(a.pixels, i) - luma(b.pixels, i))
        }
        return total / Double(a.pixels.count / 3)
    }

    /// The Pearson correlation (−1…1) of the two images' luminances: whether light and dark fall in the same
    /// places, whatever the two colours that draw them (a mono picture in the terminal's own colours).
    public static func luminanceCorrelation(_ a: RGBImage, _ b: RGBImage) -> Double? {
        guard a.width == b.width, a.height == b.height else { return nil }
        let la = stride(from: 0, to: a.pixels.count, by: 3).map { luma(a.pixels, $0) }
        let lb = stride(from: 0, to: b.pixels.count, by: 3).map { luma(b.pixels, $0) }
        let n = Double(la.count)
        let ma = la.reduce(0, +) / n, mb = lb.reduce(0, +) / n
        var cov = 0.0, va = 0.0, vb = 0.0
        for i in la.indices {
            cov += (la[i] - ma) * (lb[i] - mb)
            va += (la[i] - ma) * (la[i] - ma)
            vb += (lb[i] - mb) * (lb[i] - mb)
        }
        guard va > 0, vb > 0 else { return 0 }
        return cov / (va * vb).squareRoot()
    }

    private static func luma(_ p: [UInt8], _ i: Int) -> Double {
        0.299 * Double(p[i]) + 0.587 * Double(p[i + 1]) + 0.114 * Double(p[i + 2])
    }
}
