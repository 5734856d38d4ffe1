import ComfyClient
import Foundation
import Testing

@testable import ComfyTUI

/// Pictures drawn as curses cells, checked on the bytes the terminal receives (in the serialized curses suite).
extension CursesTests {
    /// A 4×2 half-block picture in 256 colours: ▀ in colour i over colour 100 + i.
    static func halfBlocks(shift: UInt32 = 0) -> CellPicture? {
        CellPicture(
            width: 4, height: 2, depth: .c256, codes: Array(repeating: 0x2580, count: 8),
            fg: (0..<8).map { 16 + $0 + shift }, bg: (0..<8).map { 100 + $0 })
    }

    @Test("a picture's cells are written once, each in its own colours")
    func pictureCellsOnce() throws {
        let bytes = try Self.withCurses(color: "256") { terminal, _ in
            var canvas = Canvas(width: 30, height: 6)
            canvas.put(0, 0, "title", Style(.title))
            if let p = Self.halfBlocks() { canvas.draw(p, x: 3, y: 2) }
            terminal.draw(canvas, previous: nil)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.components(separatedBy: "▀").count - 1 == 8)
        for i in 0..<8 { #expect(text.contains("\u{1B}[38;5;\(16 + i)m\u{1B}[48;5;\(100 + i)m▀")) }
    }

    @Test("a new frame of a picture rewrites only what changed; a picture at the bottom-right leaves that cell alone")
    func pictureUpdateAndCorner() throws {
        let bytes = try Self.withCurses(color: "256") { terminal, _ in
            var first = Canvas(width: 30, height: 6)
            if let p = Self.halfBlocks() { first.draw(p, x: 26, y: 4) }
            terminal.draw(first, previous: nil)
            var second = Canvas(width: 30, height: 6)
            if let p = Self.halfBlocks(shift: 1) { second.draw(p, x: 26, y: 4) }
            terminal.draw(second, previous: first)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        // 8 cells, less the bottom-right one, in each frame: 7 + 7.
        #expect(text.components(separatedBy: "▀").count - 1 == 14)
    }
}
