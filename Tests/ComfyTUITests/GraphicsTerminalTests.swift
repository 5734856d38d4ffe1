import ComfyClient
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
