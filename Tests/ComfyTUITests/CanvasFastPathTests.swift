import ComfyClient
import Testing

@testable import ComfyTUI

/// The drawing primitives' fast paths (ASCII bytes, cells written without strings) draw what the general paths do.
@Suite("Canvas fast paths")
struct CanvasFastPathTests {
    /// A canvas drawn through `put` one scalar at a time (the general path), for comparison.
    static func scalarByScalar(_ text: String, width: Int, maxX: Int? = nil) -> (Canvas, Int) {
        var c = Canvas(width: width, height: 1)
        var col = 0
        for scalar in text.unicodeScalars {
            // A lone combining mark would have nothing to attach to: keep such text out of this helper.
            col = c.put(col, 0, String(scalar), Style(.key), maxX: maxX)
        }
        return (c, col)
    }

    @Test("ASCII, mixed and escaped text land in the same cells and return the same column")
    func putMatchesScalarPath() {
        for text in ["plain ascii", "ab●c ▶ ✓ ≈ … │─", "tab\there", "esc\u{1B}[31m", "wide 日本 text", "é and ü"] {
            for maxX in [nil, 5, 12] {
                var c = Canvas(width: 16, height: 1)
                let end = c.put(0, 0, text, Style(.key), maxX: maxX)
                let (reference, referenceEnd) = Self.scalarByScalar(text, width: 16, maxX: maxX)
                #expect(c.lines == reference.lines, "\(text) maxX \(String(describing: maxX))")
                #expect(end == referenceEnd, "\(text)")
                #expect(Canvas.width(of: text) == text.unicodeScalars.reduce(0) { $0 + Canvas.drawnWidth(of: $1) })
            }
        }
    }

    @Test("a combining mark after ASCII belongs to the character before it; negative columns are clipped")
    func marksAndClipping() {
        var c = Canvas(width: 8, height: 1)
        let end = c.put(0, 0, "abe\u{301}z", Style(.main))
        #expect(end == 4)
        #expect(c.text(2, 0) == "e\u{301}")
        #expect(c.lines == ["abe\u{301}z    "])
        var d = Canvas(width: 4, height: 1)
        #expect(d.put(-2, 0, "xyzw", Style(.main)) == 2)
        #expect(d.lines == ["zw  "])
    }

    @Test("bars and boxes as cells equal the strings they used to be drawn from")
    func barsAndBoxes() {
        for ascii in [false, true] {
            let g = Glyphs(ascii: ascii)
            for step in 0...40 {
                let fraction: Double? = step == 40 ? nil : Double(step) / 37
                var c = Canvas(width: 14, height: 1)
                c.bar(1, 0, width: 11, fraction: fraction, glyphs: g)
                var reference = Canvas(width: 14, height: 1)
                let (filled, rest) = g.bar(fraction, width: 11)
                let role: Role =
                    fraction == nil
                    ? .progressTrack
                    : (fraction ?? 0) < 0.34 ? .progressStart : (fraction ?? 0) < 0.99 ? .progressMid : .progressEnd
                let end = reference.put(1, 0, filled, Style(role))
                reference.put(end, 0, rest, Style(.progressTrack))
                #expect(c == reference, "ascii \(ascii) fraction \(String(describing: fraction))")
            }
            var box = Canvas(width: 10, height: 4)
            box.box(Rect(x: -1, y: 0, width: 9, height: 4), title: "T", focused: true, glyphs: g)
            let (h, v) = (g.horizontal, g.vertical)
            let corners = ascii ? ["+", "+", "+", "+"] : ["┌", "┐", "└", "┘"]
            var reference = Canvas(width: 10, height: 4)
            let border = Style(.title, bold: true)
            reference.put(-1, 0, corners[0] + String(repeating: h, count: 7) + corners[1], border)
            for y in 1..<3 {
                reference.put(-1, y, v, border)
                reference.put(7, y, v, border)
            }
            reference.put(-1, 3, corners[2] + String(repeating: h, count: 7) + corners[3], border)
            reference.put(1, 0, " T ", Style(.title, bold: true), maxX: 6)
            #expect(box == reference)
        }
    }

    @Test("fit cuts ASCII by bytes as it cuts other text; durations past a minute and an hour")
    func fitAndDurations() {
        #expect(Text.fit("abcdefgh", 5) == "abcd…")
        #expect(Text.fit("abcdefgh", 5, ascii: true) == "abcd~")
        #expect(Text.fit("abc", 5) == "abc  ")
        #expect(Text.fit("abcde", 5) == "abcde")
        #expect(Text.fit("日本語テキスト", 5) == "日本…")
        #expect(MonitorFormat.duration(65) == "1:05")
        #expect(MonitorFormat.duration(600) == "10:00")
        #expect(MonitorFormat.duration(3725) == "1:02:05")
        #expect(MonitorFormat.duration(36_000 + 59) == "10:00:59")
    }
}
