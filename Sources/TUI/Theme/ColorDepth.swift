import Foundation

/// How many colours the terminal shows. Themes are resolved once per depth.
public enum ColorDepth: String, Sendable, CaseIterable {
    case truecolor, c256 = "256", c16 = "16", c8 = "8", mono

    /// Picks the depth: `--color` wins; `NO_COLOR` means mono; truecolor only when asked for and `COLORTERM` says so.
    public static func detect(requested: String?, colors: Int, environment: [String: String]) -> ColorDepth {
        if let requested, let depth = ColorDepth(rawValue: requested) { return depth }
        if environment["NO_COLOR"].map({ !$0.isEmpty }) ?? false { return .mono }
        if colors >= 256 { return .c256 }
        if colors >= 16 { return .c16 }
        if colors >= 8 { return .c8 }
        return .mono
    }
}

/// A role resolved for a depth: palette indices (-1 = terminal default) or packed RGB for truecolor, plus attributes.
public struct ResolvedLook: Sendable, Equatable, Hashable {
    public var fg: Int
    public var bg: Int
    public var attributes: Attributes
}

extension Theme {
    /// Every role at `depth`. In mono, colours are dropped and each role's `_mono` attributes are used.
    public func resolve(_ depth: ColorDepth) -> [Role: ResolvedLook] {
        var out: [Role: ResolvedLook] = [:]
        for role in Role.allCases {
            let look = self.look(role)
            if depth == .mono {
                out[role] = ResolvedLook(fg: -1, bg: -1, attributes: look.mono)
            } else {
                out[role] = ResolvedLook(
                    fg: Palette.map(look.fg, depth), bg: Palette.map(look.bg, depth), attributes: look.attributes)
            }
        }
        return out
    }
}

/// Nearest-colour mapping down the depths.
public enum Palette {
    /// The 16 ANSI colours as xterm draws them.
    static let ansi: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
        (255, 255, 255),
    ]

    static func rgb(ofIndex n: Int) -> (Int, Int, Int) {
        if n < 16 { return ansi[n] }
        if n >= 232 {
            let v = 8 + (n - 232) * 10
            return (v, v, v)
        }
        let i = n - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[i / 36], steps[i / 6 % 6], steps[i % 6])
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    static func nearest(_ c: (Int, Int, Int), among indices: Range<Int>) -> Int {
        indices.min { distance(rgb(ofIndex: $0), c) < distance(rgb(ofIndex: $1), c) } ?? 7
    }

    /// The ANSI colour of the same hue: muted theme colours keep their meaning (a soft red stays red), which a
    /// plain nearest-RGB match loses on the 8/16-colour palettes.
    static func ansi(_ r: Int, _ g: Int, _ b: Int, bright: Bool) -> Int {
        let maxC = max(r, g, b), minC = min(r, g, b)
        let lightness = (maxC + minC) / 2
        let chroma = maxC - minC
        if chroma < 40 {
            if lightness < 60 { return 0 }
            if lightness < 170 { return bright ? 8 : 7 }
            return bright ? 15 : 7
        }
        var hue: Double
        let (rf, gf, bf, c) = (Double(r), Double(g), Double(b), Double(chroma))
        if maxC == r {
            hue = (gf - bf) / c
        } else if maxC == g {
            hue = (bf - rf) / c + 2
        } else {
            hue = (rf - gf) / c + 4
        }
        hue = (hue * 60).truncatingRemainder(dividingBy: 360)
        if hue < 0 { hue += 360 }
        // red 1, yellow 3, green 2, cyan 6, blue 4, magenta 5
        let base: Int
        switch hue {
        case ..<20, 330...: base = 1
        case ..<70: base = 3
        case ..<160: base = 2
        case ..<200: base = 6
        case ..<260: base = 4
        default: base = 5
        }
        return bright && lightness > 170 ? base + 8 : base
    }

    /// A theme colour at a depth: -1 for the terminal default, else a palette index or (truecolor) packed RGB.
    public static func map(_ color: ThemeColor, _ depth: ColorDepth) -> Int {
        switch (color, depth) {
        case (.terminalDefault, _), (_, .mono): return -1
        case (.rgb(let r, let g, let b), .truecolor): return Int(r) << 16 | Int(g) << 8 | Int(b)
        case (.rgb(let r, let g, let b), .c256): return nearest((Int(r), Int(g), Int(b)), among: 16..<256)
        case (.rgb(let r, let g, let b), .c16): return ansi(Int(r), Int(g), Int(b), bright: true)
        case (.rgb(let r, let g, let b), .c8): return ansi(Int(r), Int(g), Int(b), bright: false)
        case (.index(let n), .truecolor):
            let (r, g, b) = rgb(ofIndex: n)
            return r << 16 | g << 8 | b
        case (.index(let n), .c256): return n
        case (.index(let n), .c16):
            if n < 16 { return n }
            let (r, g, b) = rgb(ofIndex: n)
            return ansi(r, g, b, bright: true)
        case (.index(let n), .c8):
            if n < 8 { return n }
            if n < 16 { return n - 8 }
            let (r, g, b) = rgb(ofIndex: n)
            return ansi(r, g, b, bright: false)
        }
    }
}
