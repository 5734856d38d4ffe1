import ComfyClient
import ComfyImages
import Foundation
import Testing

@testable import ComfyTUI

/// Graphics-protocol pictures through the one terminal driver (in the serialized curses suite: one curses per
/// process).
extension CursesTests {
    static func count(_ needle: [UInt8], in bytes: [UInt8]) -> [Int] {
        guard needle.count <= bytes.count else { return [] }
        return (0...(bytes.count - needle.count)).filter { Array(bytes[$0..<$0 + needle.count]) == needle }
    }

    @Test("a kitty picture is written once after curses' frame, at its cells; deleted when a frame drops it")
    func graphicsInStep() throws {
        let place = Array("\u{1B}_Gimage-bytes\u{1B}\\".utf8)
        let delete = Array("\u{1B}_Ga=d,d=I,i=7101\u{1B}\\".utf8)
        let graphic = CanvasGraphic(
            x: 10, y: 5, columns: 4, rows: 2, imageID: 7101, version: 1, bytes: place, removal: delete)
        let bytes = try Self.withCurses { terminal, _ in
            var with = Canvas(width: 80, height: 24)
            with.put(0, 0, "header")
            with.place(graphic)
            terminal.draw(with, previous: nil)
            // The same frame again: nothing is written (an idle screen writes 0 bytes).
            terminal.draw(with, previous: with)
            var later = with
            later.put(0, 1, "a new line")
            // Text changes elsewhere: the kitty picture is not sent again.
            terminal.draw(later, previous: with)
            var without = Canvas(width: 80, height: 24)
            without.put(0, 0, "header")
            without.put(0, 1, "a new line")
            terminal.draw(without, previous: later)
        }
        let placed = Self.count(Array("\u{1B}7\u{1B}[6;11H".utf8) + place + Array("\u{1B}8".utf8), in: bytes)
        let deleted = Self.count(delete, in: bytes)
        #expect(placed.count == 1)
        #expect(deleted.count == 1)
        if let p = placed.first, let d = deleted.first { #expect(p < d) }
    }

    @Test("stopping the screen deletes the kitty pictures it showed")
    func graphicsRemovedAtExit() throws {
        let delete = Array("\u{1B}_Ga=d,d=I,i=7103\u{1B}\\".utf8)
        let bytes = try Self.withCurses { terminal, _ in
            var c = Canvas(width: 40, height: 12)
            c.place(
                CanvasGraphic(
                    x: 0, y: 1, columns: 40, rows: 10, imageID: 7103, version: 3,
                    bytes: Array("\u{1B}_Gx\u{1B}\\".utf8),
                    removal: delete))
            terminal.draw(c, previous: nil)
        }
        #expect(Self.count(delete, in: bytes).count == 1)
    }
}

/// Kitty's Unicode placeholders (inside tmux) drawn by the monitor: curses cells with combining marks.
extension CursesTests {
    /// A 3×2-cell kitty picture inside tmux, as the picture worker makes it and the pane places it.
    static func placeholderPicture() throws -> RenderedPicture {
        let image = RGBImage(width: 30, height: 40) { x, y in (UInt8(x * 8), UInt8(y * 6), 90) }
        let png = try ImageCodec.encodePNG(image)
        let request = PictureRequest(slot: .pane, source: .preview(promptID: "p", seq: 1), columns: 3, rows: 2)
        return PictureWorker.encode(
            png, request, graphics: GraphicsChoice(graphics: .kitty, tmux: true, reason: "test"), version: 1,
            depth: .c256)
    }

    @Test("kitty placeholders in tmux: the cells carry U+10EEEE and the row/column marks in the id's colour")
    func kittyPlaceholderCells() throws {
        let shown = try Self.placeholderPicture()
        let cells = try #require(shown.picture)
        let graphic = try #require(shown.graphic)
        #expect(graphic.imageID == 201 && cells.width == 3 && cells.height == 2)
        #expect(cells.fg.allSatisfy { $0 == 201 } && cells.codes.allSatisfy { $0 == 0x10EEEE })
        var canvas = Canvas(width: 20, height: 6)
        PreviewPane.place(&canvas, shown, in: Rect(x: 1, y: 1, width: 5, height: 3))
        #expect(canvas.graphics.count == 1 && canvas.pictures.count == 1)
        #expect(canvas.graphics.first?.x == 2 && canvas.pictures.first?.x == 2 && canvas.pictures.first?.y == 1)

        let bytes = try Self.withCurses(color: "256") { terminal, _ in
            terminal.draw(canvas, previous: nil)
            var closed = Canvas(width: 20, height: 6)
            closed.put(0, 0, "closed")
            terminal.draw(closed, previous: canvas)
        }
        // Golden: the picture's cells as the terminal receives them — to the row (curses writes two blanks rather
        // than move), the id's colour over the default background, three placeholders numbered (row, column) by
        // diacritics; the next row in the same colour; the colour reset.
        let marks = ["\u{0305}", "\u{030D}", "\u{030E}"]
        func row(_ r: Int) -> String { (0..<3).map { "\u{10EEEE}" + marks[r] + marks[$0] }.joined() }
        let text = String(decoding: bytes, as: UTF8.self)
        let golden = "\u{1B}[2d  \u{1B}[38;5;201m" + row(0) + "\u{1B}[3;3H" + row(1) + "\u{1B}[39m"
        #expect(text.contains(golden), "\(text.debugDescription)")
        // The image goes after the cells, through tmux's passthrough, with a virtual placement (U=1) of 3×2 cells;
        // it is deleted when the frame drops it, and the cells are written over.
        let transmit = Self.count(Array("\u{1B}Ptmux;\u{1B}\u{1B}_Ga=T,U=1,f=100,i=201,q=2,c=3,r=2,".utf8), in: bytes)
        let delete = Self.count(
            Array("\u{1B}Ptmux;\u{1B}\u{1B}_Ga=d,d=I,i=201,q=2\u{1B}\u{1B}\\\u{1B}\\".utf8), in: bytes)
        let firstCell = Self.count(Array("\u{10EEEE}".utf8), in: bytes)
        #expect(transmit.count == 1 && delete.count == 1 && firstCell.count == 6)
        if let t = transmit.first, let d = delete.first, let c = firstCell.first { #expect(c < t && t < d) }
        // After the close: the rows are cleared and no placeholder is written again.
        #expect(text.components(separatedBy: "closed").last?.contains("\u{10EEEE}") == false)
    }
}
